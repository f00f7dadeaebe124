"""Numbers as people type them in Azerbaijan: `1500,50`, `1 500,50`, `1500.50`, `1.500,50`, `1,500.50`.

One parser for every amount, price and quantity, in forms (subscription.ui.forms.DecimalInputField)
and in uploaded tables (subscription.ui.tables.cell_decimal). It refuses what could be read two ways
(`1,500,50`, `1,500`) instead of guessing: `1500,50` once saved as 150,050 USD.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_NUMBER_CHARS = 40
MAX_NUMBER_MAGNITUDE = 18  # digits before the point: more than any quantity, price or amount
# Thousands separators as people type them: spaces (also no-break, narrow no-break, thin and figure
# spaces) and the apostrophe.
GROUP_SPACES = re.compile(r"[ \t\u00a0\u202f\u2009\u2007']")
DIGITS = re.compile(r"\d+")
GROUPED = {sep: re.compile(rf"[1-9]\d{{0,2}}(?:{re.escape(sep)}\d{{3}})+") for sep in (" ", ".", ",")}
EXPONENT = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d{1,4}")


class NumberError(ValueError):
    """Text that is not one number; `code` is "invalid", or "ambiguous" when it could be read two ways."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_number(text: str, *, exponent: bool = False) -> Decimal:
    """The number written in `text`. Raises NumberError ("invalid" or "ambiguous").

    The last `.` or `,` is the decimal separator when both appear; spaces, or the other sign, group
    thousands in threes. A lone `.` or `,` before exactly three digits (`1,500`) is ambiguous.
    `exponent`: also `1E3`, as spreadsheets write large or tiny numbers.
    """
    text = (text or "").strip()
    if not text or len(text) > MAX_NUMBER_CHARS:
        raise NumberError("invalid")
    sign = ""
    if text[0] in "+-":
        sign, text = text[0], text[1:].lstrip()
    if exponent and EXPONENT.fullmatch(text):
        return _bounded(Decimal(sign + text))
    integer, fraction = _split(GROUP_SPACES.sub(" ", text))
    if not DIGITS.fullmatch(integer) or (fraction is not None and not DIGITS.fullmatch(fraction)):
        raise NumberError("invalid")
    return _bounded(Decimal(f"{sign}{integer}.{fraction}" if fraction is not None else f"{sign}{integer}"))


def _split(text: str) -> tuple[str, str | None]:
    """(integer digits, fraction digits or None) of text whose grouping is checked here."""
    separators = [char for char in text if char in ".,"]
    if " " in text:
        if len(separators) > 1:
            raise NumberError("ambiguous")
        integer, _sep, fraction = text.partition(separators[0]) if separators else (text, "", None)
        return _ungroup(integer, " "), fraction
    if not separators:
        return text, None
    kinds = set(separators)
    if len(kinds) == 2:
        decimal_sep = text[max(text.rfind("."), text.rfind(","))]
        if separators.count(decimal_sep) > 1:
            raise NumberError("ambiguous")
        integer, _sep, fraction = text.rpartition(decimal_sep)
        return _ungroup(integer, "," if decimal_sep == "." else "."), fraction
    (sep,) = kinds
    if len(separators) > 1:
        return _ungroup(text, sep), None  # 1,500,000 or 1.500.000: only grouping reads it
    integer, _sep, fraction = text.partition(sep)
    if len(fraction) == 3 and GROUPED[sep].fullmatch(text):
        raise NumberError("ambiguous")  # 1,500: 1500 in English, 1.5 in Azerbaijani and Russian
    return integer or "0", fraction


def _ungroup(integer: str, sep: str) -> str:
    if not GROUPED[sep].fullmatch(integer) and sep in integer:
        raise NumberError("ambiguous")
    return integer.replace(sep, "")


def _bounded(number: Decimal) -> Decimal:
    """`number`, unless no quantity, price or amount is that large or that finely divided."""
    try:
        if not number.is_finite() or (number and not -MAX_NUMBER_MAGNITUDE <= number.adjusted() < MAX_NUMBER_MAGNITUDE):
            raise NumberError("invalid")
    except InvalidOperation as error:
        raise NumberError("invalid") from error
    return number
