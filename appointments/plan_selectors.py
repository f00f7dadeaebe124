"""Reads of monthly plans and of the month calendar."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from appointments.models import Appointment, MonthlyPlan, PlanItem
from appointments.planning import frequency_by_category
from appointments.selectors import appointments_between, day_start
from doctors.models import Doctor

Status = Appointment.Status


def month_end(first: datetime.date) -> datetime.date:
    """The first day of the next month."""
    return (first + datetime.timedelta(days=32)).replace(day=1)


def next_month(today: datetime.date) -> datetime.date:
    return month_end(today.replace(day=1))


def month_grid(first: datetime.date, *, staff=None) -> dict:
    """The weeks (Monday first) around the month, each day with its planned, done and missed calls."""
    end = month_end(first)
    counts: dict[datetime.date, Counter] = {}
    visits = appointments_between(first, end, staff=staff).prefetch_related(None).select_related(None)
    for start, status in visits.values_list("planned_start", "status"):
        counts.setdefault(timezone.localdate(start), Counter())[status] += 1
    grid_start = first - datetime.timedelta(days=first.weekday())
    weeks, day = [], grid_start
    while day < end:
        week = []
        for _weekday in range(7):
            found = counts.get(day, Counter())
            week.append({"day": day, "in_month": first <= day < end, **{key: found[key] for key in Status.values}})
            day += datetime.timedelta(days=1)
        weeks.append(week)
    totals = Counter()
    for found in counts.values():
        totals.update(found)
    return {"weeks": weeks, "totals": {key: totals[key] for key in Status.values}}


def plan_of(representative_id: int, month: datetime.date) -> MonthlyPlan | None:
    return MonthlyPlan.objects.filter(representative_id=representative_id, month=month).first()


def plan_progress(month: datetime.date, staff) -> dict:
    """A representative's plan for the month against the calls scheduled and done in it."""
    plan = plan_of(staff.pk, month)
    visits = appointments_between(month, month_end(month), staff=staff).exclude(status=Status.CANCELLED)
    figures = visits.aggregate(scheduled=Count("pk"), done=Count("pk", filter=Q(status=Status.DONE)))
    planned = (plan.items.aggregate(calls=Sum("calls"))["calls"] or 0) if plan is not None else 0
    return {"plan": plan, "planned": planned, **figures}


def plan_list(*, representative_ids: set[int] | None = None) -> QuerySet[MonthlyPlan]:
    """Plans with their number of doctors and calls (`representative_ids`: only theirs)."""
    plans = MonthlyPlan.objects.annotate(doctors=Count("items"), calls=Sum("items__calls")).prefetch_related(
        "representative"
    )
    if representative_ids is not None:
        plans = plans.filter(representative_id__in=representative_ids)
    return plans.order_by("-month", "representative", "pk")


def suggested_calls(doctors, month: datetime.date) -> dict[int, int]:
    """Calls a month for each doctor, as the company's frequency for their category asks."""
    frequency = frequency_by_category(month)
    return {doctor.pk: frequency.get(doctor.category, 1) for doctor in doctors}


def plan_done_counts(month: datetime.date, representative_ids: set[int] | None = None) -> dict[tuple[int, int], int]:
    """Done visits in the month per (staff member, doctor)."""
    visits = Appointment.objects.filter(
        status=Status.DONE,
        planned_start__gte=day_start(month),
        planned_start__lt=day_start(month_end(month)),
        doctor__isnull=False,
    )
    if representative_ids is not None:
        visits = visits.filter(staff_id__in=representative_ids)
    rows = visits.values("staff", "doctor").annotate(n=Count("pk")).order_by()
    return {(row["staff"], row["doctor"]): row["n"] for row in rows}


def plan_vs_done(month: datetime.date, representative_ids: set[int] | None = None) -> list[dict]:
    """Per representative with a plan for the month: doctors and calls planned, calls done (to planned
    doctors, and in all), approval status. Each item: {"representative", "status", "doctors",
    "planned", "done_planned", "done_all"}."""
    plans = MonthlyPlan.objects.filter(month=month)
    if representative_ids is not None:
        plans = plans.filter(representative_id__in=representative_ids)
    done = plan_done_counts(month, representative_ids)
    items = PlanItem.objects.filter(plan__in=plans).values_list("plan__representative", "doctor", "calls")
    result: dict[int, dict] = {
        plan.representative_id: {
            "representative": plan.representative_id,
            "status": plan.status,
            "doctors": 0,
            "planned": 0,
            "done_planned": 0,
            "done_all": 0,
        }
        for plan in plans
    }
    for rep, doctor, calls in items:
        entry = result[rep]
        entry["doctors"] += 1
        entry["planned"] += calls
        entry["done_planned"] += min(done.get((rep, doctor), 0), calls)
    for (rep, _doctor), count in done.items():
        if rep in result:
            result[rep]["done_all"] += count
    return list(result.values())


def plan_doctors(plan: MonthlyPlan, doctors: QuerySet[Doctor]) -> list[Doctor]:
    """The doctors to show on a plan's page: those offered (active) and those already in the plan."""
    in_plan = plan.items.values("doctor_id")
    return list(
        Doctor.objects.filter(Q(pk__in=doctors.filter(is_active=True).values("pk")) | Q(pk__in=in_plan))
        .prefetch_related("city")
        .order_by("category", "sort_name", "pk")
    )
