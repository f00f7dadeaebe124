"""The owner's export of the whole company's data (a tab of the settings pages, served from here)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reports.selectors.company_data import company_row_counts, company_workbook
from reports.services import patients_export_record
from subscription.ui.exports import workbook_response
from subscription.ui.permissions import require


@login_required
@require("settings_view")
def data_export(request: HttpRequest) -> HttpResponse:
    """What the export contains; the download is a separate link so the page itself stays light."""
    return render(request, "settings/data_export.html", {"counts": company_row_counts(), "section": "export"})


@login_required
@require("settings_view")
def data_export_download(request: HttpRequest) -> HttpResponse:
    """The company's data as one XLSX workbook, a sheet per entity (works while read-only, too)."""
    content = company_workbook()
    patients_export_record(user=request.user)
    filename = f"{request.tenant.slug}-data-{timezone.localdate().isoformat()}.xlsx"
    return workbook_response(filename=filename, content=content)
