"""Reads of products and sales."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db.models import Count, Q, QuerySet, Sum

from regions.models import City
from sales.models import Product, Sale

# Region, city and representative live in the master database: select_related cannot reach
# them, prefetch_related can (one query each, whatever the number of rows).
SALE_MASTER_FIELDS = ("region", "city", "representative")
CENT = Decimal("0.01")


def money(value) -> Decimal:
    """A sum as money: SQLite adds decimals as floats, so round to cents."""
    return Decimal(value or 0).quantize(CENT)


def product_list(*, active: bool | None = None) -> QuerySet[Product]:
    """The company's products (`active`: only active or only inactive ones)."""
    products = Product.objects.all()
    if active is not None:
        products = products.filter(is_active=active)
    return products


def product_sales_summary(product: Product, *, representative: AbstractUser | None = None) -> dict:
    """Lines, packs and money a product has brought (per currency); `representative`: only theirs."""
    return sale_totals(sale_list(representative=representative).filter(product=product))


def sale_list(*, representative: AbstractUser | None = None) -> QuerySet[Sale]:
    """Sale lines with what a list shows, in a constant number of queries (`representative`: only theirs)."""
    sales = Sale.objects.select_related("product", "doctor", "pharmacy_record").prefetch_related(*SALE_MASTER_FIELDS)
    if representative is not None:
        sales = sales.filter(representative=representative)
    return sales


def sale_filter(
    sales: QuerySet[Sale],
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    product=None,
    source: str = "",
    region=None,
    city=None,
    representative=None,
    doctor=None,
) -> QuerySet[Sale]:
    """Narrow `sales` by the list's filters (empty values do not narrow)."""
    if date_from:
        sales = sales.filter(date__gte=date_from)
    if date_to:
        sales = sales.filter(date__lte=date_to)
    if source:
        sales = sales.filter(source=source)
    if region is not None:
        # A line may name only its city (an import's city_code): it is in the city's region too.
        cities = list(City.objects.filter(region=region).values_list("pk", flat=True))
        sales = sales.filter(Q(region=region) | Q(region__isnull=True, city__in=cities))
    for name, value in (
        ("product", product),
        ("city", city),
        ("representative", representative),
        ("doctor", doctor),
    ):
        if value is not None:
            sales = sales.filter(**{name: value})
    return sales


def sale_totals(sales: QuerySet[Sale]) -> dict:
    """Lines, quantity and amount (per currency) over `sales`, in one query."""
    rows = list(
        sales.order_by()
        .values("currency")
        .annotate(lines=Count("pk"), quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by("currency")
    )
    return {
        "lines": sum(row["lines"] for row in rows),
        "quantity": sum(row["quantity"] or 0 for row in rows),
        "amounts": [(row["currency"], money(row["amount"])) for row in rows],
    }
