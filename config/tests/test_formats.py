"""How pages write dates, money and chart axes in Azerbaijani, Russian and English: dd.mm.yyyy, grouped
amounts with the company's sign or code, round axis steps in the language's notation (never 6.6k), one
currency per chart, month names, and a padlock every browser draws."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from appointments.tests.factories import AppointmentFactory
from sales.tests.factories import SaleFactory
from subscription.models import Company, UserProfile
from subscription.templatetags.charts import axis_labels
from subscription.tenancy import use_tenant
from subscription.ui.money import format_money

NBSP = "\u00a0"
DAY = datetime.date(2026, 3, 14)
MOMENT = datetime.datetime(2026, 3, 14, 9, 5)


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_dates_are_day_first_in_every_language(language):
    with translation.override(language):
        assert date_format(DAY, "SHORT_DATE_FORMAT") == "14.03.2026"
        assert date_format(MOMENT, "SHORT_DATETIME_FORMAT") == "14.03.2026 09:05"


@pytest.mark.parametrize(
    ("language", "display", "shown"),
    [
        ("az", "symbol", f"18{NBSP}052,50{NBSP}₼"),
        ("ru", "symbol", f"18{NBSP}052,50{NBSP}₼"),
        ("en", "symbol", f"18,052.50{NBSP}₼"),
        ("az", "code", f"18{NBSP}052,50{NBSP}AZN"),
        ("ru", "code", f"18{NBSP}052,50{NBSP}AZN"),
        ("en", "code", f"18,052.50{NBSP}AZN"),
    ],
)
def test_money_is_grouped_with_the_companys_sign_or_code(language, display, shown):
    with translation.override(language):
        assert format_money(Decimal("18052.5"), "AZN", display=display) == shown
        assert format_money(None, "AZN", display=display) == "—"
    assert format_money(Decimal("1500"), "USD", display="code").endswith(f"{NBSP}USD")


@pytest.mark.parametrize(
    ("language", "largest", "labels"),
    [
        ("az", 6600, ["0", f"2{NBSP}000", f"4{NBSP}000", f"6{NBSP}000", f"8{NBSP}000"]),
        ("ru", 6600, ["0", f"2{NBSP}000", f"4{NBSP}000", f"6{NBSP}000", f"8{NBSP}000"]),
        ("en", 6600, ["0", "2,000", "4,000", "6,000", "8,000"]),
        ("az", 9.8, ["0", "2,5", "5", "7,5", "10"]),
        ("ru", 9.8, ["0", "2,5", "5", "7,5", "10"]),
        ("en", 9.8, ["0", "2.5", "5", "7.5", "10"]),
        (
            "az",
            1_250_000,
            ["0", f"500{NBSP}000", f"1{NBSP}000{NBSP}000", f"1{NBSP}500{NBSP}000", f"2{NBSP}000{NBSP}000"],
        ),
        ("az", 0, ["0", "1", "2", "3", "4"]),
    ],
)
def test_chart_axes_use_round_steps_in_the_languages_notation(language, largest, labels):
    with translation.override(language):
        assert axis_labels(largest) == labels
        svg = Template("{% load charts %}{% bar_chart labels values %}").render(
            Context({"labels": ["a", "b"], "values": [largest / 2, largest]})
        )
    axis = re.findall(r'text-anchor="end"[^>]*>([^<]*)<', svg)
    assert axis == labels
    assert not re.search(r"\dk\b", svg)


@pytest.fixture
def azerbaijani(acme, member):
    """A manager who reads the pages in Azerbaijani."""
    user = member("manager", acme)
    UserProfile.objects.filter(user=user).update(language="az")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_lists_show_day_first_dates_and_grouped_money_in_azerbaijani(acme, azerbaijani):
    start = timezone.make_aware(datetime.datetime(2026, 3, 14, 9, 5))
    with use_tenant(acme):
        AppointmentFactory(planned_start=start, status="done")
        SaleFactory(date=DAY, quantity=1000, unit_price=Decimal("18.05"), currency="AZN")
    visits = azerbaijani.get(reverse("appointments:appointment-list")).text
    assert "14.03.2026 09:05" in visits and "2026-03-14" not in visits
    assert 'class="icon-lock"' in visits and "🔒" not in visits
    sales = azerbaijani.get(reverse("sales:sale-list")).text
    assert "14.03.2026" in sales
    assert f"18{NBSP}050,00{NBSP}₼" in sales
    Company.objects.filter(pk=acme.pk).update(currency_display="code")
    assert f"18{NBSP}050,00{NBSP}AZN" in azerbaijani.get(reverse("sales:sale-list")).text


@pytest.mark.django_db
def test_a_sales_chart_has_one_currency_per_axis_and_months_by_name(acme, azerbaijani):
    with use_tenant(acme):
        SaleFactory(date=datetime.date(2025, 3, 3), quantity=1, unit_price=Decimal("6600"), currency="AZN")
        SaleFactory(date=datetime.date(2025, 3, 4), quantity=1, unit_price=Decimal("9.80"), currency="USD")
    page = azerbaijani.get(
        reverse("reports:report-detail", args=["sales_month"]), {"date_from": "2025-02-01", "date_to": "2025-03-31"}
    )
    charts = re.findall(r"<svg .*?</svg>", page.text, flags=re.S)
    assert len(charts) == 2  # AZN and USD never share an axis
    axes = [re.findall(r'text-anchor="end"[^>]*>([^<]*)<', chart) for chart in charts]
    assert axes == [["0", f"2{NBSP}000", f"4{NBSP}000", f"6{NBSP}000", f"8{NBSP}000"], ["0", "2,5", "5", "7,5", "10"]]
    assert "9,8" in charts[1]  # the USD bar's own value, in its tooltip
    assert ">Mar 2025<" in charts[0] and ">2025-03<" not in page.text
    assert "Mart 2025" in page.text  # the table's month by name
