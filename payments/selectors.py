"""Reads of payments."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from payments.models import Payment
from sales.selectors import money

# Clinics and users live in the master database: prefetch_related reaches them in one query each.
MASTER_FIELDS = ("clinic", "approved_by", "created_by", "updated_by")
AWAITING = "awaiting"


def payment_list() -> QuerySet[Payment]:
    """Payments with what a list shows, in a constant number of queries."""
    return Payment.objects.select_related("doctor", "product", "sale__product", "appointment__doctor").prefetch_related(
        *MASTER_FIELDS
    )


def awaiting_approval(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """Outgoing payments still in draft: they wait for a manager's approval."""
    return payments.filter(direction=Payment.Direction.OUTGOING, status=Payment.Status.DRAFT)


def payment_filter(
    payments: QuerySet[Payment],
    *,
    queue: str = "",
    direction: str = "",
    kind: str = "",
    status: str = "",
    method: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    doctor=None,
) -> QuerySet[Payment]:
    """Narrow `payments` by the list's filters (empty values do not narrow)."""
    if queue == AWAITING:
        payments = awaiting_approval(payments)
    for name, value in (("direction", direction), ("kind", kind), ("status", status), ("method", method)):
        if value:
            payments = payments.filter(**{name: value})
    if date_from:
        payments = payments.filter(date__gte=date_from)
    if date_to:
        payments = payments.filter(date__lte=date_to)
    if doctor is not None:
        payments = payments.filter(doctor=doctor)
    return payments


def payment_totals(payments: QuerySet[Payment]) -> dict:
    """Count and sums per direction and currency over `payments` (cancelled ones not summed), in one query."""
    rows = (
        payments.order_by()
        .values("direction", "currency", "status")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by("direction", "currency")
    )
    totals: dict = {"count": 0, "cancelled": 0, Payment.Direction.INCOMING: {}, Payment.Direction.OUTGOING: {}}
    for row in rows:
        totals["count"] += row["count"]
        if row["status"] == Payment.Status.CANCELLED:
            totals["cancelled"] += row["count"]
            continue
        by_currency = totals[row["direction"]]
        by_currency[row["currency"]] = by_currency.get(row["currency"], Decimal("0")) + money(row["amount"])
    return {
        "count": totals["count"],
        "cancelled": totals["cancelled"],
        "incoming": sorted(totals[Payment.Direction.INCOMING].items()),
        "outgoing": sorted(totals[Payment.Direction.OUTGOING].items()),
    }
