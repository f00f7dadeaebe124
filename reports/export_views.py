"""The owner's export of the whole company's data (a tab of the settings pages, served from here).

Both exports are jobs: the page starts one and sends the owner to its page, which shows the progress
and offers the file when it is made; the page lists the owner's recent exports.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.selectors.company_data import company_row_counts
from subscription.jobs.user_jobs import job_start
from subscription.models import Job
from subscription.ui.permissions import require

KINDS = {"workbook": "company_workbook", "bundle": "company_bundle"}


@login_required
@require("settings_view")
def data_export(request: HttpRequest) -> HttpResponse:
    """What the export contains, the two ways to take it, and the owner's recent exports."""
    recent = Job.objects.filter(company=request.tenant, user=request.user, kind__in=KINDS.values())[:10]
    context = {"counts": company_row_counts(), "section": "export", "recent": recent}
    return render(request, "settings/data_export.html", context)


@login_required
@require("settings_view")
@require_POST
def data_export_start(request: HttpRequest) -> HttpResponse:
    """Start an export job (`kind`: workbook or bundle) and go to its page."""
    kind = KINDS.get(request.POST.get("kind", ""))
    if kind is None:
        return HttpResponseBadRequest(_("Unknown kind of export."))
    job = job_start(kind=kind, company=request.tenant, user=request.user)
    return redirect("jobs:job-detail", pk=job.pk)
