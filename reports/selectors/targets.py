"""Targets against actuals: visits by doctor category's frequency, sales by product and representative or territory.

A representative's visit target for a month is the sum, over their own active doctors (their
territories' cities, doctors assigned to them, doctors they are the representative of), of the
calls a month their category asks for; the company's is the same sum over every active doctor.
Done visits are the month's done doctor visits by the representative (by anyone, for the company).

A sales target's actual is what was sold of its product in its month: credited to its
representative, or in its territory's cities (with districts). Amounts are AZN; quantities are packs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from appointments.models import Appointment
from appointments.planning import DEFAULT_FREQUENCY
from doctors.models import Doctor, Territory
from doctors.territories import own_doctors_q, territory_city_ids
from reports.models import SalesTarget, VisitFrequency
from reports.selectors.common import MoneySum
from reports.selectors.periods import Period, add_months, month_label, months_in
from sales.models import Currency, Sale

ZERO = Decimal("0.00")


def company_frequency(month: datetime.date) -> dict[str, int]:
    """Calls a month per category: the month's own figure, else the company's default, else the usual one."""
    figures = dict(DEFAULT_FREQUENCY)
    rows = VisitFrequency.objects.filter(Q(month__isnull=True) | Q(month=month))
    # The company's defaults first, then the month's own figures over them.
    for row in sorted(rows, key=lambda row: row.month is not None):
        figures[row.category] = row.calls
    return figures


def visit_target(month: datetime.date, *, user_id: int | None = None) -> int:
    """Calls the month asks for: over the user's own active doctors, or (None) every active doctor."""
    doctors = Doctor.objects.filter(is_active=True)
    if user_id is not None:
        doctors = doctors.filter(own_doctors_q(user_id))
    frequency = company_frequency(month)
    counts = doctors.order_by().values_list("category").annotate(n=Count("pk"))
    return sum(frequency.get(category, 0) * number for category, number in counts)


def visits_done(period: Period, *, user_id: int | None = None) -> int:
    start, end = period.datetime_bounds()
    visits = Appointment.objects.filter(
        status=Appointment.Status.DONE, kind=Appointment.Kind.DOCTOR, planned_start__gte=start, planned_start__lt=end
    )
    return (visits if user_id is None else visits.filter(staff_id=user_id)).count()


def visit_targets_by_month(period: Period, *, user_id: int | None = None) -> list[dict]:
    """Per month of the period: {"month", "target", "done"}."""
    items = []
    for month in months_in(period):
        last = add_months(month, 1) - datetime.timedelta(days=1)
        inside = Period(max(month, period.start), min(last, period.end))
        items.append(
            {
                "month": month,
                "target": visit_target(month, user_id=user_id),
                "done": visits_done(inside, user_id=user_id),
            }
        )
    return items


@dataclass
class TargetActual:
    target: SalesTarget
    quantity: int = 0
    amount: Decimal = ZERO


def sales_targets(
    period: Period, *, representative_ids: Iterable[int] | None = None, territory_id: int | None = None
) -> list[TargetActual]:
    """The sales targets of the period's months with their actuals (`representative_ids`: only theirs;
    `territory_id`: that territory's, and its representatives')."""
    targets = SalesTarget.objects.filter(month__gte=period.start.replace(day=1), month__lte=period.end).select_related(
        "product", "territory"
    )
    if territory_id is not None:
        members = Territory.objects.filter(pk=territory_id).values("members__user_id")
        targets = targets.filter(Q(territory_id=territory_id) | Q(representative_id__in=members))
    if representative_ids is not None:
        targets = targets.filter(representative_id__in=list(representative_ids))
    targets = list(targets.order_by("month", "pk"))
    months = {target.month for target in targets}
    if not targets:
        return []
    bounds = Period(min(months), add_months(max(months), 1) - datetime.timedelta(days=1))
    sales = Sale.objects.filter(date__gte=bounds.start, date__lte=bounds.end).annotate(month=TruncMonth("date"))
    results = []
    by_rep = _actuals(sales.filter(representative_id__isnull=False), "representative_id")
    city_cache: dict[int, set[int]] = {}
    for target in targets:
        if target.representative_id is not None:
            found = by_rep.get((target.representative_id, target.product_id, target.month), (0, ZERO))
        else:
            cities = city_cache.setdefault(target.territory_id, territory_city_ids([target.territory_id]))
            found = _actual_in(sales.filter(city_id__in=cities), target)
        results.append(TargetActual(target, *found))
    return results


def _actuals(sales, key: str) -> dict[tuple, tuple[int, Decimal]]:
    rows = (
        sales.values(key, "product_id", "month")
        .annotate(quantity=Sum("quantity"), amount=MoneySum("amount", filter=Q(currency=Currency.AZN)))
        .order_by()
    )
    return {
        (row[key], row["product_id"], _as_date(row["month"])): (row["quantity"] or 0, row["amount"]) for row in rows
    }


def _actual_in(sales, target: SalesTarget) -> tuple[int, Decimal]:
    found = sales.filter(product_id=target.product_id, month=target.month).aggregate(
        quantity=Sum("quantity"), amount=MoneySum("amount", filter=Q(currency=Currency.AZN))
    )
    return found["quantity"] or 0, found["amount"]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def sales_target_totals(items: Iterable[TargetActual]) -> dict:
    """Target and actual packs and AZN over `items`."""
    items = list(items)
    return {
        "target_quantity": sum(item.target.quantity for item in items),
        "target_amount": sum((item.target.amount for item in items), ZERO),
        "quantity": sum(item.quantity for item in items),
        "amount": sum((item.amount for item in items), ZERO),
    }


def _frequencies(months: list[datetime.date]) -> dict[datetime.date, dict[str, int]]:
    """company_frequency() of several months in one query."""
    rows = list(VisitFrequency.objects.filter(Q(month__isnull=True) | Q(month__in=months)))
    defaults = {**DEFAULT_FREQUENCY, **{row.category: row.calls for row in rows if row.month is None}}
    figures = {month: dict(defaults) for month in months}
    for row in rows:
        if row.month is not None and row.month in figures:
            figures[row.month][row.category] = row.calls
    return figures


def target_progress(today: datetime.date, *, user_id: int | None = None) -> dict:
    """This month's and this year's visit and sales targets against actuals, and a chart of each month.

    {"month": {...}, "year": {...}} each with visit_target, visits_done, target_amount, amount,
    target_quantity, quantity; "labels"; "sales_series" and "visit_series" (target, actual per month).
    """
    year = Period(datetime.date(today.year, 1, 1), add_months(today, 1) - datetime.timedelta(days=1))
    months = months_in(year)
    doctors = Doctor.objects.filter(is_active=True)
    if user_id is not None:
        doctors = doctors.filter(own_doctors_q(user_id))
    counts = dict(doctors.order_by().values_list("category").annotate(n=Count("pk")))
    frequencies = _frequencies(months)
    visit_target_of = {m: sum(frequencies[m].get(c, 0) * n for c, n in counts.items()) for m in months}
    start, end = year.datetime_bounds()
    done = Appointment.objects.filter(
        status=Appointment.Status.DONE, kind=Appointment.Kind.DOCTOR, planned_start__gte=start, planned_start__lt=end
    )
    if user_id is not None:
        done = done.filter(staff_id=user_id)
    done_of = {
        _as_date(row["m"]): row["n"]
        for row in done.annotate(m=TruncMonth("planned_start")).values("m").annotate(n=Count("pk")).order_by()
    }
    items = sales_targets(year, representative_ids=None if user_id is None else {user_id})
    by_month = {m: sales_target_totals(item for item in items if item.target.month == m) for m in months}
    this = months[-1]

    def figures(chosen: list[datetime.date]) -> dict:
        sales = sales_target_totals(item for item in items if item.target.month in chosen)
        return {
            "visit_target": sum(visit_target_of[m] for m in chosen),
            "visits_done": sum(done_of.get(m, 0) for m in chosen),
            **sales,
        }

    return {
        "month": figures([this]),
        "year": figures(months),
        "labels": [month_label(m) for m in months],
        "sales_series": [
            (_("Target"), [by_month[m]["target_amount"] for m in months]),
            (_("Sold"), [by_month[m]["amount"] for m in months]),
        ],
        "visit_series": [
            (_("Target"), [visit_target_of[m] for m in months]),
            (_("Done"), [done_of.get(m, 0) for m in months]),
        ],
    }
