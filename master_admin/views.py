"""The superusers' pages: companies, analytics, monitoring and audited impersonation."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from master_admin import selectors, services
from master_admin.forms import CompanyFilterForm, ConfirmCompanyCodeForm, EnterCompanyForm, ImpersonationFilterForm
from master_admin.services import IMPERSONATION_SESSION_KEY
from subscription import lifecycle
from subscription.access import impersonation_is_read_only
from subscription.accounts.throttling import client_ip
from subscription.models import Company
from subscription.provisioning import ProvisioningError, provisioning_error_message

PAGE_SIZE = 50
LIFECYCLE_DONE = {
    "suspend": gettext_lazy(
        "%(company)s is suspended: its users are refused until you resume it. You can still enter it read-only."
    ),
    "resume": gettext_lazy("%(company)s is active again: its users can work."),
    "archive": gettext_lazy("%(company)s is archived: its database is out of service, at %(location)s."),
    "restore": gettext_lazy("%(company)s is restored, and suspended: resume it to let its users in."),
    "delete": gettext_lazy("The database of %(company)s was deleted; the final backup is %(path)s."),
}


def superuser_required(view):
    """Anonymous users log in first; anyone but a superuser gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _report_failures(request: HttpRequest, probes) -> None:
    for probe in probes:
        if not probe.ok:
            messages.error(request, f"{probe.company.slug}: {probe.error}")


# --- Companies ---------------------------------------------------------------------------------------------
@require_GET
@superuser_required
def company_list(request: HttpRequest) -> HttpResponse:
    form = CompanyFilterForm(request.GET or None)
    filters = form.filters()
    rows = selectors.company_rows(**filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "master_admin/company_list.html",
        {"form": form, "page_obj": page, "rows": page.object_list, "sort": filters.get("sort", "name")},
    )


@require_GET
@superuser_required
def company_detail(request: HttpRequest, slug: str) -> HttpResponse:
    company = get_object_or_404(Company, slug=slug)
    row = selectors.company_row(company)
    months = selectors.last_months(timezone.localdate())
    context = {
        "row": row,
        "company": row.company,
        "lifecycle_actions": lifecycle.allowed_actions(row.company),
        "database_location": lifecycle.database_location(row.company),
        "subscriptions": company.subscriptions.select_related("plan"),
        "profiles": company.profiles.select_related("user").order_by("role", "user__username"),
        "sessions": selectors.impersonation_sessions(company=company)[:10],
        "check": getattr(company, "integrity_check", None),
        "pending": selectors.pending_migrations(row.company),
        "months": months,
        "visits_by_month": row.by_month("visits", months),
        "sales_by_month": row.by_month("sales_amount", months),
        "read_only_if_entered": impersonation_is_read_only(row.company),
    }
    from master_admin.backup_views import backups_context
    from master_admin.server_views import server_context

    # The cards show the annotated company (plan name, subscription end), not the plain one.
    context.update(backups_context(request, row.company))
    context.update(server_context(request, row.company))
    return render(request, "master_admin/company_detail.html", context)


@require_http_methods(["GET", "POST"])
@superuser_required
def company_enter(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form asking why; POST: open an audited session inside the company and go to its pages."""
    company = get_object_or_404(Company, slug=slug)
    form = EnterCompanyForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            session = services.impersonation_start(
                superuser=request.user,
                company=company,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[IMPERSONATION_SESSION_KEY] = session.pk
            # Pages still open for the previous company must not post into this one: a new
            # CSRF token makes their forms fail instead of writing into the wrong company.
            rotate_token(request)
            if session.read_only:
                messages.warning(request, _("You are inside %(company)s read-only.") % {"company": company.name})
            return redirect("/")
    context = {
        "company": company,
        "form": form,
        "read_only": impersonation_is_read_only(company),
        "refusal": services.impersonation_refusal(company),
        "minutes": settings.IMPERSONATION_MINUTES,
    }
    return render(request, "master_admin/company_enter.html", context)


@require_POST
@superuser_required
def impersonation_exit(request: HttpRequest) -> HttpResponse:
    ended = services.impersonation_end(superuser=request.user)
    request.session.pop(IMPERSONATION_SESSION_KEY, None)
    rotate_token(request)  # forms of the company's pages left open in other tabs stop working
    if ended:
        messages.success(request, _("You have left the company's system."))
    return redirect("master_admin:company-list")


@require_POST
@superuser_required
def company_refresh(request: HttpRequest, slug: str) -> HttpResponse:
    company = get_object_or_404(Company, slug=slug)
    probes = services.platform_stats_refresh(companies=[company], jobs=1)
    _report_failures(request, probes)
    if all(probe.ok for probe in probes):
        messages.success(request, _("The figures of %(company)s were recounted.") % {"company": company.name})
    return redirect("master_admin:company-detail", slug=company.slug)


@require_POST
@superuser_required
def company_check(request: HttpRequest, slug: str) -> HttpResponse:
    company = get_object_or_404(Company, slug=slug)
    (check,) = services.database_check(companies=[company], jobs=1)
    if check.ok:
        messages.success(request, _("The database of %(company)s passed the check.") % {"company": company.name})
    else:
        messages.error(
            request,
            _("The database of %(company)s failed the check: %(result)s")
            % {"company": company.name, "result": check.result},
        )
    return _back(request, reverse("master_admin:company-detail", args=[company.slug]))


# --- Lifecycle ---------------------------------------------------------------------------------------------
def _lifecycle_step(request: HttpRequest, company: Company, action: str) -> HttpResponse:
    try:
        company = services.company_lifecycle_change(superuser=request.user, company=company, action=action)
    except (ValidationError, ProvisioningError) as error:
        messages.error(request, provisioning_error_message(error))
    else:
        details = {
            "company": company.name,
            "location": lifecycle.database_location(company),
            "path": company.final_backup,
        }
        messages.success(request, LIFECYCLE_DONE[action] % details)
    return redirect("master_admin:company-detail", slug=company.slug)


@require_POST
@superuser_required
def company_lifecycle(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Suspend, resume or restore a company: one POST, undone by the opposite button."""
    company = get_object_or_404(Company, slug=slug)
    return _lifecycle_step(request, company, action)


@require_http_methods(["GET", "POST"])
@superuser_required
def company_lifecycle_confirm(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Archive or delete a company: GET asks for the company's code, POST with it takes the step."""
    company = get_object_or_404(Company, slug=slug)
    form = ConfirmCompanyCodeForm(request.POST if request.method == "POST" else None, company=company)
    if form.is_bound and form.is_valid():
        return _lifecycle_step(request, company, action)
    context = {
        "company": company,
        "form": form,
        "action": action,
        "refusal": lifecycle.lifecycle_refusal(company, action),
        "location": lifecycle.database_location(company),
        "backups": lifecycle.tenant_backup_dir(),
    }
    return render(request, "master_admin/company_lifecycle_confirm.html", context)


# --- Analytics ---------------------------------------------------------------------------------------------
@require_GET
@superuser_required
def analytics(request: HttpRequest) -> HttpResponse:
    figures = selectors.platform_analytics()
    plans = sorted(figures.by_plan)
    statuses = sorted(figures.by_status)
    context = {
        "figures": figures,
        "plans": plans,
        "plan_status_series": [
            (status, [figures.by_plan_and_status[(plan, status)] for plan in plans]) for status in statuses
        ],
        "status_rows": sorted(figures.by_status.items()),
        "plan_rows": [(plan, figures.by_plan[plan], figures.mrr_by_plan.get(plan, 0)) for plan in plans],
        "activity_series": [(_("Visits"), figures.visits_by_month), (_("New doctors"), figures.new_doctors)],
        "companies_series": [(_("All companies"), figures.total_companies), (_("New"), figures.new_companies)],
    }
    return render(request, "master_admin/analytics_dashboard.html", context)


@require_POST
@superuser_required
def analytics_refresh(request: HttpRequest) -> HttpResponse:
    """Queue the recount of every company's figures (a job: hundreds of companies take a while)."""
    from master_admin.tasks import recount_now

    recount_now(by=request.user.get_username())
    messages.success(
        request, _("The figures of every company are being recounted; the Jobs page shows when that is done.")
    )
    return redirect("master_admin:analytics-dashboard")


# --- Impersonation log -------------------------------------------------------------------------------------
@require_GET
@superuser_required
def impersonation_list(request: HttpRequest) -> HttpResponse:
    form = ImpersonationFilterForm(request.GET or None)
    sessions = selectors.impersonation_sessions(**form.filters())
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "master_admin/impersonation_list.html", {"form": form, "page_obj": page})


# --- Monitoring --------------------------------------------------------------------------------------------
@require_GET
@superuser_required
def monitoring(request: HttpRequest) -> HttpResponse:
    from master_admin import backup_selectors

    overview = selectors.monitoring_overview()
    page = Paginator(overview.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "overview": overview,
        "page_obj": page,
        "backup_problems": backup_selectors.backup_problems(),
        "max_age_hours": settings.BACKUP_MAX_AGE_HOURS,
        "failed_jobs": backup_selectors.failed_jobs_since(24),
        "last_check": backup_selectors.job_runs().filter(name="check_all_databases").first(),
    }
    return render(request, "master_admin/monitoring_dashboard.html", context)


@require_POST
@superuser_required
def monitoring_check(request: HttpRequest) -> HttpResponse:
    """Queue the integrity check of every company database; the page shows the last one's outcome."""
    from master_admin.tasks import check_all_databases

    check_all_databases(by=request.user.get_username())
    messages.info(request, _("Every company database is being checked; the results appear below as they come."))
    return redirect("master_admin:monitoring-dashboard")
