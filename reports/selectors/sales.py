"""Sales reports: amounts by month, region, product and representative, kept apart by currency."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from regions.models import Region
from reports.selectors.common import MoneySum, ReportResult, currency_series, reference_names, share, user_names
from reports.selectors.periods import Period, month_label, month_name, months_in
from sales.models import Currency, Sale
from subscription.ui.aztext import az_sort_key

ZERO = Decimal("0.00")


def sales_in(period: Period, *, representative_id: int | None = None) -> QuerySet[Sale]:
    sales = Sale.objects.filter(date__gte=period.start, date__lte=period.end)
    return sales if representative_id is None else sales.filter(representative_id=representative_id)


def sales_grouped(queryset: QuerySet[Sale], *keys: str) -> list[dict]:
    """Quantity, amount and number of lines per `keys` and currency, summed in the database."""
    return list(
        queryset.values(*keys, "currency")
        .annotate(quantity=Sum("quantity"), amount=MoneySum("amount"), lines=Count("pk"))
        .order_by()
    )


def _report(
    key_column: str,
    keys: list,
    names: dict,
    figures: list[dict],
    key: str,
    *,
    fill_empty: bool = False,
    chart_names: dict | None = None,
    **extra,
) -> ReportResult:
    """Rows per key and currency with the share of that currency's total, a total row per currency.

    `fill_empty`: keys without sales get a row of zeros (months of the period). `chart_names`: shorter
    names for the chart's axis. The chart has one currency per axis (a chart per currency).
    """
    totals: dict[str, Decimal] = {}
    for item in figures:
        totals[item["currency"]] = totals.get(item["currency"], ZERO) + (item["amount"] or ZERO)
    found = {(item[key], item["currency"]): item for item in figures}
    rows = []
    for value in keys:
        if fill_empty and not any((value, currency) in found for currency in totals):
            rows.append([names[value], Currency.AZN.value, 0, ZERO, None, 0])
        for currency in sorted(totals):
            item = found.get((value, currency))
            if item is None:
                continue
            rows.append(
                [
                    names[value],
                    currency,
                    item["quantity"],
                    item["amount"] or ZERO,
                    share(item["amount"] or ZERO, totals[currency]),
                    item["lines"],
                ]
            )
    total_rows = [
        [
            _("Total"),
            currency,
            sum(item["quantity"] for item in figures if item["currency"] == currency),
            amount,
            share(amount, amount) if amount else None,
            sum(item["lines"] for item in figures if item["currency"] == currency),
        ]
        for currency, amount in sorted(totals.items())
    ]
    return ReportResult(
        columns=[key_column, _("Currency"), _("Quantity"), _("Amount"), _("Share of amount, %"), _("Sales lines")],
        rows=rows,
        totals=total_rows,
        chart_labels=[(chart_names or names)[value] for value in keys],
        chart_series=currency_series(
            keys, {pair: item["amount"] or ZERO for pair, item in found.items()}, totals or [Currency.AZN]
        ),
        chart_per_series=True,
        **extra,
    )


def _by_amount(figures: list[dict], key: str, names: dict) -> list:
    """Keys ordered by their largest amount (in any currency), then by name."""
    best: dict = {}
    for item in figures:
        best[item[key]] = max(best.get(item[key], ZERO), item["amount"] or ZERO)
    return sorted(best, key=lambda value: (-best[value], az_sort_key(names[value])))


def sales_by_month_report(*, period: Period) -> ReportResult:
    """Sales amount per calendar month of the period."""
    figures = sales_grouped(sales_in(period).annotate(month=TruncMonth("date")), "month")
    months = months_in(period)
    names = {month: month_name(month) for month in months}
    return _report(
        _("Month"),
        months,
        names,
        figures,
        "month",
        fill_empty=True,
        chart_kind="line",
        chart_names={month: month_label(month) for month in months},
    )


def sales_by_region_report(*, period: Period) -> ReportResult:
    """Sales amount per region (regions are master data: named after aggregating by id)."""
    figures = sales_grouped(sales_in(period), "region")
    names = reference_names(Region, (item["region"] for item in figures))
    return _report(_("Region"), _by_amount(figures, "region", names), names, figures, "region")


def sales_by_product_report(*, period: Period) -> ReportResult:
    """Sales amount per product."""
    figures = sales_grouped(sales_in(period), "product", "product__name", "product__strength", "product__form")
    names = {
        item["product"]: " ".join(
            part for part in (item["product__name"], item["product__strength"], item["product__form"]) if part
        )
        for item in figures
    }
    return _report(_("Product"), _by_amount(figures, "product", names), names, figures, "product")


def sales_by_rep_report(*, period: Period) -> ReportResult:
    """Sales amount per credited representative."""
    figures = sales_grouped(sales_in(period), "representative")
    names = user_names(item["representative"] for item in figures)
    return _report(_("Representative"), _by_amount(figures, "representative", names), names, figures, "representative")
