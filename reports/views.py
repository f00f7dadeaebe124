"""The company dashboard, the report pages and saved reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reports import report_jobs, selectors
from reports.forms import (
    CoverageForm,
    DisclosureForm,
    PeriodForm,
    ReportSaveForm,
    TargetsForm,
    TerritoryPeriodForm,
    VisitsPlanForm,
)
from reports.models import Report
from reports.selectors import field as field_reports
from reports.selectors.periods import PRESETS, Period, month_period
from reports.services import report_delete, report_save
from subscription.jobs.user_jobs import job_start
from subscription.replicas import replica_reads
from subscription.ui.exports import EXPORT_FORMATS, export_response
from subscription.ui.permissions import can, is_representative, require


@login_required
@require("dashboard_view")
@replica_reads
def dashboard(request: HttpRequest) -> HttpResponse:
    """This month's visits, coverage, sales and pending approvals; a representative sees their own.

    (Without a company the tenant middleware answers first: superusers go to /master-admin/.)
    """
    own = is_representative(request)
    figures = selectors.dashboard_figures(
        user_id=request.user.pk if own else None,
        with_payments=can(request, "payment_view"),
        with_targets=can(request, "target_view"),
    )
    return render(request, "dashboard.html", {"figures": figures, "own_figures": own})


@dataclass(frozen=True)
class ReportPage:
    form: type
    build: Callable[..., selectors.ReportResult]
    description: Promise
    permission: str = "report_view"


REPORTS: dict[str, ReportPage] = {
    Report.Kind.COVERAGE: ReportPage(
        CoverageForm,
        selectors.coverage_report,
        gettext_lazy("Share of active A, B and C doctors visited in the period, by category and representative."),
    ),
    Report.Kind.VISITS_PER_REP: ReportPage(
        PeriodForm,
        selectors.visits_per_rep_report,
        gettext_lazy("Done visits of each representative, and the average per day."),
    ),
    Report.Kind.VISITS_PLAN: ReportPage(
        VisitsPlanForm,
        selectors.visits_plan_report,
        gettext_lazy("Visits planned and done, by week or by month."),
    ),
    Report.Kind.SALES_MONTH: ReportPage(
        PeriodForm, selectors.sales_by_month_report, gettext_lazy("Sales amount per month."), "sale_view"
    ),
    Report.Kind.SALES_REGION: ReportPage(
        PeriodForm, selectors.sales_by_region_report, gettext_lazy("Sales amount per region."), "sale_view"
    ),
    Report.Kind.SALES_PRODUCT: ReportPage(
        PeriodForm, selectors.sales_by_product_report, gettext_lazy("Sales amount per product."), "sale_view"
    ),
    Report.Kind.SALES_REP: ReportPage(
        PeriodForm,
        selectors.sales_by_rep_report,
        gettext_lazy("Sales amount per credited representative."),
        "sale_view",
    ),
    Report.Kind.PAYMENTS_KIND: ReportPage(
        PeriodForm,
        selectors.payments_by_kind_report,
        gettext_lazy("Payments per type and direction, by status."),
        "payment_view",
    ),
    Report.Kind.TARGETS: ReportPage(
        TargetsForm,
        field_reports.targets_report,
        gettext_lazy("Sales targets per representative or territory and product, or visit targets, against actuals."),
    ),
    Report.Kind.PLAN_DONE: ReportPage(
        TerritoryPeriodForm,
        field_reports.plan_done_report,
        gettext_lazy("Calls in each representative's monthly plan, and how many were done."),
    ),
    Report.Kind.SAMPLES: ReportPage(
        TerritoryPeriodForm,
        field_reports.samples_report,
        gettext_lazy("Samples issued, given at calls and on hand, per representative and product."),
    ),
    Report.Kind.PAYMENTS_DOCTOR: ReportPage(
        DisclosureForm,
        selectors.payments_by_doctor_report,
        gettext_lazy("The yearly disclosure: approved and paid outgoing payments to each doctor."),
        "payment_view",
    ),
}


def _report_page(request: HttpRequest, kind: str) -> ReportPage:
    page = REPORTS.get(kind)
    if page is None:
        raise Http404
    if not can(request, page.permission):
        raise PermissionDenied
    return page


def _period_label(period: Period) -> str:
    if period == month_period(period.start):
        return date_format(period.start, "F Y")
    if (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31):
        if period.start.year == period.end.year:
            return str(period.start.year)
    return f"{date_format(period.start, 'SHORT_DATE_FORMAT')} – {date_format(period.end, 'SHORT_DATE_FORMAT')}"


def _file_name(kind: str, period: Period) -> str:
    return f"{kind}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


@login_required
@require("report_view")
def report_list(request: HttpRequest) -> HttpResponse:
    reports = [
        {"kind": kind, "label": Report.Kind(kind).label, "description": page.description}
        for kind, page in REPORTS.items()
        if can(request, page.permission)
    ]
    recent = list(selectors.saved_report_list()[:5])
    return render(request, "reports/report_list.html", {"reports": reports, "recent": recent})


@login_required
@require("report_view")
@replica_reads
def report_detail(request: HttpRequest, kind: str) -> HttpResponse:
    """A report for the chosen period: chart, table, CSV/XLSX download and the save form."""
    page = _report_page(request, kind)
    form = page.form(request.GET)
    result = None
    if form.is_valid() and request.GET.get("job"):
        result = report_jobs.counted_result(request, kind, request.GET["job"])
    elif form.is_valid() and form.period.days > settings.REPORT_INLINE_DAYS:
        # A long period is counted by the worker; its page links back here with the rows it counted.
        params = {"kind": kind, "query": report_jobs.start_query(request)}
        job = job_start(kind=report_jobs.KIND, company=request.tenant, user=request.user, params=params)
        return redirect("jobs:job-detail", pk=job.pk)
    elif form.is_valid():
        result = page.build(**form.report_arguments())
    export = request.GET.get("export")
    if export and result is not None:
        if export not in EXPORT_FORMATS:
            return HttpResponseBadRequest(_("Unknown export format."))
        return export_response(
            filename=_file_name(kind, form.period), columns=result.columns, rows=result.rows, fmt=export
        )
    return _render_report(request, kind, page, form, result, ReportSaveForm())


def _render_report(
    request: HttpRequest,
    kind: str,
    page: ReportPage,
    form: forms.Form,
    result: selectors.ReportResult | None,
    save_form: ReportSaveForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "kind": kind,
        "label": Report.Kind(kind).label,
        "page": page,
        "form": form,
        "result": result,
        "save_form": save_form,
        "period": form.period if result is not None else None,
        "period_label": _period_label(form.period) if result is not None else "",
        "parameters": form.parameters() if result is not None else {},
        "presets": PRESETS if isinstance(form, PeriodForm) else {},
    }
    return render(request, "reports/report_detail.html", context, status=status)


@login_required
@require("report_save")
@require_POST
def report_save_view(request: HttpRequest, kind: str) -> HttpResponse:
    """Run the report for the posted period and parameters and keep its rows."""
    page = _report_page(request, kind)
    form, save_form = page.form(request.POST), ReportSaveForm(request.POST)
    if not (form.is_valid() and save_form.is_valid()):
        result = page.build(**form.report_arguments()) if form.is_valid() else None
        return _render_report(request, kind, page, form, result, save_form, status=400)
    result = page.build(**form.report_arguments())
    title = save_form.cleaned_data["title"] or f"{Report.Kind(kind).label} · {_period_label(form.period)}"
    try:
        report = report_save(
            kind=kind,
            title=title,
            period_start=form.period.start,
            period_end=form.period.end,
            parameters=form.parameters(),
            columns=result.columns,
            rows=result.rows,
            created_by=request.user,
        )
    except ValidationError as error:
        save_form.add_error(None, error.messages)
        return _render_report(request, kind, page, form, result, save_form, status=400)
    messages.success(request, _("The report “%(title)s” is saved.") % {"title": report.title})
    return redirect("reports:saved-report-detail", pk=report.pk)


@login_required
@require("report_view")
def saved_report_list(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(selectors.saved_report_list(), 25).get_page(request.GET.get("page"))
    names = selectors.user_names(report.created_by_id for report in page_obj)
    for report in page_obj:
        report.author = names[report.created_by_id]
    return render(request, "reports/report_saved_list.html", {"page_obj": page_obj, "reports": page_obj})


@login_required
@require("report_view")
def saved_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved report's stored rows, and their CSV/XLSX download."""
    report = get_object_or_404(Report, pk=pk)
    export = request.GET.get("export")
    if export:
        if export not in EXPORT_FORMATS:
            return HttpResponseBadRequest(_("Unknown export format."))
        return export_response(
            filename=f"report-{report.pk}-{report.kind}", columns=report.columns, rows=report.rows, fmt=export
        )
    author = selectors.user_names([report.created_by_id])[report.created_by_id]
    return render(
        request,
        "reports/report_saved_detail.html",
        {"report": report, "author": author, "kind_label": report.get_kind_display()},
    )


@login_required
@require("report_save")
def saved_report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    if request.method == "POST":
        report_delete(report=report)
        messages.success(request, _("The report “%(title)s” is deleted.") % {"title": report.title})
        return redirect("reports:saved-report-list")
    return render(request, "reports/report_confirm_delete.html", {"report": report})
