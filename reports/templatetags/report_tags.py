"""Table cells of reports (numbers grouped and right-aligned in the active language's format).

{% load report_tags %}
<td class="{{ value|cell_class }}">{{ value|cell }}</td>
"""

import datetime
from decimal import Decimal

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value) -> str:
    """A report value as text: '—' for none, grouped numbers, short dates."""
    if value is None or value == "":
        return "—" if value is None else ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        places = max(-value.as_tuple().exponent, 0) if value.is_finite() else 0
        return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
    if isinstance(value, float):
        places = 0 if value.is_integer() else 2
        return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime.datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@register.filter
def cell_class(value) -> str:
    """'text-end' for numbers, so that columns of figures line up."""
    is_number = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    return "text-end text-nowrap" if is_number else ""
