"""Money as pages show it: grouped in the active language's notation, with the company's sign or code.

    format_money(Decimal("18052.5"), "AZN")  →  "18 052,50 ₼" (az, ru), "18,052.50 ₼" (en)

The sign or the code is the company's setting (Company.currency_display). Downloads keep plain
numbers with a currency column: spreadsheets add them up.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format

from subscription.tenancy import current_tenant

SIGNS = {"AZN": "₼", "USD": "$", "EUR": "€"}
NBSP = "\u00a0"


def currency_label(currency: str, *, display: str | None = None) -> str:
    """`₼` or `AZN` for AZN (and $ or USD, € or EUR), as the selected company shows money."""
    if display is None:
        company = current_tenant()
        display = getattr(company, "currency_display", "symbol")
    return SIGNS.get(currency, currency) if display == "symbol" else currency


def format_number(value, *, places: int | None = None) -> str:
    """A number grouped in threes in the active language's notation (18 052,5 or 18,052.5)."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if places is None:
        places = max(-number.as_tuple().exponent, 0) if number.is_finite() else 0
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_money(amount, currency: str = "AZN", *, display: str | None = None) -> str:
    """`amount` to the cent, grouped, then the currency's sign or code; '—' for no amount."""
    if amount is None or amount == "":
        return "—"
    return f"{format_number(amount, places=2)}{NBSP}{currency_label(currency or 'AZN', display=display)}"
