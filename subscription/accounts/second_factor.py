"""The superusers' second factor (django-otp): an authenticator app's time-based codes, and recovery codes.

With SUPERUSER_2FA on, a superuser who signed in with a password confirms a
one-time code before /admin/, /master-admin/ or a company they entered; the confirmation lasts
for the login session. A superuser without an authenticator enrols first (QR code and secret),
and gets ten single-use recovery codes, shown once. Another superuser can remove a lost
authenticator in /admin/ (OTP TOTP › TOTP devices), after which its owner enrols again.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"
RECOVERY_CODE_COUNT = 10
# Superusers confirm a code before these pages, and before any page of a company they entered.
GATED_PREFIXES = ("/admin/", "/master-admin/")
ACCOUNT_PREFIX = "/accounts/"
THROTTLED = gettext_lazy("Too many wrong codes in a row: wait a few seconds, then enter the newest code.")


def second_factor_required(user: AbstractUser) -> bool:
    """Whether this user must confirm a one-time code for the platform's pages (SUPERUSER_2FA)."""
    return bool(settings.SUPERUSER_2FA and user.is_authenticated and user.is_superuser)


def is_confirmed(user: AbstractUser) -> bool:
    """Whether the user's login session has confirmed a one-time code (django-otp's OTPMiddleware)."""
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


def has_authenticator(user: AbstractUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user: AbstractUser) -> TOTPDevice:
    """The authenticator being enrolled: a new secret, kept (unconfirmed) until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def authenticator_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def authenticator_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (drawn here: no image leaves the server)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def recovery_codes_renew(*, user: AbstractUser) -> list[str]:
    """Replace the user's recovery codes with ten new single-use ones, returned to be shown once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def authenticator_confirm(*, user: AbstractUser, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code it shows; it replaces any earlier one.

    Returns the device and new recovery codes. Raises ValidationError for a wrong or expired code.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR).first()
    if device is None:
        raise ValidationError(_("Start again: the enrolment page shows a new QR code."), code="no_pending_device")
    if not device.verify_token(_digits(token)):
        if not device.verify_is_allowed()[0]:
            raise ValidationError(THROTTLED, code="throttled")
        raise ValidationError(_("This code is not right. Check the time on your phone and try the newest code."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_renew(user=user)
    return device, codes


def second_factor_verify(*, user: AbstractUser, token: str) -> Device:
    """The confirmed device (authenticator, or recovery codes) that accepts `token`; a recovery code is used up.

    Raises ValidationError for a wrong code or while repeated failures slow the device down.
    """
    token = token.strip().replace(" ", "").lower()
    devices = list(devices_for_user(user, confirmed=True, for_verify=True))
    for device in devices:
        candidate = _digits(token) if isinstance(device, TOTPDevice) else token
        if candidate and device.verify_token(candidate):
            return device
    if not any(device.verify_is_allowed()[0] for device in devices):
        raise ValidationError(THROTTLED, code="throttled")
    raise ValidationError(
        _("This code is not right. Use the newest code of your authenticator app, or one of your recovery codes."),
        code="wrong_code",
    )


def _digits(token: str) -> str:
    return "".join(char for char in token if char.isdigit())


def confirm_session(request: HttpRequest, device: Device) -> None:
    """Mark the login session as confirmed by `device` (until logout)."""
    otp_login(request, device)


class SuperuserSecondFactorMiddleware:
    """Sends a superuser who has not confirmed a code this session to the code page (or to enrol).

    Runs after the middleware that sets `request.impersonation`: a superuser's company pages count too.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.gated(request) and not is_confirmed(request.user):
            target = "second-factor-verify" if user_has_device(request.user) else "second-factor-enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def gated(request: HttpRequest) -> bool:
        user = request.user
        if not second_factor_required(user):
            return False
        if request.path.startswith(ACCOUNT_PREFIX):
            return False  # the code page itself, logout, password change
        return request.path.startswith(GATED_PREFIXES) or getattr(request, "impersonation", None) is not None
