"""The figures of the company dashboard (a representative's own, when `user_id` is given)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format

from appointments.models import Appointment
from reports.selectors.common import MoneySum, currency_series, share, user_names
from reports.selectors.payments import awaiting_approval
from reports.selectors.periods import Period, add_months, month_label, month_period, week_start
from reports.selectors.sales import sales_in
from reports.selectors.targets import target_progress
from reports.selectors.visits import DONE, coverage_by_category, visits_in

UPCOMING_DAYS = 7
UPCOMING_LIMIT = 10
CHART_WEEKS = 8
CHART_MONTHS = 6


def visit_counts(period: Period, *, staff_id: int | None = None) -> dict[str, int]:
    """{"planned": visits not cancelled, "done": done visits} in the period."""
    return visits_in(period, staff_id=staff_id).aggregate(
        planned=Count("pk", filter=~Q(status=Appointment.Status.CANCELLED)),
        done=Count("pk", filter=Q(status=DONE)),
    )


def sales_this_and_last_month(today: datetime.date, *, representative_id: int | None = None) -> list[dict]:
    """Per currency: this month's and last month's sales amount and the change in %."""
    this_month, last_month = month_period(today), month_period(add_months(today, -1))
    amounts = {
        (item["month"], item["currency"]): item["amount"]
        for item in sales_in(Period(last_month.start, this_month.end), representative_id=representative_id)
        .annotate(month=TruncMonth("date"))
        .values("month", "currency")
        .annotate(amount=MoneySum("amount"))
        .order_by()
    }
    currencies = sorted({currency for _month, currency in amounts}) or ["AZN"]
    items = []
    for currency in currencies:
        now = amounts.get((this_month.start, currency), Decimal("0.00"))
        before = amounts.get((last_month.start, currency), Decimal("0.00"))
        change = share(now - before, before)
        items.append({"currency": currency, "this_month": now, "last_month": before, "change": change})
    return items


def upcoming_visits(now: datetime.datetime, *, staff_id: int | None = None) -> list[Appointment]:
    """The next planned visits of the coming days, with the staff member's name as `staff_name`."""
    visits = Appointment.objects.filter(
        status=Appointment.Status.PLANNED,
        planned_start__gte=now,
        planned_start__lt=now + datetime.timedelta(days=UPCOMING_DAYS),
    )
    if staff_id is not None:
        visits = visits.filter(staff_id=staff_id)
    visits = list(visits.select_related("doctor", "pharmacy").order_by("planned_start")[:UPCOMING_LIMIT])
    names = user_names(visit.staff_id for visit in visits)
    for visit in visits:
        visit.staff_name = names[visit.staff_id]
    return visits


def weekly_visits(today: datetime.date, *, staff_id: int | None = None) -> tuple[list[str], list]:
    """Chart data: planned and done visits per week of the last CHART_WEEKS weeks."""
    weeks = [week_start(today) - datetime.timedelta(weeks=n) for n in reversed(range(CHART_WEEKS))]
    period = Period(weeks[0], weeks[-1] + datetime.timedelta(days=6))
    found = {
        item["week"]: item
        for item in visits_in(period, staff_id=staff_id)
        .annotate(week=TruncWeek("planned_start", output_field=DateField()))
        .values("week")
        .annotate(
            planned=Count("pk", filter=~Q(status=Appointment.Status.CANCELLED)),
            done=Count("pk", filter=Q(status=DONE)),
        )
        .order_by()
    }
    labels = [date_format(week, "d.m") for week in weeks]
    series = [
        (name, [found.get(week, {}).get(key, 0) for week in weeks])
        for key, name in (("planned", Appointment.Status.PLANNED.label), ("done", Appointment.Status.DONE.label))
    ]
    return labels, series


def monthly_sales(today: datetime.date, *, representative_id: int | None = None) -> tuple[list[str], list]:
    """Chart data: sales amount per month of the last CHART_MONTHS months, one series per currency."""
    months = [add_months(today, -n) for n in reversed(range(CHART_MONTHS))]
    period = Period(months[0], month_period(today).end)
    amounts = {
        (item["month"], item["currency"]): item["amount"]
        for item in sales_in(period, representative_id=representative_id)
        .annotate(month=TruncMonth("date"))
        .values("month", "currency")
        .annotate(amount=MoneySum("amount"))
        .order_by()
    }
    currencies = {currency for _month, currency in amounts} or {"AZN"}
    return [month_label(month) for month in months], currency_series(months, amounts, currencies)


def dashboard_figures(*, user_id: int | None = None, with_payments: bool = False, with_targets: bool = False) -> dict:
    """Everything the dashboard shows, for the whole company or (with `user_id`) one representative."""
    now = timezone.now()
    today = timezone.localdate(now)
    month = month_period(today)
    visits = visit_counts(month, staff_id=user_id)
    week_labels, week_series = weekly_visits(today, staff_id=user_id)
    month_labels, month_series = monthly_sales(today, representative_id=user_id)
    figures = {
        "month": month,
        "visits": {**visits, "share": share(visits["done"], visits["planned"])},
        "coverage": coverage_by_category(period=month, representative_id=user_id),
        "sales": sales_this_and_last_month(today, representative_id=user_id),
        "upcoming": upcoming_visits(now, staff_id=user_id),
        "upcoming_days": UPCOMING_DAYS,
        "week_labels": week_labels,
        "week_series": week_series,
        "month_labels": month_labels,
        "month_series": month_series,
    }
    if with_targets:
        figures["targets"] = target_progress(today, user_id=user_id)
    if with_payments:
        pending = awaiting_approval()
        figures["awaiting"] = {"count": sum(item["count"] for item in pending), "amounts": pending}
    return figures
