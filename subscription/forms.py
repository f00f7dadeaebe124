"""Forms of the company settings pages. None takes a company: it is always the request's."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from subscription.models import Company, UserProfile
from subscription.ui.forms import CleanTextMixin, DecimalInputField, NumberInput
from subscription.ui.phones import phone_validator

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class CompanyProfileForm(CleanTextMixin, forms.ModelForm):
    """Name, contacts and the company's settings; the code (slug) names the database and is not offered."""

    class Meta:
        model = Company
        fields = [
            "name",
            "contact_name",
            "contact_email",
            "contact_phone",
            "address",
            "tax_id",
            "currency_display",
            "owner_approval_above",
            "doctor_code_prefix",
            "doctor_code_digits",
        ]
        field_classes = {"owner_approval_above": DecimalInputField}
        widgets = {
            "name": forms.TextInput(attrs=TEXT),
            "contact_name": forms.TextInput(attrs=TEXT),
            "contact_email": forms.EmailInput(attrs=TEXT),
            "contact_phone": forms.TextInput(attrs={**TEXT, "placeholder": "+994 12 555 00 00"}),
            "address": forms.TextInput(attrs=TEXT),
            "tax_id": forms.TextInput(attrs=TEXT),
            "currency_display": forms.Select(attrs=SELECT),
            "owner_approval_above": NumberInput(attrs=TEXT),
            "doctor_code_prefix": forms.TextInput(attrs=TEXT),
            "doctor_code_digits": forms.NumberInput(attrs=TEXT),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_phone"].validators.append(phone_validator)

    def clean_doctor_code_prefix(self) -> str:
        return self.cleaned_data["doctor_code_prefix"].strip().upper()


class CompanyUserCreateForm(CleanTextMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only; used to log in."),
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    last_name = forms.CharField(label=_("Last name"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    email = forms.EmailField(label=_("E-mail"), required=False, widget=forms.EmailInput(attrs=TEXT))
    role = forms.ChoiceField(label=_("Role"), choices=UserProfile.Role.choices, widget=forms.Select(attrs=SELECT))
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial="az", widget=forms.Select(attrs=SELECT)
    )
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        help_text=password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken. Choose another one."), code="taken")
        return username

    def clean(self) -> dict:
        data = super().clean()
        password = data.get("password")
        if password:
            candidate = get_user_model()(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class CompanyUserRoleForm(CleanTextMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=UserProfile.Role.choices, widget=forms.Select(attrs=SELECT))


class CompanyUserPasswordForm(CleanTextMixin, forms.Form):
    """A new password an owner sets for a member, typed twice (the service checks its strength)."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ. Type the same password twice."))
        return data
