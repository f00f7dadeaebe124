"""Writes of monthly plans: a representative drafts and submits, a manager approves or returns."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appointments.models import Appointment, MonthlyPlan, PlanItem
from appointments.plan_selectors import month_end
from appointments.selectors import day_start
from appointments.services import appointment_create
from doctors.models import Doctor
from subscription.tenancy import tenant_atomic

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Status = MonthlyPlan.Status
FIRST_CALL = datetime.time(9)
MAX_CALLS_A_DAY = 8


def plan_create(*, representative: AbstractUser, month: datetime.date, by: AbstractUser) -> MonthlyPlan:
    """Start a representative's plan for a month (this one or a later one).

    Raises ValidationError if the month has passed or a plan for it exists.
    """
    month = month.replace(day=1)
    if month < timezone.localdate().replace(day=1):
        raise ValidationError(_("That month has passed; plan this month or a later one."), code="past")
    plan = MonthlyPlan(representative=representative, month=month, created_by=by, updated_by=by)
    plan.full_clean(validate_constraints=False)
    try:
        with tenant_atomic():
            plan.save()
    except IntegrityError as error:
        raise ValidationError(
            _("There is already a plan for %(month)s.") % {"month": date_format(month, "F Y")}, code="exists"
        ) from error
    return plan


def _ensure_editable(plan: MonthlyPlan) -> None:
    stored = MonthlyPlan.objects.filter(pk=plan.pk).values_list("status", flat=True).first()
    if stored not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError(
            _("This plan is “%(status)s”, so it cannot be changed.") % {"status": Status(stored).label},
            code="not_editable",
        )


def plan_set_items(*, plan: MonthlyPlan, calls: Mapping[Doctor, int], by: AbstractUser) -> MonthlyPlan:
    """Make the plan exactly these doctors with these numbers of calls (0 leaves a doctor out).

    Raises ValidationError if the plan is waiting for approval or approved, or a number is out of 1–31.
    """
    _ensure_editable(plan)
    chosen = {doctor: number for doctor, number in calls.items() if number}
    if any(not 1 <= number <= 31 for number in chosen.values()):
        raise ValidationError(_("Plan between 1 and 31 calls a month per doctor."), code="calls")
    with tenant_atomic():
        PlanItem.objects.filter(plan=plan).delete()
        PlanItem.objects.bulk_create(
            PlanItem(plan=plan, doctor=doctor, calls=number) for doctor, number in chosen.items()
        )
        plan.updated_by = by
        plan.save(update_fields=["updated_by", "updated_at"])
    return plan


def plan_submit(*, plan: MonthlyPlan, by: AbstractUser) -> MonthlyPlan:
    """Send the plan to a manager. Raises ValidationError if it is not a draft (or returned) or has no doctor."""
    _ensure_editable(plan)
    if not plan.items.exists():
        raise ValidationError(_("Add at least one doctor to the plan before sending it."), code="empty")
    plan.status, plan.submitted_at, plan.updated_by = Status.SUBMITTED, timezone.now(), by
    plan.save(update_fields=["status", "submitted_at", "updated_by", "updated_at"])
    return plan


def _decide(plan: MonthlyPlan, *, by: AbstractUser, status: str, comment: str) -> MonthlyPlan:
    with tenant_atomic():
        stored = MonthlyPlan.objects.select_for_update().get(pk=plan.pk)
        if stored.status != Status.SUBMITTED:
            raise ValidationError(
                _("Only a plan waiting for approval can be approved or returned."), code="not_submitted"
            )
        if stored.representative_id == by.pk:
            raise ValidationError(_("A plan is approved by someone else than its author."), code="own_plan")
        plan.status, plan.comment, plan.decided_at, plan.decided_by = status, comment, timezone.now(), by
        plan.updated_by = by
        plan.save(update_fields=["status", "comment", "decided_at", "decided_by", "updated_by", "updated_at"])
    return plan


def plan_approve(*, plan: MonthlyPlan, by: AbstractUser, comment: str = "") -> MonthlyPlan:
    """Approve a submitted plan. Raises ValidationError if it is not waiting, or is the approver's own."""
    return _decide(plan, by=by, status=Status.APPROVED, comment=comment.strip())


def plan_return(*, plan: MonthlyPlan, by: AbstractUser, comment: str) -> MonthlyPlan:
    """Send a submitted plan back for changes. Raises ValidationError without a comment saying what to change."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what to change, so the representative knows.")})
    return _decide(plan, by=by, status=Status.RETURNED, comment=comment.strip())


def working_days(first: datetime.date, *, after: datetime.date) -> list[datetime.date]:
    """Monday-to-Friday days of the month that are later than `after`."""
    day, days, end = first, [], month_end(first)
    while day < end:
        if day.weekday() < 5 and day > after:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def plan_schedule(*, plan: MonthlyPlan, by: AbstractUser, staff: AbstractUser) -> int:
    """Put an approved plan's calls into the calendar as planned visits, spread over the working days left.

    Calls already scheduled for a doctor that month count towards the plan. Returns how many visits
    were added. Raises ValidationError if the plan is not approved or no working day is left.
    """
    if plan.status != Status.APPROVED:
        raise ValidationError(_("Only an approved plan is put into the calendar."), code="not_approved")
    days = working_days(plan.month, after=timezone.localdate())
    if not days:
        raise ValidationError(_("No working day of this month is left to schedule calls on."), code="no_days")
    start, end = day_start(plan.month), day_start(month_end(plan.month))
    month_visits = Appointment.objects.filter(staff_id=staff.pk, planned_start__gte=start, planned_start__lt=end)
    have = dict(
        month_visits.exclude(status=Appointment.Status.CANCELLED)
        .values_list("doctor")
        .annotate(n=Count("pk"))
        .order_by()
    )
    load = {day: 0 for day in days}
    for when in month_visits.values_list("planned_start", flat=True):
        local = timezone.localdate(when)
        if local in load:
            load[local] += 1
    added = 0
    with tenant_atomic():
        for item in plan.items.select_related("doctor").order_by("doctor__category", "pk"):
            missing = item.calls - have.get(item.doctor_id, 0)
            for number in range(max(missing, 0)):
                # Spread a doctor's calls evenly over the days, then take the least busy day near that point.
                target = int((number + 0.5) * len(days) / max(missing, 1))
                day = min(days, key=lambda d: (load[d] >= MAX_CALLS_A_DAY, abs(days.index(d) - target), load[d]))
                when = datetime.datetime.combine(day, FIRST_CALL) + datetime.timedelta(hours=load[day])
                appointment_create(
                    created_by=by, staff=staff, doctor=item.doctor, planned_start=timezone.make_aware(when)
                )
                load[day] += 1
                added += 1
    return added
