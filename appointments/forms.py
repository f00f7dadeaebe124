"""Forms of visits, and the Bootstrap styling the company apps' forms share."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from appointments.selectors import company_users, user_label
from doctors.models import Doctor
from patients.models import Patient
from regions.forms import active_or_current
from sales.models import Product
from subscription.aztext import az_ordered
from subscription.models import Company

User = get_user_model()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DayField(forms.DateField):
    """A date for filters and calendars: the years a business uses, so date arithmetic never overflows."""

    widget = DateInput

    def validate(self, value) -> None:
        super().validate(value)
        if value and not 1900 <= value.year <= 2999:
            raise forms.ValidationError(_("Choose a date between the years 1900 and 2999."), code="out_of_range")


class StyledFormMixin:
    """Bootstrap classes on every widget and `is-invalid` on fields with errors.

    Pages render the fields with `{% include "appointments/_form.html" %}` (labels, help texts and
    errors next to each field). `compact = True` (filter forms) uses the small variants.
    """

    compact = False

    def style_fields(self) -> None:
        size = "-sm" if self.compact else ""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = f"form-select form-select{size}" if size else "form-select"
            else:
                css = f"form-control form-control{size}" if size else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AbstractUser) -> str:
        return user_label(obj)


class DoctorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Doctor) -> str:
        return f"{obj.full_name} ({obj.code})"


def doctors_ordered(queryset):
    return queryset.order_by(az_ordered("last_name"), az_ordered("first_name"), "pk")


def limit_staff_to(field: forms.ModelChoiceField, user: AbstractUser) -> None:
    """A representative's own records: the only choice is themselves, and posted values are ignored."""
    field.queryset = User.objects.filter(pk=user.pk)
    field.initial = user.pk
    field.disabled = True
    field.help_text = _("Representatives record their own work.")


class AppointmentForm(StyledFormMixin, forms.ModelForm):
    doctor = DoctorChoiceField(queryset=Doctor.objects.none(), label=_("doctor"))
    staff = UserChoiceField(queryset=User.objects.none(), label=_("staff member"))

    class Meta:
        model = Appointment
        fields = [
            "doctor",
            "patient",
            "staff",
            "planned_start",
            "duration_minutes",
            "channel",
            "status",
            "products",
            "outcome",
            "next_step",
            "next_step_date",
        ]
        widgets = {
            "planned_start": DateTimeLocalInput(),
            "next_step_date": DateInput(),
            "products": forms.CheckboxSelectMultiple(),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, company: Company, user: AbstractUser, own_only: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        visit = self.instance
        self.fields["doctor"].queryset = doctors_ordered(active_or_current(Doctor.objects.all(), visit.doctor_id))
        self.fields["patient"].queryset = Patient.objects.order_by(az_ordered("last_name"), "pk")
        current_products = list(visit.products.values_list("pk", flat=True)) if visit.pk else []
        self.fields["products"].queryset = Product.objects.filter(Q(is_active=True) | Q(pk__in=current_products))
        if own_only:
            limit_staff_to(self.fields["staff"], user)
            self.initial["staff"] = user.pk
        else:
            self.fields["staff"].queryset = company_users(company, current=visit.staff_id)
            if not self.initial.get("staff"):
                self.initial["staff"] = user.pk
        self.style_fields()


class AppointmentFilterForm(StyledFormMixin, forms.Form):
    compact = True

    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Appointment.Status.choices)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All"))] + Appointment.Channel.choices
    )
    staff = UserChoiceField(label=_("Staff member"), required=False, queryset=User.objects.none())
    doctor = DoctorChoiceField(label=_("Doctor"), required=False, queryset=Doctor.objects.none())
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("To"), required=False)

    def __init__(self, *args, company: Company, own_only: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if own_only:
            del self.fields["staff"]
        else:
            self.fields["staff"].queryset = company_users(company)
        self.fields["doctor"].queryset = doctors_ordered(Doctor.objects.all())
        self.style_fields()


class UpcomingForm(StyledFormMixin, forms.Form):
    """The upcoming-visits page's period: a day or a week around `date`."""

    compact = True

    # Chosen with the Day / Week buttons; the form carries it along as a hidden field.
    view = forms.ChoiceField(
        label=_("Show"), required=False, choices=[("day", _("Day")), ("week", _("Week"))], widget=forms.HiddenInput
    )
    date = DayField(label=_("Date"), required=False)
    staff = UserChoiceField(label=_("Staff member"), required=False, queryset=User.objects.none())

    def __init__(self, *args, company: Company, own_only: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if own_only:
            del self.fields["staff"]
        else:
            self.fields["staff"].queryset = company_users(company)
        self.style_fields()
