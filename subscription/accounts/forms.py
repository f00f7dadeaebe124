"""Forms of the account pages: Django's password forms in the project's style, and the one-time code."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from subscription.ui.forms import StyledFormMixin


class StyledPasswordMixin(StyledFormMixin):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class PasswordChangeForm(StyledPasswordMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(StyledPasswordMixin, auth_forms.SetPasswordForm):
    pass


def user_language(user) -> str | None:
    profile = getattr(user, "profile", None)
    return profile.language if profile is not None and profile.language else None


class PasswordResetForm(StyledPasswordMixin, auth_forms.PasswordResetForm):
    """Django's reset form; each mail is written in the language of its user's profile."""

    def send_mail(self, subject_template, body_template, context, from_email, to_email, **kwargs) -> None:
        with translation.override(user_language(context["user"]) or translation.get_language()):
            super().send_mail(subject_template, body_template, context, from_email, to_email, **kwargs)


class OneTimeCodeForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
