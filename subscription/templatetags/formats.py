"""How company pages write money, names and small marks.

{% load formats %}
{{ sale.amount|money:sale.currency }}    18 052,50 ₼ (the company's sign or code, the language's notation)
{{ figure|number }}                      18 052,5
{{ visit.staff|user_label }}             the full name, or the login of a user without one
{% lock_icon _("Done visits are locked") %}   an inline SVG padlock every browser draws
"""

from django import template
from django.utils.html import format_html

from subscription.ui.money import currency_label, format_money, format_number

register = template.Library()


@register.filter
def money(amount, currency: str = "AZN") -> str:
    return format_money(amount, currency)


@register.filter
def currency(code: str) -> str:
    """The company's sign (₼) or code (AZN) of a currency, e.g. beside a column of figures."""
    return currency_label(code)


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "—"
    return format_number(value)


# A padlock drawn inline (the 🔒 emoji is an empty box where no colour-emoji font is installed).
LOCK_PATH = (
    "M4 7V5a4 4 0 1 1 8 0v2h1a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h1zm2 0h4V5a2 2 0 1 0-4 0v2z"
)


@register.simple_tag
def lock_icon(title: str) -> str:
    return format_html(
        '<svg class="icon-lock" viewBox="0 0 16 16" width="14" height="14" role="img" aria-label="{}" '
        'focusable="false"><title>{}</title><path fill="currentColor" d="{}"/></svg>',
        title,
        title,
        LOCK_PATH,
    )
