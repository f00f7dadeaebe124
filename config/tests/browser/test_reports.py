"""A report with its chart: the SVG chart draws one point per row and series, its legend shows the
series' colours (from the stylesheet: the CSP allows no inline style), and the report can be saved and
downloaded again."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def table_header(page) -> list[str]:
    return [text.strip() for text in page.locator("main table.report-table thead th").all_inner_texts()]


def test_it_draws_the_chart_of_visits_planned_and_done(open_page):
    page = open_page("acme_manager")
    page.goto("/reports/visits_plan/")
    page.locator("main .btn-group a[href*='preset=this_quarter']").click()
    page.wait_for_url("**preset=this_quarter**")
    rows = page.locator("main table.report-table tbody tr").count()
    chart = page.locator("main figure.chart svg")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 300
    assert page.locator("main figure.chart svg polyline").count() == 2  # planned, done
    assert page.locator("main figure.chart svg circle").count() == 2 * rows
    swatches = page.locator("main .chart-swatch")
    assert swatches.count() == 2
    colours = swatches.evaluate_all("spans => spans.map(span => getComputedStyle(span).backgroundColor)")
    strokes = page.locator("main figure.chart svg polyline").evaluate_all(
        "lines => lines.map(line => getComputedStyle(line).stroke)"
    )
    assert colours == strokes  # the legend's colours are the lines' colours


def test_it_saves_a_report_and_downloads_it_again(open_page, tmp_path):
    page = open_page("acme_manager")
    page.goto("/reports/sales_region/?preset=this_year")
    header = table_header(page)
    expect(page.locator("main figure.chart svg rect").first).to_be_visible()
    page.fill("#id_title", "E2E sales by region")
    page.locator("form[action$='/save/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reports/saved/\d+/$"))
    expect(page.locator("main h1")).to_contain_text("E2E sales by region")
    with page.expect_download() as download_info:
        page.locator("main a[href='?export=csv']").click()
    path = tmp_path / "saved.csv"
    download_info.value.save_as(path)
    saved = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert saved[0] == header
    assert len(saved) > 1
