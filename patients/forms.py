"""The patient form and the list page's filters."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from doctors.forms import DoctorChoiceField
from patients import selectors
from patients.models import Patient
from subscription.ui.forms import StyledFormMixin
from subscription.ui.phones import PHONE_HELP, normalize_phone


class PatientForm(StyledFormMixin, forms.ModelForm):
    """Add or change a patient; the services (not the form) save it and record the change."""

    doctor = DoctorChoiceField(
        queryset=None, required=False, label=capfirst(Patient._meta.get_field("doctor").verbose_name)
    )

    class Meta:
        model = Patient
        fields = ["last_name", "first_name", "patronymic", "birth_date", "sex", "phone", "doctor", "notes"]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "placeholder": "+994 50 123 45 67"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "phone": PHONE_HELP,
            "notes": _("Personal data: write only what the programme needs."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doctor"].queryset = selectors.doctor_choices(current_pk=self.instance.doctor_id)
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.style_fields()

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class PatientFilterForm(StyledFormMixin, forms.Form):
    compact = True

    doctor = DoctorChoiceField(
        queryset=None, required=False, label=capfirst(Patient._meta.get_field("doctor").verbose_name)
    )
    sex = forms.ChoiceField(
        choices=[("", _("All")), *Patient.Sex.choices],
        required=False,
        label=capfirst(Patient._meta.get_field("sex").verbose_name),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doctor"].queryset = selectors.attending_doctors()
        self.style_fields()
