"""The sales import page under hostile files: a clear 400, nothing saved, memory and time bounded."""

import csv
import datetime
import io
import re
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from sales.importing import COLUMN_NAMES, MAX_REPORTED_ERRORS
from sales.models import Sale
from sales.tests.factories import ProductFactory
from subscription.tenancy import use_tenant
from subscription.tests import hostile_tables as hostile
from subscription.tests.hostile_tables import MEMORY_BOUND, REFUSALS, TIME_BOUND, measure

pytestmark = pytest.mark.django_db
IMPORT = reverse("sales:sale-import")
CREATE = reverse("sales:sale-create")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MAX_PAGE_BYTES = 150_000


@pytest.fixture
def catalogue(acme, globex):
    for company in (acme, globex):
        with use_tenant(company):
            ProductFactory(code="CARD-10", price=Decimal("12.50"))


def post_file(client, name: str, data: bytes):
    """The import page's answer to an upload, and what handling it cost.

    The test client keeps the whole request body in memory (a server spools it to a temporary
    file), so that copy is taken off the peak.
    """
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile(name, data)})
    with measure() as usage:
        response = client.generic("POST", IMPORT, body, content_type=MULTIPART_CONTENT)
    usage.peak -= len(body)
    return response, usage


def saved(company) -> int:
    with use_tenant(company):
        return Sale.objects.count()


def csv_upload(rows: list[list[str]], header: list[str] = COLUMN_NAMES) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode()


def test_every_hostile_file_has_an_expected_refusal():
    assert set(REFUSALS) == set(hostile.HOSTILE)


@pytest.mark.parametrize("case", sorted(hostile.HOSTILE))
def test_a_hostile_file_gets_a_clear_error_saves_nothing_and_stays_bounded(case, acme, globex, catalogue, client_for):
    name, make = hostile.HOSTILE[case]
    response, usage = post_file(client_for("manager", acme), name, make())
    assert response.status_code == 400
    [error] = response.context["form"].errors["file"]
    assert REFUSALS[case] in error
    assert len(response.content) < MAX_PAGE_BYTES
    assert saved(acme) == saved(globex) == 0
    assert usage.peak < MEMORY_BOUND, f"{usage.peak / 2**20:.1f} MB"
    assert usage.seconds < TIME_BOUND, f"{usage.seconds:.1f} s"


def test_an_external_entity_shows_no_local_file(acme, catalogue, client_for, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    response, _usage = post_file(client_for("manager", acme), "xxe.xlsx", hostile.xxe(str(secret)))
    assert response.status_code == 400
    assert "declares an XML document type" in response.context["form"].errors["file"][0]
    assert "TOP-SECRET" not in response.text
    assert saved(acme) == 0


HOSTILE_NUMBERS = ["1E+1000000", "-1E+1000000", "1E-1000000", "NaN", "sNaN", "Infinity", "-inf", "9" * 999, "1e99"]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize("column", ["quantity", "unit_price"])
def test_a_hostile_number_is_a_row_error(column, value, acme, catalogue, client_for):
    row = {"date": "2025-03-14", "product_code": "CARD-10", "quantity": "2", column: value}
    data = csv_upload([[row.get(name, "") for name in COLUMN_NAMES]])
    response, _usage = post_file(client_for("manager", acme), "sales.csv", data)
    assert response.status_code == 400
    assert [(error.row, error.column) for error in response.context["row_errors"]] == [(2, column)]
    assert len(response.context["row_errors"][0].reason) < 200
    assert saved(acme) == 0


def test_a_number_longer_than_a_cell_may_be_is_refused_with_its_place(acme, catalogue, client_for):
    data = csv_upload([["2025-03-14", "CARD-10", "9" * 5000]], header=["date", "product_code", "quantity"])
    response, _usage = post_file(client_for("manager", acme), "sales.csv", data)
    assert response.status_code == 400
    assert "Row 2, column C holds more than 1000 characters" in response.context["form"].errors["file"][0]
    assert saved(acme) == 0


def test_wrong_types_in_an_xlsx_file_are_row_errors(acme, catalogue, client_for):
    response, _usage = post_file(client_for("manager", acme), "types.xlsx", hostile.wrong_types())
    assert response.status_code == 400
    reported = {(error.row, error.column) for error in response.context["row_errors"]}
    assert {(2, "date"), (2, "product_code"), (2, "quantity"), (2, "unit_price")} <= reported
    assert {(3, "quantity"), (3, "unit_price"), (4, "product_code"), (4, "quantity")} <= reported
    assert saved(acme) == 0


def test_the_error_report_is_capped_and_quotes_a_hundred_characters_of_a_cell(acme, catalogue, client_for, settings):
    settings.IMPORT_INLINE_ROWS = 10_000  # checked in the request (a file this long is otherwise a job: same cap)
    long = "x" * 1000
    rows = [["2025-03-14", long, long, long] for _ in range(3000)]
    data = csv_upload(rows, header=["date", "product_code", "quantity", "unit_price"])
    response, usage = post_file(client_for("manager", acme), "sales.csv", data)
    assert response.status_code == 400
    errors = response.context["row_errors"]
    assert len(errors) == MAX_REPORTED_ERRORS
    assert response.context["error_count"] == 9000
    assert "…and 8900 more." in response.text
    assert all(len(error.reason) < 200 and "x" * 99 + "…" in error.reason for error in errors)
    assert len(response.content) < MAX_PAGE_BYTES
    assert usage.peak < MEMORY_BOUND
    assert saved(acme) == 0


def good_workbook(rows: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Product code", "Quantity", "Unit price", "Distributor", "Pharmacy", "Invoice number"])
    for n in range(rows):
        sheet.append(
            [datetime.date(2025, 3, 1 + n % 28), "CARD-10", 1 + n % 50, 12.5, "Azərfarm", f"Aptek {n % 300}", f"I-{n}"]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_good_file_of_5000_rows_still_imports_whole_and_soon(acme, globex, catalogue, client_for):
    data = good_workbook(5000)
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("sales.xlsx", data)})
    started = time.perf_counter()
    response = client_for("manager", acme).generic("POST", IMPORT, body, content_type=MULTIPART_CONTENT)
    seconds = time.perf_counter() - started
    assert response.status_code == 302
    assert (saved(acme), saved(globex)) == (5000, 0)
    with use_tenant(acme):
        assert Sale.objects.filter(invoice_number="I-4999", quantity=50, amount=Decimal("625.00")).exists()
    assert seconds < 30, f"{seconds:.1f} s"


@pytest.mark.parametrize(
    "field, value",
    [(field, value) for field in ("quantity", "unit_price", "amount") for value in HOSTILE_NUMBERS],
)
def test_the_sale_forms_numbers_give_a_form_error(field, value, acme, catalogue, client_for):
    with use_tenant(acme):
        product = ProductFactory(code="P-1")
    data = {"date": "2025-03-14", "product": product.pk, "quantity": "10", "unit_price": "", "amount": ""}
    data.update(currency="AZN", source="distributor_pharmacy", **{field: value})
    response = client_for("manager", acme).post(CREATE, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert saved(acme) == 0


# Fuzzing: the page never answers 5xx and saves all rows or none ----------------------------------

CELLS = st.one_of(
    st.sampled_from(["", "2025-03-14", "14.03.2025", "CARD-10", "NO-SUCH", "1", "0", "12,50", "1E+1000000", "NaN"]),
    st.sampled_from(["company_distributor", "baku", "-1", "9" * 40, "1e5", " 3 ", "\t", "Ə"]),
    st.text(max_size=12),
)


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=4, max_size=6), min_size=1, max_size=8))
def test_fuzzed_uploads_get_an_answer_and_save_all_rows_or_none(rows, acme, catalogue, client_for):
    with use_tenant(acme):
        Sale.objects.all().delete()
    data = csv_upload(rows, header=["date", "product_code", "quantity", "unit_price", "source", "city_code"])
    response, _usage = post_file(client_for("manager", acme), "fuzz.csv", data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert saved(acme) == int(re.search(r"(\d+) sales? (is|are) imported", follow(response)).group(1))
        assert saved(acme) > 0
    else:
        assert saved(acme) == 0


def follow(response) -> str:
    return response.client.get(response.url).text


@FUZZ
@given(quantity=CELLS, unit_price=CELLS, amount=CELLS, date=CELLS)
def test_fuzzed_sale_forms_get_an_answer_and_save_one_sale_or_none(
    quantity, unit_price, amount, date, acme, catalogue, client_for
):
    with use_tenant(acme):
        Sale.objects.all().delete()
        product = ProductFactory()
    data = {"date": date, "product": product.pk, "quantity": quantity, "unit_price": unit_price, "amount": amount}
    data.update(currency="AZN", source="distributor_pharmacy")
    response = client_for("manager", acme).post(CREATE, data)
    assert response.status_code in (200, 302)
    assert saved(acme) == (1 if response.status_code == 302 else 0)
