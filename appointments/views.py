"""Visits: list, detail, add, edit, cancel or delete, reopen, and the upcoming days or week."""

from __future__ import annotations

import datetime
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from appointments import services
from appointments.exports import VISITS
from appointments.forms import AppointmentFilterForm, AppointmentForm, UpcomingForm
from appointments.models import Appointment
from appointments.plan_selectors import month_grid, plan_progress
from appointments.selectors import (
    appointment_filter,
    appointment_list,
    appointment_status_totals,
    appointments_between,
)
from doctors.visibility import visible_doctors
from subscription.selectors import user_label
from subscription.ui.cards import card_sections
from subscription.ui.listing import CompanyListView
from subscription.ui.permissions import MANAGERS, can, company_role, is_representative, require


def visible_appointments(request: HttpRequest) -> QuerySet[Appointment]:
    """The visits this user may see: a representative only their own."""
    return appointment_list(staff=request.user if is_representative(request) else None)


def may_delete_for_good(request: HttpRequest) -> bool:
    """Only managers delete visits for good; everyone else cancels them."""
    return can(request, "appointment_edit") and company_role(request) in MANAGERS


def locked_response(request: HttpRequest, visit: Appointment) -> HttpResponse:
    return render(request, "appointments/appointment_locked.html", {"visit": visit}, status=403)


class AppointmentListView(CompanyListView):
    permission = "appointment_view"
    template_name = "appointments/appointment_list.html"
    context_object_name = "visits"
    # The doctor's forgiving search column (names typed on a Latin keyboard, phones), or the notes.
    search_column = "doctor__search_text"
    search_fields = ("outcome", "next_step")
    sort_options = {
        "date": ("planned_start",),
        "doctor": ("doctor__last_name", "doctor__first_name"),
        "status": ("status",),
        "channel": ("channel",),
    }
    text_sort_fields = {"doctor__last_name", "doctor__first_name"}
    default_sort = "-date"
    export_spec = VISITS

    @property
    def filter_form_class(self):
        return partial(AppointmentFilterForm, company=self.request.tenant, own_only=is_representative(self.request))

    def base_queryset(self) -> QuerySet[Appointment]:
        return visible_appointments(self.request)

    def apply_filters(self, queryset: QuerySet[Appointment], data: dict) -> QuerySet[Appointment]:
        return appointment_filter(queryset, **data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status_totals"] = appointment_status_totals(self.object_list)
        return context


def _detail(request: HttpRequest, visit: Appointment, *, error: str = "", status: int = 200) -> HttpResponse:
    now = timezone.now()
    context = {
        "visit": visit,
        "may_delete": may_delete_for_good(request) and not visit.is_locked,
        "error": error,
        "now": now,
        "report_editable": visit.report_editable_by(request.user, now=now),
        "details": list(visit.details.select_related("product")),
        "samples": list(visit.samples.select_related("stock__product")),
        "reporter": user_label(visit.reported_by) if visit.reported_by_id else "",
        "sections": card_sections(request, visit),
    }
    return render(request, "appointments/appointment_detail.html", context, status=status)


@require("appointment_view")
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(visible_appointments(request), pk=pk))


def _form(request: HttpRequest, **kwargs) -> AppointmentForm:
    chosen = [request.POST.get("doctor"), kwargs.get("initial", {}).get("doctor")]
    if kwargs.get("instance") is not None:
        chosen.append(kwargs["instance"].doctor_id)
    return AppointmentForm(
        request.POST or None,
        company=request.tenant,
        user=request.user,
        own_only=is_representative(request),
        doctors=visible_doctors(request, include=chosen),
        **kwargs,
    )


def _initial_from_query(request: HttpRequest) -> dict:
    """Links such as ?doctor=12&date=2025-05-06 start the form with that doctor and day."""
    initial = {}
    if request.GET.get("doctor", "").isdigit():
        initial["doctor"] = int(request.GET["doctor"])
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = None
    if day is not None:
        initial["planned_start"] = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    return initial


@require("appointment_edit")
def appointment_create(request: HttpRequest) -> HttpResponse:
    form = _form(request, initial=_initial_from_query(request))
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.appointment_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The visit is saved."))
            return redirect("appointments:appointment-detail", pk=visit.pk)
    return render(request, "appointments/appointment_form.html", {"form": form})


@require("appointment_edit")
def appointment_update(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(visible_appointments(request), pk=pk)
    if visit.is_locked:
        return locked_response(request, visit)
    form = _form(request, instance=visit)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_update(appointment=visit, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The visit is saved."))
            return redirect("appointments:appointment-detail", pk=visit.pk)
    return render(request, "appointments/appointment_form.html", {"form": form, "visit": visit})


@require("appointment_edit")
def appointment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A planned visit is cancelled; a manager may also delete a visit that is not done."""
    visit = get_object_or_404(visible_appointments(request), pk=pk)
    if visit.is_locked:
        return locked_response(request, visit)
    may_delete = may_delete_for_good(request)
    error = None
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            if not may_delete:
                raise PermissionDenied
            try:
                services.appointment_delete(appointment=visit, by=request.user)
            except ValidationError as refusal:
                error = refusal.messages[0]
            else:
                messages.success(request, _("The visit is deleted."))
                return redirect("appointments:appointment-list")
        else:
            try:
                services.appointment_cancel(appointment=visit, by=request.user)
            except ValidationError as refusal:
                error = refusal.messages[0]
            else:
                messages.success(request, _("The visit is cancelled."))
                return redirect("appointments:appointment-detail", pk=visit.pk)
    context = {
        "visit": visit,
        "may_delete": may_delete,
        "may_cancel": visit.status == Appointment.Status.PLANNED,
        "error": error,
    }
    return render(request, "appointments/appointment_delete.html", context, status=400 if error else 200)


@require("appointment_reopen")
@require_POST
def appointment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(visible_appointments(request), pk=pk)
    try:
        services.appointment_reopen(appointment=visit, by=request.user)
    except ValidationError as refusal:
        return _detail(request, visit, error=refusal.messages[0], status=409)
    messages.success(request, _("The visit is reopened: it is planned again and can be edited."))
    return redirect("appointments:appointment-detail", pk=visit.pk)


UPCOMING_VIEWS = {
    "day": (1, gettext_lazy("Day")),
    "week": (7, gettext_lazy("Week")),
    "month": (0, gettext_lazy("Month")),
}


@require("appointment_view")
def appointment_upcoming(request: HttpRequest) -> HttpResponse:
    """The calendar: visits of one day or one week (Monday to Sunday), or a month of planned and done calls."""
    own_only = is_representative(request)
    form = UpcomingForm(request.GET or None, company=request.tenant, own_only=own_only)
    data = {}
    if form.is_bound:
        form.is_valid()  # a wrong date shows its error; the fields that are right still apply
        data = form.cleaned_data
    mode = data.get("view") or "week"
    day = data.get("date") or timezone.localdate()
    staff = request.user if own_only else data.get("staff")
    if mode == "month":
        return _month(request, form, day, staff)
    length = UPCOMING_VIEWS[mode][0]
    start = day - datetime.timedelta(days=day.weekday()) if mode == "week" else day
    end = start + datetime.timedelta(days=length)
    visits = list(appointments_between(start, end, staff=staff))
    by_day: dict[datetime.date, list[Appointment]] = {start + datetime.timedelta(days=n): [] for n in range(length)}
    for visit in visits:
        by_day[timezone.localdate(visit.planned_start)].append(visit)
    context = {
        **_calendar_context(form, mode),
        "start": start,
        "end": end - datetime.timedelta(days=1),
        "days": list(by_day.items()),
        "visit_count": len(visits),
        "previous_date": (start - datetime.timedelta(days=length)).isoformat(),
        "next_date": end.isoformat(),
    }
    return render(request, "appointments/appointment_upcoming.html", context)


def _calendar_context(form: UpcomingForm, mode: str) -> dict:
    return {
        "form": form,
        "mode": mode,
        "now": timezone.now(),
        "today": timezone.localdate(),
        "views": [(key, label) for key, (_length, label) in UPCOMING_VIEWS.items()],
    }


def _month(request: HttpRequest, form: UpcomingForm, day: datetime.date, staff) -> HttpResponse:
    """A month grid (Monday first) with each day's planned and done calls, and the month's plan."""
    first = day.replace(day=1)
    month = month_grid(first, staff=staff)
    context = {
        **_calendar_context(form, "month"),
        "start": first,
        "weeks": month["weeks"],
        "totals": month["totals"],
        "plan": plan_progress(first, staff) if staff is not None else None,
        "previous_date": (first - datetime.timedelta(days=1)).replace(day=1).isoformat(),
        "next_date": (first + datetime.timedelta(days=32)).replace(day=1).isoformat(),
    }
    return render(request, "appointments/appointment_month.html", context)
