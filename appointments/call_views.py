"""Reporting calls: from a visit, from a doctor's or pharmacy's page (a new call), and today's list."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments import call_services
from appointments.call_forms import NewCallForm, default_call_time, report_forms
from appointments.models import Appointment
from appointments.selectors import appointment_list, day_start
from doctors.visibility import doctor_choices
from subscription.ui.permissions import is_representative, require

Status = Appointment.Status
OVERDUE_DAYS = 7


def _visible(request: HttpRequest):
    return appointment_list(staff=request.user if is_representative(request) else None)


def _report_arguments(form, product_rows, sample_rows) -> dict:
    data = form.cleaned_data
    return {
        "outcome": data["outcome"],
        "next_step": data["next_step"],
        "next_step_date": data["next_step_date"],
        "follow_up": data["follow_up"],
        "details": [row.discussed() for row in product_rows if row.discussed() is not None],
        "samples": [row.given() for row in sample_rows if row.given() is not None],
    }


def _valid(*forms) -> bool:
    return all([form.is_valid() for form in forms])  # every form validated, so every error shows


def _saved(request: HttpRequest, visit: Appointment, *, first: bool) -> HttpResponse:
    if first:
        messages.success(request, _("The call is reported. You can correct it for 24 hours."))
    else:
        messages.success(request, _("The call report is corrected."))
    if visit.follow_up_id:
        messages.info(request, _("A follow-up visit is planned."))
    return redirect("appointments:appointment-detail", pk=visit.pk)


@require("call_report")
def call_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report (or, within its window, correct) the call of a visit that has begun."""
    visit = get_object_or_404(_visible(request), pk=pk)
    try:
        call_services.ensure_reportable(visit, by=request.user, now=timezone.now())
    except ValidationError as refusal:
        status = 403 if refusal.code == "locked" else 409
        return render(
            request, "appointments/call_refused.html", {"visit": visit, "reason": refusal.messages[0]}, status=status
        )
    day = timezone.localdate(visit.planned_start)
    form, product_rows, sample_rows = report_forms(request, visit=visit, staff_id=visit.staff_id, day=day)
    if request.method == "POST" and _valid(form, product_rows, sample_rows):
        first = visit.status != Status.DONE
        try:
            visit = call_services.call_report_submit(
                appointment=visit, by=request.user, **_report_arguments(form, product_rows, sample_rows)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, visit, first=first)
    context = {"visit": visit, "form": form, "product_rows": product_rows, "sample_rows": sample_rows}
    return render(request, "appointments/call_report.html", context, status=400 if request.method == "POST" else 200)


def _started_visit_today(request: HttpRequest) -> Appointment | None:
    """The user's planned visit to the doctor (or pharmacy) asked for that began today, if any."""
    target = {name: request.GET[name] for name in ("doctor", "pharmacy") if request.GET.get(name, "").isdigit()}
    if request.method != "GET" or len(target) != 1:
        return None
    now = timezone.now()
    return (
        appointment_list(staff=request.user)
        .filter(status=Status.PLANNED, planned_start__gte=day_start(timezone.localdate(now)), planned_start__lte=now)
        .filter(**{f"{name}_id": int(value) for name, value in target.items() if int(value) < 2**63})
        .order_by("planned_start")
        .first()
    )


@require("call_report")
def call_report_new(request: HttpRequest) -> HttpResponse:
    """Report a call that was not planned (opened from a doctor's or a pharmacy's page, or today's list)."""
    started = _started_visit_today(request)
    if started is not None:
        return redirect("appointments:call-report", pk=started.pk)
    kind = (
        Appointment.Kind.PHARMACY if request.GET.get("pharmacy") or request.POST.get("kind") == "pharmacy" else "doctor"
    )
    initial = {"kind": kind, "planned_start": default_call_time(), "channel": Appointment.Channel.IN_PERSON}
    for name in ("doctor", "pharmacy"):
        if request.GET.get(name, "").isdigit():
            initial[name] = int(request.GET[name])
    doctors = doctor_choices(request, include=[request.POST.get("doctor"), initial.get("doctor")])
    who = NewCallForm(request.POST or None, initial=initial, doctors=doctors)
    form, product_rows, sample_rows = report_forms(
        request, visit=None, staff_id=request.user.pk, day=timezone.localdate()
    )
    if request.method == "POST" and _valid(who, form, product_rows, sample_rows):
        try:
            visit = call_services.call_report_new(
                by=request.user,
                staff=request.user,
                **who.cleaned_data,
                **_report_arguments(form, product_rows, sample_rows),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, visit, first=True)
    context = {"who": who, "form": form, "product_rows": product_rows, "sample_rows": sample_rows, "kind": kind}
    return render(request, "appointments/call_report.html", context, status=400 if request.method == "POST" else 200)


@require("appointment_view")
def today(request: HttpRequest) -> HttpResponse:
    """The user's visits of today, and the past week's still unreported, each one tap from its report."""
    now = timezone.now()
    date = timezone.localdate(now)
    own = appointment_list(staff=request.user)
    visits = list(
        own.filter(planned_start__gte=day_start(date), planned_start__lt=day_start(date + datetime.timedelta(days=1)))
        .exclude(status=Status.CANCELLED)
        .order_by("planned_start", "pk")
    )
    overdue = list(
        own.filter(
            status=Status.PLANNED,
            planned_start__gte=day_start(date - datetime.timedelta(days=OVERDUE_DAYS)),
            planned_start__lt=day_start(date),
        ).order_by("planned_start", "pk")
    )
    context = {"visits": visits, "overdue": overdue, "now": now, "today": date}
    return render(request, "appointments/today.html", context)
