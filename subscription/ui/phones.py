"""Azerbaijani phone numbers: the validator every phone field uses, and how typed numbers are written."""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^\+994[\s-]?\(?\d{2}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}$",
    _("Enter an Azerbaijani number such as +994 50 123 45 67."),
)
PHONE_HELP = _("An Azerbaijani number, e.g. +994 50 123 45 67 (050 123 45 67 is accepted too).")


def normalize_phone(value: str) -> str:
    """Write an Azerbaijani number as "+994 50 123 45 67" whichever usual way it was typed.

    Anything that is not recognisably such a number is returned as typed, for the validator to
    reject with its message.
    """
    value = (value or "").strip()
    digits = re.sub(r"[\s\-().+]", "", value)
    if not digits.isdigit():
        return value
    if len(digits) == 14 and digits.startswith("00994"):
        digits = digits[2:]
    elif len(digits) == 10 and digits.startswith("0"):
        digits = "994" + digits[1:]
    elif len(digits) == 9:
        digits = "994" + digits
    if len(digits) == 12 and digits.startswith("994"):
        return f"+994 {digits[3:5]} {digits[5:8]} {digits[8:10]} {digits[10:12]}"
    return value
