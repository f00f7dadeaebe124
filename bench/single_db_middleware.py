"""Bench-only: the company of a request in the single-database variant (bench/settings_single_db.py).

Sets what the views and templates read (`request.tenant`, the access flags, `user.profile`) from
one query for the user's profile and company, and selects no database: every table is in the
master database. It checks no subscription or schema state, so it is the floor a tenant-routed
request is compared with.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import translation

from subscription.models import UserProfile


class CompanyWithoutRoutingMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.impersonation = None
        company = None
        if request.user.is_authenticated:
            profile = UserProfile.objects.select_related("company").filter(user=request.user).first()
            if profile is not None:
                request.user.profile = profile
                company = profile.company
                if profile.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                    translation.activate(profile.language)
                    request.LANGUAGE_CODE = profile.language
        request.tenant = company
        request.tenant_access = "full" if company is not None else None
        request.tenant_read_only = False
        if company is None and not request.path.startswith(("/accounts/", "/health/", "/static/")):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return HttpResponseForbidden("No company.")
        return self.get_response(request)
