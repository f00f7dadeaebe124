"""The list's CSV and XLSX buttons download a file that opens (csv, openpyxl) and holds the rows the
filtered list shows; the download is marked not to be stored (Cache-Control)."""

import csv
import io
from urllib.parse import urljoin

import openpyxl
import pytest

from config.tests.browser.actions import list_codes

pytestmark = pytest.mark.browser


def rows_of(path, fmt: str) -> list[list]:
    if fmt == "csv":
        text = path.read_text(encoding="utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    workbook = openpyxl.load_workbook(path, read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_downloads_the_filtered_doctor_list(open_page, fmt, tmp_path):
    page = open_page("acme_manager")
    page.goto("/doctors/")
    page.select_option("#id_category", "A")
    page.click("main form button[type=submit]")
    page.wait_for_url("**category=A**")
    shown = list_codes(page)
    assert 0 < len(shown) < 50  # one page: every filtered doctor is on it

    link = page.locator("main a", has_text=fmt.upper()).first
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("doctors-") and download.suggested_filename.endswith(f".{fmt}")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    header, *rows = rows_of(path, fmt)
    assert len(header) > 5
    assert sorted(str(row[0]) for row in rows) == sorted(shown)

    response = page.request.get(urljoin(page.url, link.get_attribute("href")), max_redirects=0)
    assert "no-store" in response.headers["cache-control"] and "private" in response.headers["cache-control"]
