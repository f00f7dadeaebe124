"""Select the company of each request, and run the view and its rendering inside it."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation

from subscription import access
from subscription.models import Company
from subscription.tenancy import close_tenant_connections, use_tenant

# Paths that work without a company (and are never blocked because of one).
COMPANY_FREE_PREFIXES = ("/accounts/", "/admin/", "/master-admin/", "/health/", "/i18n/", "/static/", "/reference/")


def activate_user_language(request: HttpRequest) -> None:
    """Speak the user's own language unless they picked one with the switcher (its cookie wins)."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or not request.user.is_authenticated:
        return
    profile = getattr(request.user, "profile", None)
    if profile is not None and profile.language:
        translation.activate(profile.language)
        request.LANGUAGE_CODE = profile.language


class TenantMiddleware:
    """Selects the request's company (access.request_company) and runs the view and its rendering in it.

    Runs after AuthenticationMiddleware and after the middleware that sets `request.impersonation`
    (a superuser's open session inside a company, master_admin.middleware), whose absence means none.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.impersonation = getattr(request, "impersonation", None)
        company, request.tenant_access = access.request_company(request.user, request.impersonation)
        activate_user_language(request)
        request.tenant = company
        request.tenant_read_only = request.tenant_access == access.READ_ONLY

        if not request.path.startswith(COMPANY_FREE_PREFIXES):
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        if company is None:
            try:
                return self.get_response(request)
            finally:
                # Pages without a company (the admin's reference checks) may still open company databases.
                close_tenant_connections()

        try:
            with use_tenant(company):
                response = self.get_response(request)
        except BaseException:
            close_tenant_connections()
            raise
        if response.streaming:
            response.streaming_content = self.stream_in_tenant(company, response.streaming_content)
        else:
            close_tenant_connections()
        return response

    @staticmethod
    def stream_in_tenant(company: Company, content):
        """A streaming body runs after the view returned: re-enter the company for it."""
        with use_tenant(company):
            try:
                yield from content
            finally:
                close_tenant_connections()

    @staticmethod
    def refusal(request: HttpRequest) -> HttpResponse | None:
        """A page instead of the view when the company cannot be used now."""
        user = request.user
        if request.tenant is None:
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.is_superuser:
                if request.path == "/":
                    return redirect("/master-admin/")
                return render(request, "errors/superuser_no_company.html", status=403)
            return render(request, "errors/no_company.html", status=403)
        state = request.tenant_access
        if state in (access.INACTIVE, access.BLOCKED):
            return render(request, f"errors/company_{state}.html", status=403)
        if state == access.ARCHIVED:
            return render(request, "errors/company_archived.html", {"company": request.tenant}, status=403)
        if state in (access.PROVISIONING, access.MAINTENANCE):
            response = render(request, "errors/maintenance.html", {"reason": state}, status=503)
            response["Retry-After"] = "60"
            return response
        if not access.may_write(state, request.method):
            if request.impersonation is not None:
                return render(request, "master_admin/impersonation_read_only.html", status=403)
            return render(request, "errors/read_only.html", status=403)
        return None
