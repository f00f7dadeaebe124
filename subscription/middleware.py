"""Select the company of each request, and run the view and its rendering inside it."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import translation

from subscription import access, faults, replicas, storage
from subscription.models import Company
from subscription.tenancy import close_tenant_connections, tenant_alias, use_tenant

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

        company_page = not request.path.startswith(COMPANY_FREE_PREFIXES)
        if company_page:
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        if company is None:
            try:
                return self.get_response(request)
            finally:
                # Pages without a company (the admin's reference checks) may still open company databases.
                close_tenant_connections()
        if not company_page:
            # /master-admin/, /accounts/... while inside a company: its database is not needed, nor guarded.
            with use_tenant(company):
                try:
                    return self.get_response(request)
                finally:
                    close_tenant_connections()
        return self.in_company(request, company)

    def in_company(self, request: HttpRequest, company: Company) -> HttpResponse:
        """Run the view in the company's database, within the guards of subscription.faults."""
        fault = faults.current_fault(company)
        if fault is not None:
            return unavailable(request, fault.reason)
        gate = faults.gate_for(company.slug)
        if not gate.enter(settings.TENANT_REQUEST_WAIT_S):
            return unavailable(request, "busy")
        token = faults.lock_wait.set(settings.TENANT_LOCK_TIMEOUT_S)
        wrote = replicas.request_started(request)
        try:
            with use_tenant(company):
                response = self.probe(request, company) or self.get_response(request)
            replicas.remember_write(request, response)
            if response.streaming:
                # The body runs after this returns, outside the gate: a client that never reads it
                # must not keep a place. It waits briefly for locks all the same.
                response.streaming_content = self.stream_in_tenant(
                    company, response.streaming_content, wrote_recently=replicas.wrote_recently.get()
                )
            return response
        finally:
            replicas.wrote_recently.reset(wrote)
            faults.lock_wait.reset(token)
            close_tenant_connections()
            gate.leave()

    @staticmethod
    def probe(request: HttpRequest, company: Company) -> HttpResponse | None:
        """The unavailable page at once if the company's database cannot be opened and read."""
        connection = connections[tenant_alias(company.slug)]
        try:
            storage.probe(connection)
        except DatabaseError as error:
            reason = storage.unavailable_reason(connection, error)
            if reason is None:
                raise
            if reason not in faults.TRANSIENT:
                faults.report_fault(company, reason, error)
            return unavailable(request, reason)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view stopped by the company's database (a lock held too long, say) answers 503, not 500."""
        company = getattr(request, "tenant", None)
        if company is None or not isinstance(exception, DatabaseError):
            return None
        connection = getattr(connections._connections, tenant_alias(company.slug), None)
        if connection is None:
            return None
        reason = storage.unavailable_reason(connection, exception)
        if reason in faults.TRANSIENT:
            # The company's database is being moved: its session was ended by the fence, or it refused the
            # write. (The atomic block that failed may have closed the connection, clearing errors_occurred.)
            return unavailable(request, reason)
        if reason is None or not connection.errors_occurred:
            if self.moved_meanwhile(company):
                return unavailable(request, "moving")  # its session ended by the move's fence, in whatever form
            return None  # the error came from elsewhere (the master database, say)
        faults.report_fault(company, reason, exception)
        return unavailable(request, reason)

    @staticmethod
    def moved_meanwhile(company: Company) -> bool:
        """Whether the company is being moved, or was moved since this request read it (on errors only)."""
        current = Company.objects.filter(pk=company.pk).values_list("lifecycle_pending", "server").first()
        return current is not None and (current[0] == access.MOVING or current[1] != company.server)

    @staticmethod
    def stream_in_tenant(company: Company, content, *, wrote_recently: bool = False):
        """A streaming body runs after the view returned: re-enter the company (and the reader's state) for it."""
        token = faults.lock_wait.set(settings.TENANT_LOCK_TIMEOUT_S)
        wrote = replicas.wrote_recently.set(wrote_recently)
        try:
            with use_tenant(company):
                yield from content
        finally:
            replicas.wrote_recently.reset(wrote)
            faults.lock_wait.reset(token)
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
        if not access.may_write(state, request.method, view_name(request)):
            if request.impersonation is not None:
                return render(request, "master_admin/impersonation_read_only.html", status=403)
            if request.tenant.lifecycle_pending in (access.MOVING, access.RECOVERING):
                # The platform's own work (a move, a restore): a pause, not a refusal.
                response = render(request, "errors/read_only.html", status=503)
                response["Retry-After"] = "30"
                return response
            return render(request, "errors/read_only.html", status=403)
        return None


def view_name(request: HttpRequest) -> str:
    """The URL name of the request's view ('' if none), for the few POSTs that only read."""
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


def unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    """503: the company's data cannot be reached right now; try again shortly."""
    response = render(request, "errors/company_unavailable.html", {"reason": reason}, status=503)
    response["Retry-After"] = str(max(1, round(settings.TENANT_FAULT_COOLDOWN_S)))
    return response
