"""How an XLSX cell's stored value reads as text: cell references, numbers, dates and durations."""

from __future__ import annotations

import datetime
import math
import re
from typing import Protocol

from openpyxl.utils.datetime import from_excel

from subscription.ui.tables import NUMBER
from subscription.ui.xlsx_archive import unreadable

MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})[0-9]{1,7}")


class DateStyles(Protocol):
    """What a sheet knows of its styles: which show dates or durations, and its calendar."""

    epoch: datetime.datetime
    duration_styles: set[int]

    def is_date(self, style: int | None) -> bool: ...


def whole_number(text: str, maximum: int, *, minimum: int = 1) -> int | None:
    """A plain decimal integer between minimum and maximum, or None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def column_number(reference: str | None, previous: int) -> int:
    if reference is None:
        column = previous + 1
    else:
        match = CELL_REFERENCE.fullmatch(reference.upper())
        if match is None:
            raise unreadable()
        column = 0
        for letter in match.group(1):
            column = column * 26 + ord(letter) - 64
    if column <= previous or column > MAX_COLUMN:
        raise unreadable()
    return column


def number_text(raw: str, style: int | None, sheet: DateStyles) -> str:
    if not NUMBER.fullmatch(raw):
        return raw
    number = float(raw)
    if not math.isfinite(number):
        return raw
    if sheet.is_date(style):
        try:
            moment = from_excel(number, sheet.epoch, timedelta=style in sheet.duration_styles)
        except (OverflowError, ValueError):
            return raw
        return moment_text(moment)
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return repr(number)


def iso_text(raw: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(raw.rstrip("Z"))
    except ValueError:
        return raw
    return moment_text(moment)


def moment_text(moment: datetime.datetime | datetime.time | datetime.timedelta) -> str:
    if isinstance(moment, datetime.datetime) and moment.time() == datetime.time(0):
        return moment.date().isoformat()
    return str(moment)
