"""Region → city → clinic choices that narrow each other (htmx, and without JavaScript too)."""

import json

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regions.models import City, Clinic, Region, Specialization
from subscription.ui.aztext import az_ordered

PLACE_FIELDS = ("region", "city", "clinic")


def az_sorted(queryset):
    """Reference rows in Azerbaijani alphabetical order."""
    return queryset.order_by(az_ordered("name_az"))


def active_or_current(queryset, current_pk):
    """Active rows, plus the row already chosen (it may have been deactivated since)."""
    from django.db.models import Q

    return queryset.filter(Q(is_active=True) | Q(pk=current_pk)) if current_pk else queryset.filter(is_active=True)


class PlaceFieldsMixin:
    """For forms with `region`, `city` and optionally `clinic` fields.

    Call `self.setup_places()` at the end of `__init__`. The city choices are the chosen region's,
    the clinic choices the chosen city's; choosing a region or city refreshes the next select
    with htmx. Without JavaScript, the "Refresh choices" button (name `_refresh`) posts the form
    back to narrow the choices without saving. A posted city outside the region, or clinic
    outside the city, is not among the choices, so it is a form error.
    """

    refresh_field = "_refresh"

    def _chosen(self, name: str):
        if self.is_bound:
            return self.data.get(self.add_prefix(name)) or None
        value = self.initial.get(name)
        if value is None and getattr(self, "instance", None) is not None:
            value = getattr(self.instance, f"{name}_id", None)
        return getattr(value, "pk", value)

    def _stored(self, name: str):
        """The value saved on the instance: only it may be a row deactivated since."""
        instance = getattr(self, "instance", None)
        return getattr(instance, f"{name}_id", None) if instance is not None and instance.pk else None

    def setup_places(self) -> None:
        region_id, city_id = (_as_int(self._chosen(name)) for name in ("region", "city"))
        stored = {name: self._stored(name) for name in PLACE_FIELDS}
        has_clinic = "clinic" in self.fields
        if "region" in self.fields:
            self.fields["region"].queryset = az_sorted(active_or_current(Region.objects.all(), stored["region"]))
            self.fields["region"].widget.attrs.update(
                {
                    "hx-get": reverse("regions:city-options"),
                    "hx-target": f"#{self.auto_id % self.add_prefix('city')}" if self.auto_id else "#id_city",
                    "hx-vals": '{"with_clinic": "1"}' if has_clinic else "{}",
                }
            )
        cities = City.objects.filter(region_id=region_id) if region_id else City.objects.none()
        self.fields["city"].queryset = az_sorted(active_or_current(cities, stored["city"]))
        if has_clinic:
            self.fields["city"].widget.attrs.update(
                {
                    "hx-get": reverse("regions:clinic-options"),
                    "hx-target": f"#{self.auto_id % self.add_prefix('clinic')}" if self.auto_id else "#id_clinic",
                }
            )
            clinics = Clinic.objects.filter(city_id=city_id) if city_id else Clinic.objects.none()
            self.fields["clinic"].queryset = az_sorted(active_or_current(clinics, stored["clinic"]))

    @property
    def is_refresh(self) -> bool:
        """The no-JavaScript "Refresh choices" button was pressed: show the form again, save nothing."""
        return self.is_bound and self.refresh_field in self.data

    def without_errors(self):
        """The bound form, shown again with its values and narrowed choices but no error messages."""
        self._errors = forms.utils.ErrorDict()
        self.cleaned_data = {}
        return self


class PlaceFilterMixin(PlaceFieldsMixin):
    """A list's region → city (→ clinic) filters: choosing a region narrows the cities (htmx, or the
    form's Apply without JavaScript); without a region every city may be chosen. A city or clinic that
    no longer fits the chosen region is ignored, so the other filters still apply.

    Call `self.setup_place_filters()` at the end of `__init__`.
    """

    def setup_place_filters(self) -> None:
        self.setup_places()
        if not _as_int(self._chosen("region")):
            self.fields["city"].queryset = az_sorted(City.objects.all())
        if "region" in self.fields:
            # A region chosen again as "all" brings every city back.
            attrs = self.fields["region"].widget.attrs
            attrs["hx-vals"] = json.dumps({**json.loads(attrs.get("hx-vals") or "{}"), "any_city": "1"})

    def full_clean(self) -> None:
        super().full_clean()
        for name in ("city", "clinic"):
            if self._errors and name in self._errors:
                del self._errors[name]


def _as_int(value):
    """A database id from user input, or None (also for numbers no database column can hold)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


class SpecializationChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Specialization.objects.none(), **kwargs)

    def set_current(self, current_pk) -> None:
        self.queryset = az_sorted(active_or_current(Specialization.objects.all(), current_pk))


REFRESH_LABEL = _("Refresh choices")
