"""The superusers' backup and job pages: a company's backups (back up now, restore), the job runs."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from master_admin import backup_selectors, backup_services
from master_admin.forms import ConfirmCompanyCodeForm
from master_admin.views import PAGE_SIZE, superuser_required
from subscription.models import Company, TenantBackup
from subscription.provisioning import provisioning_error_message

PENDING_KEY = "backup_job_asked:%s"  # in the superuser's session: when a backup job of the company was asked


def _asked_at(request: HttpRequest, company: Company) -> datetime.datetime | None:
    value = request.session.get(PENDING_KEY % company.slug)
    return datetime.datetime.fromisoformat(value) if value else None


def backups_context(request: HttpRequest, company: Company) -> dict:
    """What the company page's backup card shows (it polls itself while a backup job of the company runs)."""
    return {
        "company": company,
        "backups": backup_selectors.company_backups(company)[:20],
        "backups_pending": backup_selectors.backup_jobs_running(company, _asked_at(request, company)),
        "now": timezone.now(),
    }


@require_GET
@superuser_required
def company_backups(request: HttpRequest, slug: str) -> HttpResponse:
    company = get_object_or_404(Company, slug=slug)
    return render(request, "master_admin/_backups_card.html", backups_context(request, company))


@require_POST
@superuser_required
def company_backup(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Back up now": queue the backup; the company page shows it when the worker has made it."""
    company = get_object_or_404(Company, slug=slug)
    try:
        backup_services.backup_request(superuser=request.user, company=company)
    except ValidationError as error:
        messages.error(request, provisioning_error_message(error))
    else:
        request.session[PENDING_KEY % company.slug] = timezone.now().isoformat()
        messages.success(
            request, _("A backup of %(company)s is being made; it appears below when done.") % {"company": company.name}
        )
    return redirect("master_admin:company-detail", slug=company.slug)


@require_http_methods(["GET", "POST"])
@superuser_required
def company_backup_restore(request: HttpRequest, slug: str, backup_id: int) -> HttpResponse:
    """GET: what restoring this backup does, and the company's code to type; POST with it: queue the restore."""
    company = get_object_or_404(Company, slug=slug)
    backup = get_object_or_404(TenantBackup, pk=backup_id, company=company)
    form = ConfirmCompanyCodeForm(request.POST if request.method == "POST" else None, company=company)
    if form.is_bound and form.is_valid():
        try:
            backup_services.restore_request(superuser=request.user, company=company, backup=backup)
        except ValidationError as error:
            messages.error(request, provisioning_error_message(error))
        else:
            request.session[PENDING_KEY % company.slug] = timezone.now().isoformat()
            messages.warning(
                request,
                _(
                    "%(company)s is being restored from the backup of %(when)s; it is read-only until that is done. "
                    "A safety backup of what is there now is taken first."
                )
                % {"company": company.name, "when": timezone.localtime(backup.created_at).strftime("%Y-%m-%d %H:%M")},
            )
        return redirect("master_admin:company-detail", slug=company.slug)
    context = {
        "company": company,
        "backup": backup,
        "form": form,
        "refusal": backup_services.restore_refusal(company, backup),
    }
    return render(request, "master_admin/backup_restore_confirm.html", context)


@require_GET
@superuser_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The periodic jobs (schedule, last run, duration, result) and every run, newest first."""
    failed_only = request.GET.get("failed") == "1"
    page = Paginator(backup_selectors.job_runs(failed_only=failed_only), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"periodic": backup_selectors.periodic_jobs(), "page_obj": page, "failed_only": failed_only}
    return render(request, "master_admin/job_list.html", context)
