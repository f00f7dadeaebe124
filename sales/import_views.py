"""The import of distributors' files: the upload (all rows or none), recent imports, an import's page and its undo."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from regions.forms import az_sorted
from regions.models import City, Region
from sales import import_services
from sales.forms import SaleImportForm
from sales.importing import COLUMN_NAMES, COLUMNS, EXAMPLE_ROW, ImportRejected
from sales.models import ImportBatch, Sale
from subscription.jobs.user_jobs import job_start
from subscription.ui.exports import EXPORT_FORMATS, export_response
from subscription.ui.permissions import require

RECENT_IMPORTS = 20
SHOWN_SALES = 50


def _page(request: HttpRequest, form: SaleImportForm, *, status: int = 200, **context) -> HttpResponse:
    context = {
        "form": form,
        "columns": COLUMNS,
        "max_rows": settings.IMPORT_MAX_ROWS,
        "batches": ImportBatch.objects.prefetch_related("created_by", "undone_by")[:RECENT_IMPORTS],
        "regions": az_sorted(Region.objects.active()),
        "cities": az_sorted(City.objects.active()).select_related("region"),
        **context,
    }
    return render(request, "sales/sale_import.html", context, status=status)


@require("sale_import")
def sale_import(request: HttpRequest) -> HttpResponse:
    """All rows or none: a file with any bad row saves nothing and lists what to fix; a file imported
    before is refused with a link to that import."""
    form = SaleImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _page(request, form)
    if not form.is_valid():
        return _page(request, form, status=400)
    earlier = import_services.earlier_import(form.sha256)
    if earlier is not None:
        return _page(request, form, status=409, duplicate=earlier)
    rows = form.cleaned_data["file"]
    if len(rows) > settings.IMPORT_INLINE_ROWS:
        # A large file is checked and saved by the worker; its page shows how far it is.
        payload = {
            "file_name": form.file_name,
            "sha256": form.sha256,
            "rows": [[row.line, dict(row)] for row in rows],
        }
        job = job_start(kind="sale_import", company=request.tenant, user=request.user, payload=payload)
        return redirect("jobs:job-detail", pk=job.pk)
    try:
        batch = import_services.sale_import(
            rows=form.cleaned_data["file"],
            company=request.tenant,
            created_by=request.user,
            file_name=form.file_name,
            sha256=form.sha256,
        )
    except import_services.DuplicateImport as duplicate:
        return _page(request, form, status=409, duplicate=duplicate.batch)
    except ImportRejected as rejection:
        errors = {"row_errors": rejection.errors, "error_count": rejection.count}
        return _page(request, form, status=400, hidden_errors=rejection.count - len(rejection.errors), **errors)
    except ValidationError as error:
        form.add_error("file", error)
        return _page(request, form, status=400)
    message = ngettext("%(count)d sale is imported.", "%(count)d sales are imported.", batch.rows)
    messages.success(request, message % {"count": batch.rows})
    return redirect(batch)


@require("sale_import")
@require_GET
def sale_import_template(request: HttpRequest) -> HttpResponse:
    """A file with the expected header row and an example row (importing it unchanged is refused)."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        return HttpResponseBadRequest(_("Unknown file format."))
    example = [EXAMPLE_ROW.get(name, "") for name in COLUMN_NAMES]
    return export_response(filename="sales-import-template", columns=COLUMN_NAMES, rows=[example], fmt=fmt)


@require("sale_import")
def import_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.prefetch_related("created_by", "undone_by"), pk=pk)
    sales = Sale.objects.filter(batch=batch).select_related("product").order_by("pk")
    context = {"batch": batch, "sales": sales[:SHOWN_SALES], "sale_count": sales.count()}
    return render(request, "sales/import_batch_detail.html", context)


@require("import_undo")
@require_POST
def import_batch_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        removed = import_services.import_undo(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(batch)
    message = ngettext(
        "Import #%(number)d is undone: %(count)d sale is removed.",
        "Import #%(number)d is undone: %(count)d sales are removed.",
        removed,
    )
    messages.success(request, message % {"number": batch.pk, "count": removed})
    return redirect(batch)
