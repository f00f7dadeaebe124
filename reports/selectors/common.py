"""What every report returns, and the names of master rows (users, regions) fetched by id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import DecimalField, Sum
from django.utils.translation import gettext as _

from regions.models import ReferenceModel
from subscription.selectors import user_label
from subscription.ui.aztext import az_sort_key

CENT = Decimal("0.01")


class MoneySum(Sum):
    """The sum of an amount column, to the cent, 0.00 when there is nothing to add.

    SQLite adds decimals as floating point, so its sums come back as 7612.39999999999.
    """

    def __init__(self, expression, **extra) -> None:
        super().__init__(expression, output_field=DecimalField(max_digits=20, decimal_places=2), **extra)

    def get_db_converters(self, connection) -> list:
        return [*super().get_db_converters(connection), self._to_cent]

    @staticmethod
    def _to_cent(value, expression, connection) -> Decimal:
        return Decimal("0.00") if value is None else Decimal(value).quantize(CENT)


@dataclass
class ReportResult:
    """A report's table (what is downloaded and saved) and its chart (what is shown)."""

    columns: list[str]
    rows: list[list]
    chart_labels: list[str] = field(default_factory=list)
    chart_series: list[tuple[str, list]] = field(default_factory=list)
    chart_kind: str = "bar"
    totals: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The series are amounts in different currencies: each gets a chart (an axis) of its own.
    chart_per_series: bool = False

    @property
    def charts(self) -> list[tuple[str, list[tuple[str, list]]]]:
        """(caption, series) of each chart to draw: one, or one per currency with any amount."""
        if not self.chart_per_series:
            return [("", self.chart_series)]
        drawn = [(name, [(name, values)]) for name, values in self.chart_series if any(values)]
        return drawn or [(name, [(name, values)]) for name, values in self.chart_series[:1]]


def user_names(ids: Iterable[int | None]) -> dict[int | None, str]:
    """Display names of users by id, in one query to the master database (users live there)."""
    wanted = {pk for pk in ids if pk is not None}
    users = get_user_model().objects.in_bulk(wanted) if wanted else {}
    names: dict[int | None, str] = {pk: user_label(user) for pk, user in users.items()}
    names.update({pk: _("User #%(id)s") % {"id": pk} for pk in wanted - names.keys()})
    names[None] = _("Not assigned")
    return names


def reference_names(model: type[ReferenceModel], ids: Iterable[int | None]) -> dict[int | None, str]:
    """Names of reference rows (regions, cities, clinics, specializations) by id, in one master query."""
    wanted = {pk for pk in ids if pk is not None}
    rows = model.objects.in_bulk(wanted) if wanted else {}
    names: dict[int | None, str] = {pk: row.name for pk, row in rows.items()}
    names.update({pk: f"#{pk}" for pk in wanted - names.keys()})
    names[None] = _("Not specified")
    return names


def by_name(items: Iterable, name) -> list:
    """Sort in Azerbaijani alphabetical order of `name(item)`."""
    return sorted(items, key=lambda item: az_sort_key(name(item)))


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal place; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def per(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """`part / whole` with two decimal places; None when `whole` is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"))


def currency_series(
    labels_keys: list, totals: dict[tuple, Decimal], currencies: Iterable[str]
) -> list[tuple[str, list[Decimal]]]:
    """Chart series, one per currency, from {(key, currency): amount} in the order of `labels_keys`.

    Amounts in different currencies are never added together.
    """
    return [
        (currency, [totals.get((key, currency), Decimal(0)) for key in labels_keys])
        for currency in sorted(set(currencies))
    ]
