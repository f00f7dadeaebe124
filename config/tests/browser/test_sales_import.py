"""Importing a distributor's file through the upload form: a file with bad rows is refused whole with
a row-by-row report; a good file (XLSX, as a spreadsheet writes it) is saved whole; the same file again
is refused with a link to its import, whose undo removes its sales."""

import datetime
import re

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def sale_lines(page) -> int:
    page.goto("/sales/")
    return int(page.inner_text("#total-lines"))


def product_codes(page) -> list[str]:
    page.goto("/sales/products/")
    return [code.strip() for code in page.locator("main table tbody tr:has(td + td) td:first-child").all_inner_texts()]


def upload(page, path) -> None:
    page.goto("/sales/import/")
    page.set_input_files("main form input[type=file]", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")


def test_it_refuses_a_file_with_bad_rows_and_lists_them(open_page, tmp_path):
    page = open_page("acme_manager")
    page.problems.expect_status(400)  # the refused file's page answers 400 Bad Request
    code = product_codes(page)[0]
    before = sale_lines(page)
    bad = tmp_path / "distributor.csv"
    bad.write_text(
        "date,product_code,quantity,unit_price,invoice_number\n"
        f"2025-03-14,{code},10,12.50,E2E-OK\n"
        "2025-03-14,NO-SUCH-PRODUCT,10,12.50,E2E-BAD1\n"
        f"14.99.2025,{code},0,12.50,E2E-BAD2\n",
        encoding="utf-8",
    )
    upload(page, bad)
    report = page.locator("#import-errors tbody tr")
    expect(report.first).to_be_visible()
    assert {row.split()[0] for row in report.all_inner_texts()} == {"3", "4"}  # the header is row 1
    assert sale_lines(page) == before  # nothing saved, not even the good row


def test_it_imports_a_good_xlsx_file(open_page, tmp_path):
    page = open_page("acme_manager")
    codes = product_codes(page)[:2]
    before = sale_lines(page)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["date", "product_code", "quantity", "unit_price", "distributor", "invoice_number"])
    today = datetime.date.today()
    for number, code in enumerate(codes, start=1):
        sheet.append([today, code, 5 * number, 9.75, "Azərfarm", f"E2E-INV-{number}"])
    good = tmp_path / "distributor.xlsx"
    workbook.save(good)
    upload(page, good)
    page.wait_for_url(re.compile(r"/sales/import/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    batch = page.url
    assert sale_lines(page) == before + len(codes)
    page.fill("#id_q", "E2E-INV")
    page.press("#id_q", "Enter")
    page.wait_for_load_state("load")
    assert int(page.inner_text("#total-lines")) == len(codes)

    # The same file again is refused, with a link to the import that brought it.
    page.problems.expect_status(409)
    upload(page, good)
    expect(page.locator("#duplicate-import")).to_be_visible()
    assert sale_lines(page) == before + len(codes)
    upload(page, good)
    page.click("#duplicate-import a")
    page.wait_for_url(batch)
    page.click("form[action$='/undo/'] button")
    page.wait_for_url(batch)
    expect(page.locator("#batch-undone")).to_be_visible()
    assert sale_lines(page) == before
