"""Login throttling with django-axes: the client's address, the backend and the lockout page.

After LOGIN_FAILURE_LIMIT failed logins, a username (whatever the address) and an address (whatever
the username) are refused for LOGIN_LOCKOUT_MINUTES after their last failure, even with the right
password. Superusers unlock them in /admin/ (Axes › Access attempts: delete the rows). Every
failed login is logged by django-axes (logger "axes") with its username and address.
"""

from __future__ import annotations

import datetime
import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind the proxy (BEHIND_PROXY) the address it added.

    A proxy appends the address it saw to X-Forwarded-For, so only the last entry is the proxy's
    word; the entries before it come from the client and could be anything.
    """
    remote = request.META.get("REMOTE_ADDR")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = _valid_ip(forwarded.split(",")[-1]) if forwarded.strip() else None
        if last is not None:
            return last
    return remote


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or address before the password is checked.

    Only web logins are throttled: an authentication without a request (a shell, a test client's
    login()) has no address to count, and is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def retry_at(request: HttpRequest) -> datetime.datetime:
    """When a locked-out client may try again: a failure during the lockout starts the cool-off again."""
    attempted = getattr(request, "axes_attempt_time", None) or timezone.now()
    return attempted + (get_cool_off(request) or datetime.timedelta(0))


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The page a locked-out login gets (429): what happened and when to try again."""
    until = retry_at(request)
    context = {
        "retry_at": timezone.localtime(until),
        "minutes": max(1, round((until - timezone.now()).total_seconds() / 60)),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response
