"""Forms of territories and of a doctor's assignment to representatives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doctors.models import Territory
from regions.forms import az_sorted
from regions.models import City
from subscription.models import UserProfile
from subscription.selectors import company_users, user_label
from subscription.ui.forms import RecordsChoiceField, StyledFormMixin, UserChoiceField

if TYPE_CHECKING:
    from subscription.models import Company


class UsersField(RecordsChoiceField):
    def label_from_instance(self, obj) -> str:
        return user_label(obj)


class CitiesField(RecordsChoiceField):
    def label_from_instance(self, obj: City) -> str:
        return obj.name


class TerritoryForm(StyledFormMixin, forms.ModelForm):
    cities = CitiesField(
        queryset=City.objects.none(),
        label=_("cities and districts"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A city brings its districts with it (Baku: all of Baku's districts)."),
    )
    representatives = UsersField(
        queryset=None, label=_("representatives"), required=False, widget=forms.CheckboxSelectMultiple
    )
    manager = UserChoiceField(queryset=None, label=_("manager"), required=False)

    class Meta:
        model = Territory
        fields = ["name", "manager", "is_active", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        territory = self.instance
        chosen_cities = list(territory.cities.values_list("city_id", flat=True)) if territory.pk else []
        chosen_users = list(territory.members.values_list("user_id", flat=True)) if territory.pk else []
        self.fields["cities"].queryset = az_sorted(City.objects.filter(Q(is_active=True) | Q(pk__in=chosen_cities)))
        field_workers = Q(is_active=True, profile__role__in=[UserProfile.Role.REPRESENTATIVE, UserProfile.Role.MANAGER])
        self.fields["representatives"].queryset = company_users(company).filter(field_workers | Q(pk__in=chosen_users))
        self.fields["manager"].queryset = company_users(company, active_only=True, current=territory.manager_id).filter(
            profile__role__in=[UserProfile.Role.OWNER, UserProfile.Role.MANAGER]
        )
        if territory.pk:
            self.initial.setdefault("cities", chosen_cities)
            self.initial.setdefault("representatives", chosen_users)
        self.style_fields()

    def city_groups(self) -> list[tuple[str, list]]:
        """The city checkboxes grouped by region (regions in Azerbaijani order), for the template."""
        regions = {city.pk: city.region for city in self.fields["cities"].queryset.select_related("region")}
        groups: dict[int, tuple] = {}
        for option in self["cities"]:
            region = regions.get(int(str(option.data["value"])))
            if region is None:
                continue
            groups.setdefault(region.pk, (region, []))[1].append(option)
        ordered = sorted(groups.values(), key=lambda group: (group[0].sort_order, group[0].name_az))
        return [(region.name, options) for region, options in ordered]


class DoctorAssignForm(StyledFormMixin, forms.Form):
    users = UsersField(
        queryset=None,
        label=_("assigned representatives"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They see and plan this doctor even outside their territories."),
    )

    def __init__(self, *args, company: Company, current: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        representatives = Q(is_active=True, profile__role=UserProfile.Role.REPRESENTATIVE)
        self.fields["users"].queryset = company_users(company).filter(representatives | Q(pk__in=current))
        self.initial.setdefault("users", current)
        self.style_fields()
