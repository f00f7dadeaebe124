"""Select the company of each request, and run the view and its rendering inside it."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation

from subscription.models import Company, UserProfile
from subscription.schema import tenant_migration_key
from subscription.tenancy import close_tenant_connections, use_tenant

# Paths that work without a company (and are never blocked because of one).
COMPANY_FREE_PREFIXES = (
    "/accounts/",
    "/admin/",
    "/master-admin/",
    "/health/",
    "/i18n/",
    "/static/",
    "/reference/",
    "/favicon.ico",
)
IMPERSONATION_SESSION_KEY = "impersonation_id"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def impersonated_company(request: HttpRequest) -> Company | None:
    """The company a superuser is inside, ending the session if it expired."""
    from master_admin.models import ImpersonationSession

    session_id = request.session.get(IMPERSONATION_SESSION_KEY)
    if session_id is None:
        return None
    session = (
        ImpersonationSession.objects.select_related("company__schema_state")
        .filter(pk=session_id, superuser=request.user, ended_at__isnull=True)
        .first()
    )
    if session is not None and not session.is_open:
        session.ended_at = session.expires_at
        session.end_reason = "expired"
        session.save(update_fields=["ended_at", "end_reason"])
        session = None
    if session is None:
        request.session.pop(IMPERSONATION_SESSION_KEY, None)
        return None
    request.impersonation = session
    return session.company


def company_of(request: HttpRequest) -> Company | None:
    user = request.user
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return impersonated_company(request)
    profile = UserProfile.objects.select_related("company__schema_state").filter(user=user).first()
    if profile is None:
        return None
    user.profile = profile  # cached: templates and the role checks read it without another query
    return profile.company


def activate_user_language(request: HttpRequest) -> None:
    """Speak the user's own language unless they picked one with the switcher (its cookie wins)."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or not request.user.is_authenticated:
        return
    profile = getattr(request.user, "profile", None)
    if profile is not None and profile.language:
        translation.activate(profile.language)
        request.LANGUAGE_CODE = profile.language


def company_access(company: Company) -> str:
    """'full', 'read_only', 'blocked', 'inactive', 'archived', 'provisioning' or 'maintenance'."""
    if not company.has_live_database:
        return "archived"
    if not company.is_active or company.lifecycle == Company.Lifecycle.SUSPENDED:
        return "inactive"
    state = getattr(company, "schema_state", None)
    if state is None:
        return "provisioning"
    if state.tenant_migration_key != tenant_migration_key():
        return "maintenance"
    subscription = company.current_subscription()
    if subscription is None:
        return "blocked"
    return subscription.access(timezone.localdate())


def impersonation_access(access: str, read_only: bool) -> str:
    """A superuser inside a company may read it even when its own users are refused
    (deactivated or suspended company, blocked subscription), but never write to it then.
    An archived or deleted company has no database in service: it stays refused."""
    if access in ("inactive", "blocked") or (access == "full" and read_only):
        return "read_only"
    return access


class TenantMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.impersonation = None
        company = company_of(request)
        activate_user_language(request)
        request.tenant = company
        request.tenant_access = company_access(company) if company else None
        if company is not None and request.impersonation is not None:
            request.tenant_access = impersonation_access(request.tenant_access, request.impersonation.read_only)
        request.tenant_read_only = request.tenant_access == "read_only"

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
        access = request.tenant_access
        if access in ("inactive", "blocked"):
            return render(request, f"errors/company_{access}.html", status=403)
        if access == "archived":
            return render(request, "errors/company_archived.html", {"company": request.tenant}, status=403)
        if access in ("provisioning", "maintenance"):
            response = render(request, "errors/maintenance.html", {"reason": access}, status=503)
            response["Retry-After"] = "60"
            return response
        if access == "read_only" and request.method not in SAFE_METHODS:
            if request.impersonation is not None:
                return render(request, "master_admin/impersonation_read_only.html", status=403)
            return render(request, "errors/read_only.html", status=403)
        return None
