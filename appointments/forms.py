"""Forms of visits."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from doctors.forms import DoctorChoiceField
from doctors.models import Doctor
from doctors.selectors import doctors_ordered
from patients.models import Patient
from regions.forms import active_or_current
from sales.models import Pharmacy, Product
from subscription.models import Company
from subscription.selectors import company_users
from subscription.ui.aztext import az_ordered
from subscription.ui.forms import (
    DateInput,
    DateTimeLocalInput,
    DayField,
    MomentField,
    RecordsChoiceField,
    StyledFormMixin,
    UserChoiceField,
    limit_staff_to,
)

User = get_user_model()


class AppointmentForm(StyledFormMixin, forms.ModelForm):
    doctor = DoctorChoiceField(queryset=Doctor.objects.none(), label=_("doctor"), required=False)
    staff = UserChoiceField(queryset=User.objects.none(), label=_("staff member"))

    class Meta:
        model = Appointment
        fields = [
            "kind",
            "doctor",
            "pharmacy",
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
        field_classes = {"planned_start": MomentField, "products": RecordsChoiceField}
        widgets = {
            "planned_start": DateTimeLocalInput(),
            "next_step_date": DateInput(),
            "products": forms.CheckboxSelectMultiple(),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args,
        company: Company,
        user: AbstractUser,
        own_only: bool,
        doctors: QuerySet[Doctor] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        visit = self.instance
        doctors = Doctor.objects.all() if doctors is None else doctors
        self.fields["doctor"].queryset = doctors_ordered(active_or_current(doctors, visit.doctor_id))
        self.fields["kind"].required = False
        pharmacies = active_or_current(Pharmacy.objects.all(), visit.pharmacy_id)
        self.fields["pharmacy"].queryset = pharmacies.order_by(az_ordered("name"), "pk")
        # A visit becomes done through its call report (which checks that it has begun), never here.
        self.fields["status"].choices = [
            (value, label)
            for value, label in Appointment.Status.choices
            if value != Appointment.Status.DONE or visit.status == Appointment.Status.DONE
        ]
        self.fields["patient"].queryset = Patient.objects.order_by(az_ordered("last_name"), "pk")
        current_products = list(visit.products.values_list("pk", flat=True)) if visit.pk else []
        self.fields["products"].queryset = Product.objects.filter(Q(is_active=True) | Q(pk__in=current_products))
        if own_only:
            limit_staff_to(self.fields["staff"], user)
            self.initial["staff"] = user.pk
        else:
            self.fields["staff"].queryset = company_users(company, active_only=True, current=visit.staff_id)
            if not self.initial.get("staff"):
                self.initial["staff"] = user.pk
        self.style_fields()

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Appointment.Kind.DOCTOR


class AppointmentFilterForm(StyledFormMixin, forms.Form):
    compact = True

    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Appointment.Status.choices)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + Appointment.Kind.choices)
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
            self.fields["staff"].queryset = company_users(company, active_only=True)
        self.fields["doctor"].queryset = doctors_ordered(Doctor.objects.all())
        self.style_fields()


class UpcomingForm(StyledFormMixin, forms.Form):
    """The upcoming-visits page's period: a day or a week around `date`."""

    compact = True

    # Chosen with the Day / Week buttons; the form carries it along as a hidden field.
    view = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        widget=forms.HiddenInput,
    )
    date = DayField(label=_("Date"), required=False)
    staff = UserChoiceField(label=_("Staff member"), required=False, queryset=User.objects.none())

    def __init__(self, *args, company: Company, own_only: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if own_only:
            del self.fields["staff"]
        else:
            self.fields["staff"].queryset = company_users(company, active_only=True)
        self.style_fields()
