"""The SVG charts, and the labels the reports give them: whole, and telling each bar apart."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

from appointments.tests.factories import MonthlyPlanFactory
from reports.selectors.field import plan_done_report, samples_report, targets_report
from reports.selectors.periods import month_period
from reports.tests.factories import SalesTargetFactory
from sales.tests.factories import ProductFactory, SampleMovementFactory, SampleStockFactory
from subscription.templatetags.charts import wrap_label


def render(source: str, **context) -> str:
    return Template("{% load charts %}" + source).render(Context(context))


def test_bar_chart_draws_one_bar_per_value_scaled_to_the_largest():
    svg = render("{% bar_chart labels values %}", labels=["Jan", "Feb"], values=[5, 10])
    assert svg.count("<rect") == 2
    assert 'height="192.0"' in svg  # the largest value fills the plot's height
    assert 'height="96.0"' in svg
    assert "Jan" in svg and "Feb" in svg


def test_line_chart_draws_each_series_with_a_legend():
    svg = render(
        "{% line_chart labels series %}",
        labels=["W1", "W2", "W3"],
        series=[("Planned", [3, 4, 5]), ("Done", [1, 2, 3])],
    )
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 6
    assert "Planned" in svg and "Done" in svg


def test_labels_are_escaped():
    svg = render("{% bar_chart labels values %}", labels=["<script>"], values=[1])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_pagination_renders_page_numbers():
    from django.core.paginator import Paginator
    from django.template import RequestContext
    from django.test import RequestFactory

    page = Paginator(list(range(30)), 10).page(2)
    request = RequestFactory().get("/doctors/?q=x")
    html = Template('{% include "_pagination.html" %}').render(RequestContext(request, {"page_obj": page}))
    assert "2" in html and "3" in html
    assert "?q=x&amp;page=3" in html


def written_labels(svg: str) -> list[str]:
    """The texts of the chart's labels, a label's lines joined (axis numbers left out)."""
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return [" ".join(re.findall(r"<tspan[^>]*>(.*?)</tspan>", text)) or text for text in texts]


def test_short_labels_stand_under_their_bars():
    svg = render("{% bar_chart labels values %}", labels=["Jan", "Feb"], values=[5, 10])
    assert "<tspan" not in svg
    assert {"Jan", "Feb"} <= set(written_labels(svg))


def test_long_labels_lay_the_bars_on_their_side_and_are_written_whole():
    labels = ["Aynur Quliyeva · Kardiomaks 10 mg tablets", "Aynur Quliyeva · Nevrolin 5 mg", "Rəşad Məmmədov"]
    svg = render("{% bar_chart labels series %}", labels=labels, series=[("Given", [3, 4, 5]), ("On hand", [1, 2, 3])])
    assert svg.count("<rect") == 6
    assert set(labels) <= set(written_labels(svg))
    height = float(re.search(r'viewBox="0 0 640 ([\d.]+)"', svg).group(1))
    assert height > 3 * 2 * 11  # a row per label, tall enough for two lines


def test_a_label_too_long_for_two_lines_is_cut_with_its_whole_text_as_tooltip():
    label = "Aynur Quliyeva-Məmmədova · Kardiomaks forte 10 mg film-coated tablets in blister packs of 30"
    assert wrap_label(label, chars=33) == ["Aynur Quliyeva-Məmmədova ·", "Kardiomaks forte 10 mg film-coat…"]
    svg = render("{% bar_chart labels values %}", labels=[label, "B"], values=[1, 2])
    assert f"<title>{label}</title>" in svg


@pytest.fixture
def two_products(tenant, member):
    rep = member("representative", tenant, first_name="Aynur", last_name="Quliyeva")
    products = [ProductFactory(name="Kardiomaks"), ProductFactory(name="Nevrolin")]
    return rep, products


@pytest.mark.django_db
def test_sample_accountability_names_the_product_of_each_bar(two_products):
    rep, products = two_products
    for product in products:
        SampleMovementFactory(stock=SampleStockFactory(representative=rep, product=product))
    labels = samples_report(period=month_period(timezone.localdate())).chart_labels
    assert labels == ["Aynur Quliyeva · Kardiomaks 10 mg tablets", "Aynur Quliyeva · Nevrolin 10 mg tablets"]


@pytest.mark.django_db
def test_target_vs_actual_labels_tell_each_pair_apart(two_products):
    rep, products = two_products
    for product in products:
        SalesTargetFactory(product=product, representative=rep, quantity=10, amount=Decimal("100.00"))
    labels = targets_report(period=month_period(timezone.localdate())).chart_labels
    assert labels == ["Aynur Quliyeva · Kardiomaks 10 mg tablets", "Aynur Quliyeva · Nevrolin 10 mg tablets"]


@pytest.mark.django_db
def test_monthly_plan_labels_carry_the_whole_name(tenant, member):
    rep = member("representative", tenant, first_name="Gülnarə", last_name="Hüseynzadə")
    month = datetime.date(2030, 5, 1)
    MonthlyPlanFactory(representative=rep, month=month)
    assert plan_done_report(period=month_period(month)).chart_labels == ["2030-05 · Gülnarə Hüseynzadə"]
