"""The account pages: the superusers' one-time code (confirm, enrol, new recovery codes).

Login, logout, password change and reset are Django's own views (urls.py gives them this
project's forms and templates).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from subscription.accounts import second_factor
from subscription.accounts.forms import OneTimeCodeForm


def _next(request: HttpRequest) -> str:
    """Where to go after confirming: the page asked for, if it is on this site; else the master admin."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/master-admin/"


def _go(name: str, next_page: str) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'next': next_page})}")


def _superusers_only(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time code (or a recovery code) and confirm the session with it."""
    _superusers_only(request)
    if not user_has_device(request.user):
        return _go("second-factor-enrol", _next(request))
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.second_factor_verify(user=request.user, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error)
        else:
            second_factor.confirm_session(request, device)
            return redirect(_next(request))
    return render(request, "registration/second_factor_verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator: QR code and secret, confirmed by a code; then the recovery codes, once.

    Replacing an authenticator needs a confirmed session, so a stolen password cannot enrol another phone.
    """
    _superusers_only(request)
    if user_has_device(request.user) and not second_factor.is_confirmed(request.user):
        return _go("second-factor-verify", _next(request))
    device = second_factor.pending_authenticator(request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = second_factor.authenticator_confirm(user=request.user, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error)
        else:
            second_factor.confirm_session(request, device)
            context = {"codes": codes, "next": _next(request)}
            return render(request, "registration/second_factor_recovery_codes.html", context)
    context = {
        "form": form,
        "next": _next(request),
        "qr_svg": second_factor.authenticator_qr_svg(device),
        "secret": second_factor.authenticator_secret(device),
    }
    return render(request, "registration/second_factor_enrol.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a confirmed session; shown once."""
    _superusers_only(request)
    if not second_factor.is_confirmed(request.user):
        return _go("second-factor-verify", request.path)
    if request.method == "POST":
        codes = second_factor.recovery_codes_renew(user=request.user)
        return render(
            request, "registration/second_factor_recovery_codes.html", {"codes": codes, "next": _next(request)}
        )
    return render(request, "registration/second_factor_recovery_renew.html", {"next": _next(request)})
