"""The doctor form (dependent region → city → clinic selects) and the list page's filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from doctors.codes import peek_doctor_code
from doctors.models import Doctor, Territory
from regions.forms import PlaceFieldsMixin, PlaceFilterMixin, SpecializationChoiceField, az_sorted
from regions.models import Specialization
from subscription.selectors import company_users
from subscription.ui.forms import StyledFormMixin, UserChoiceField
from subscription.ui.phones import PHONE_HELP, normalize_phone

if TYPE_CHECKING:
    from subscription.models import Company

YES_NO_ALL = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


def model_label(name: str):
    """A doctor field's verbose name as a form label (translated like the model's)."""
    return capfirst(Doctor._meta.get_field(name).verbose_name)


class DoctorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Doctor) -> str:
        return f"{obj.full_name} ({obj.code})"


class DoctorForm(StyledFormMixin, PlaceFieldsMixin, forms.ModelForm):
    """Add or change a doctor; the services (not the form) save it."""

    specialization = SpecializationChoiceField(label=model_label("specialization"))
    second_specialization = SpecializationChoiceField(label=model_label("second_specialization"), required=False)
    representative = UserChoiceField(
        queryset=None,
        label=model_label("representative"),
        required=False,
        help_text=_("The staff member who works with this doctor."),
    )

    sections = (
        (_("Doctor"), ("code", "last_name", "first_name", "patronymic")),
        (_("Speciality"), ("specialization", "second_specialization", "category", "position")),
        (_("Place of work"), ("region", "city", "clinic")),
        (_("Contacts"), ("mobile_phone", "work_phone", "email", "visit_hours")),
        (_("Work with the doctor"), ("representative", "is_kol", "is_active", "notes")),
    )

    class Meta:
        model = Doctor
        fields = [
            "code",
            "last_name",
            "first_name",
            "patronymic",
            "specialization",
            "second_specialization",
            "category",
            "position",
            "region",
            "city",
            "clinic",
            "mobile_phone",
            "work_phone",
            "email",
            "visit_hours",
            "representative",
            "is_kol",
            "is_active",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "mobile_phone": forms.TextInput(attrs={"inputmode": "tel", "placeholder": "+994 50 123 45 67"}),
            "work_phone": forms.TextInput(attrs={"inputmode": "tel", "placeholder": "+994 12 123 45 67"}),
        }
        help_texts = {
            "code": _("Unique within your company. Leave it empty for the company's next code."),
            "category": _("A: key doctors, visited most often; C: occasional."),
            "mobile_phone": PHONE_HELP,
            "work_phone": PHONE_HELP,
            "is_kol": _("Influential in the field: speaks at events, advises colleagues."),
            "is_active": _("Inactive doctors stay with their history but do not count against the plan."),
        }

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "Keep the current value if deactivated" means the stored value, never a posted one.
        stored = self.instance
        self.fields["specialization"].set_current(stored.specialization_id)
        self.fields["second_specialization"].set_current(stored.second_specialization_id)
        self.fields["representative"].queryset = company_users(
            company, active_only=True, current=stored.representative_id
        )
        self.setup_places()
        if not stored.pk:
            self.fields["code"].required = False
            next_code = peek_doctor_code(company)
            self.fields["code"].widget.attrs["placeholder"] = next_code
            self.fields["code"].help_text = _(
                "Unique within your company. Leave it empty to get the next code, %(code)s."
            ) % {"code": next_code}
        self.style_fields()

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean_mobile_phone(self) -> str:
        return normalize_phone(self.cleaned_data["mobile_phone"])

    def clean_work_phone(self) -> str:
        return normalize_phone(self.cleaned_data["work_phone"])

    def section_fields(self):
        """(title, bound fields) for each part of the form, in order."""
        return [(title, [self[name] for name in names]) for title, names in self.sections]


class DoctorFilterForm(StyledFormMixin, PlaceFilterMixin, forms.Form):
    """The doctor list's filters. A choice that no longer fits (a city outside a newly chosen
    region) is ignored rather than voiding every filter."""

    compact = True
    mark_invalid = False

    specialization = forms.ModelChoiceField(
        label=model_label("specialization"), queryset=Specialization.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=model_label("category"), choices=[("", _("All")), *Doctor.Category.choices], required=False
    )
    region = forms.ModelChoiceField(label=model_label("region"), queryset=None, required=False)
    city = forms.ModelChoiceField(label=model_label("city"), queryset=None, required=False)
    clinic = forms.ModelChoiceField(label=model_label("clinic"), queryset=None, required=False)
    representative = UserChoiceField(label=model_label("representative"), queryset=None, required=False)
    is_kol = forms.ChoiceField(label=model_label("is_kol"), choices=YES_NO_ALL, required=False)
    is_active = forms.ChoiceField(label=model_label("is_active"), choices=YES_NO_ALL, required=False)
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.none(), required=False)
    # Which doctors to start from (doctors.visibility); shown only to those who may choose.
    scope = forms.ChoiceField(
        label=_("Show"), choices=[("mine", _("My territory")), ("all", _("All doctors"))], required=False
    )

    def __init__(self, *args, company: Company, scopes: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not scopes:
            del self.fields["scope"]
        self.fields["territory"].queryset = Territory.objects.order_by("name")
        self.fields["specialization"].queryset = az_sorted(Specialization.objects.all())
        self.fields["representative"].queryset = company_users(company)
        self.setup_place_filters()
        self.style_fields()

    def full_clean(self) -> None:
        super().full_clean()
        # Fields in error are already left out of cleaned_data: filter by the others.
        self._errors.clear()
