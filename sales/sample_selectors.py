"""Reads of sample stock: what a representative holds, and what was issued and given."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from sales.models import SampleMovement, SampleStock

Kind = SampleMovement.Kind
# Samples that left the stock at calls, net of those taken back when a call report was corrected.
GIVEN_KINDS = (Kind.GIVEN, Kind.RETURNED)


def sample_stock_list(*, representative: AbstractUser | None = None) -> QuerySet[SampleStock]:
    """Lots held by representatives (`representative`: one's own), with `issued` and `given` totals."""
    stock = (
        SampleStock.objects.select_related("product")
        .prefetch_related("representative")
        .annotate(
            issued=Coalesce(Sum("movements__quantity", filter=Q(movements__kind=Kind.ISSUED)), Value(0)),
            given=-Coalesce(Sum("movements__quantity", filter=Q(movements__kind__in=GIVEN_KINDS)), Value(0)),
        )
    )
    return stock if representative is None else stock.filter(representative=representative)


def sample_stock_filter(
    stock: QuerySet[SampleStock], *, representative=None, product=None, state: str = "", today: datetime.date
) -> QuerySet[SampleStock]:
    """Narrow stock by the page's filters: on hand (default), all lots, or expired lots still held."""
    if representative is not None:
        stock = stock.filter(representative=representative)
    if product is not None:
        stock = stock.filter(product=product)
    if state == "expired":
        return stock.filter(expiry__lt=today, quantity__gt=0)
    if state != "all":
        stock = stock.filter(quantity__gt=0)
    return stock


def stock_to_give(*, representative_id: int, on: datetime.date) -> QuerySet[SampleStock]:
    """The representative's lots that can be given on day `on`: some left, not expired, first to expire first."""
    return (
        SampleStock.objects.filter(representative_id=representative_id, quantity__gt=0, expiry__gte=on)
        .select_related("product")
        .order_by("product__name", "expiry", "pk")
    )


def sample_accountability(
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    representative_id: int | None = None,
) -> list[dict]:
    """Per representative and product: samples issued and given in [start, end), and on hand now.

    Each item: {"representative", "product", "issued", "given", "on_hand"}; one row per pair that has stock.
    """
    moves = SampleMovement.objects.all()
    if start is not None:
        moves = moves.filter(at__gte=start)
    if end is not None:
        moves = moves.filter(at__lt=end)
    if representative_id is not None:
        moves = moves.filter(stock__representative_id=representative_id)
    found: dict[tuple, dict] = {}

    def item(rep: int, product: int) -> dict:
        key = (rep, product)
        if key not in found:
            found[key] = {"representative": rep, "product": product, "issued": 0, "given": 0, "on_hand": 0}
        return found[key]

    for row in (
        moves.values("stock__representative", "stock__product")
        .annotate(
            issued=Coalesce(Sum("quantity", filter=Q(kind=Kind.ISSUED)), Value(0)),
            given=-Coalesce(Sum("quantity", filter=Q(kind__in=GIVEN_KINDS)), Value(0)),
        )
        .order_by()
    ):
        entry = item(row["stock__representative"], row["stock__product"])
        entry["issued"], entry["given"] = row["issued"], row["given"]
    holdings = SampleStock.objects.all()
    if representative_id is not None:
        holdings = holdings.filter(representative_id=representative_id)
    for row in holdings.values("representative", "product").annotate(on_hand=Sum("quantity")).order_by():
        item(row["representative"], row["product"])["on_hand"] = row["on_hand"]
    return list(found.values())
