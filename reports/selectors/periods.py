"""Report periods: presets, the database bounds of a period and the buckets a chart shows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

PRESETS = {
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "this_quarter": _("This quarter"),
    "this_year": _("This year"),
}


@dataclass(frozen=True)
class Period:
    """A range of whole days, both ends included."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def datetime_bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware [start, end) datetimes in the current time zone, for DateTimeField lookups that use indexes."""
        start = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        end = timezone.make_aware(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))
        return start, end

    def as_parameters(self) -> dict[str, str]:
        return {"date_from": self.start.isoformat(), "date_to": self.end.isoformat()}


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` away from `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_period(day: datetime.date) -> Period:
    first = month_start(day)
    return Period(first, add_months(first, 1) - datetime.timedelta(days=1))


def preset_period(preset: str, today: datetime.date | None = None) -> Period:
    """The period a preset names, relative to `today` (default: the local date)."""
    today = today or timezone.localdate()
    if preset == "last_month":
        return month_period(add_months(today, -1))
    if preset == "this_quarter":
        first = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return Period(first, add_months(first, 3) - datetime.timedelta(days=1))
    if preset == "this_year":
        return Period(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
    return month_period(today)


def year_period(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def month_name(month: datetime.date) -> str:
    """A month as a table names it, in the active language: "İyun 2026", "June 2026"."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def month_label(month: datetime.date) -> str:
    """A month as a chart's axis names it (short enough for twelve side by side): "İyn 2026"."""
    return date_format(month, "M Y")


def months_in(period: Period) -> list[datetime.date]:
    """The first day of every month the period touches."""
    months, current = [], month_start(period.start)
    while current <= period.end:
        months.append(current)
        current = add_months(current, 1)
    return months


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def weeks_in(period: Period) -> list[datetime.date]:
    """The Monday of every week the period touches."""
    first = week_start(period.start)
    return [first + datetime.timedelta(weeks=n) for n in range((period.end - first).days // 7 + 1)]


def working_days(period: Period) -> int:
    """Monday to Friday days in the period (public holidays are not known here)."""
    full_weeks, rest = divmod(period.days, 7)
    extra = sum(1 for n in range(rest) if (period.start + datetime.timedelta(days=n)).weekday() < 5)
    return full_weeks * 5 + extra
