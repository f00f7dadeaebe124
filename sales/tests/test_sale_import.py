"""Importing a distributor's file: every row or none, with a report of what to fix."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from appointments.tests.pages import csv_rows
from doctors.tests.factories import DoctorFactory
from regions.tests.factories import CityFactory
from sales.importing import COLUMN_NAMES, EXAMPLE_ROW
from sales.models import Sale
from sales.tests.factories import ProductFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
IMPORT = reverse("sales:sale-import")
HEADER = "date,product_code,quantity,unit_price,source,distributor,pharmacy,region_code,city_code,representative,doctor_code,invoice_number"


def csv_file(*lines: str, name: str = "sales.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines]).encode("utf-8"), content_type="text/csv")


@pytest.fixture
def catalogue(acme):
    with use_tenant(acme):
        return {
            "product": ProductFactory(code="CARD-10", price=Decimal("12.50")),
            "doctor": DoctorFactory(code="D-77"),
            "city": CityFactory(code="sheki"),
        }


@pytest.fixture
def manager(acme, member):
    return member("manager", acme, username="acme-manager")


def test_it_saves_every_row_of_a_good_file(acme, catalogue, manager, login):
    rep_login = "acme-manager"
    response = login(manager).post(
        IMPORT,
        {
            "file": csv_file(
                f"2025-03-14,CARD-10,24,,,Azərfarm,Zəfəran aptek,,sheki,{rep_login},D-77,INV-1",
                "15.03.2025,CARD-10,2,10.00,company_distributor,Avromed,,,,,,INV-2",
                '2025-03-16,CARD-10,1,"11,40",,,,,,,,',
            )
        },
    )
    assert response.status_code == 302
    assert "3 sales are imported." in login(manager).get(response.url).text
    with use_tenant(acme):
        first, second, third = Sale.objects.order_by("pk")
        assert (first.city, first.region, first.representative, first.doctor) == (
            catalogue["city"],
            catalogue["city"].region,
            manager,
            catalogue["doctor"],
        )
    assert (first.quantity, first.unit_price, first.amount) == (24, Decimal("12.50"), Decimal("300.00"))
    assert (str(second.date), second.source, second.amount) == ("2025-03-15", "company_distributor", Decimal("20.00"))
    assert third.amount == Decimal("11.40")
    assert first.created_by == manager


def test_it_saves_nothing_from_a_file_with_one_bad_row_and_says_which_and_why(acme, catalogue, manager, login):
    response = login(manager).post(
        IMPORT,
        {
            "file": csv_file(
                "2025-03-14,CARD-10,24,,,,,,,,,",
                "2025-03-15,NO-SUCH,5,,,,,,,,,",
                "2025-03-16,CARD-10,3,,,,,,,,,",
            )
        },
    )
    assert response.status_code == 400
    errors = response.context["row_errors"]
    assert [(error.row, error.column) for error in errors] == [(3, "product_code")]
    assert "No product has the code “NO-SUCH”" in errors[0].reason
    assert "Nothing was saved: 1 problem to fix." in response.text
    assert "NO-SUCH" in response.text
    with use_tenant(acme):
        assert not Sale.objects.exists()


def test_it_reports_every_bad_cell_of_every_row(acme, catalogue, manager, login):
    response = login(manager).post(
        IMPORT,
        {
            "file": csv_file(
                "31.02.2025,CARD-10,0,abc,somewhere,,,,,nobody,D-00,",
                "2025-03-15,CARD-10,5,,,,,nowhere,sheki,,,",
            )
        },
    )
    reported = {(error.row, error.column) for error in response.context["row_errors"]}
    assert reported == {
        (2, "date"),
        (2, "quantity"),
        (2, "unit_price"),
        (2, "source"),
        (2, "representative"),
        (2, "doctor_code"),
        (3, "region_code"),
    }
    with use_tenant(acme):
        assert not Sale.objects.exists()


def test_it_imports_an_xlsx_file(acme, catalogue, manager, login):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Product code", "Quantity", "Unit price", "Invoice number"])
    sheet.append(["2025-03-14", "CARD-10", 6, 12.5, "X-1"])
    sheet.append(["2025-03-15", "CARD-10", 4, None, "X-2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("distributor.xlsx", buffer.getvalue())
    response = login(manager).post(IMPORT, {"file": upload})
    assert response.status_code == 302
    with use_tenant(acme):
        assert list(Sale.objects.order_by("pk").values_list("invoice_number", "amount")) == [
            ("X-1", Decimal("75.00")),
            ("X-2", Decimal("50.00")),
        ]


@pytest.mark.parametrize("name", ["chart.png", "chart.csv"])
def test_it_refuses_a_picture_with_a_clear_message(name, acme, catalogue, manager, login):
    picture = SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256)))
    response = login(manager).post(IMPORT, {"file": picture})
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert errors[0].startswith(f"“{name}”")
    assert ("is not a spreadsheet" in errors[0]) or ("neither an XLSX spreadsheet nor" in errors[0])
    assert errors[0] in response.text.replace("&quot;", '"')
    with use_tenant(acme):
        assert not Sale.objects.exists()


def test_it_names_a_missing_column(acme, catalogue, manager, login):
    upload = SimpleUploadedFile("sales.csv", b"date,quantity\n2025-03-14,3\n")
    response = login(manager).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert "The file has no column product_code." in response.context["form"].errors["file"][0]


def test_it_refuses_a_file_with_too_many_rows(acme, catalogue, manager, login):
    upload = csv_file(*["2025-03-14,CARD-10,1,,,,,,,,,"] * 5001)
    response = login(manager).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert (
        "The file has more than 5000 rows; one upload takes at most 5000." in response.context["form"].errors["file"][0]
    )
    with use_tenant(acme):
        assert not Sale.objects.exists()


def test_it_imports_into_this_company_only(acme, globex, catalogue, manager, login):
    with use_tenant(globex):
        ProductFactory(code="CARD-10")
    login(manager).post(IMPORT, {"file": csv_file("2025-03-14,CARD-10,1,,,,,,,,,")})
    with use_tenant(acme):
        assert Sale.objects.count() == 1
    with use_tenant(globex):
        assert Sale.objects.count() == 0


def test_it_shows_the_expected_columns_and_offers_templates(acme, manager, login):
    client = login(manager)
    page = client.get(IMPORT)
    for column in COLUMN_NAMES:
        assert f"<code>{column}</code>" in page.text
    template = reverse("sales:sale-import-template")
    example = [EXAMPLE_ROW.get(name, "") for name in COLUMN_NAMES]
    assert csv_rows(client.get(template, {"format": "csv"})) == [COLUMN_NAMES, example]
    sheet = load_workbook(io.BytesIO(client.get(template, {"format": "xlsx"}).content)).active
    assert [cell.value for cell in sheet[1]] == COLUMN_NAMES
    assert [cell.value or "" for cell in sheet[2]] == example
    assert client.get(template, {"format": "pdf"}).status_code == 400


def test_the_templates_example_row_imported_unchanged_is_refused(acme, catalogue, manager, login):
    client = login(manager)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("sales:sale-import-template"), {"format": fmt})
        template = b"".join(response.streaming_content) if response.streaming else response.content
        response = client.post(IMPORT, {"file": SimpleUploadedFile(f"template.{fmt}", template)})
        assert response.status_code == 400
        assert "example row" in response.text
    with use_tenant(acme):
        assert not Sale.objects.exists()


def test_it_lets_no_representative_or_viewer_import(acme, catalogue, member, login):
    for role in ("representative", "viewer"):
        response = login(member(role, acme)).post(IMPORT, {"file": csv_file("2025-03-14,CARD-10,1,,,,,,,,,")})
        assert response.status_code == 403
    with use_tenant(acme):
        assert not Sale.objects.exists()


def test_it_numbers_bad_rows_as_the_spreadsheet_does_blank_lines_included(acme, catalogue, manager, login):
    response = login(manager).post(
        IMPORT,
        {"file": csv_file("2025-03-14,CARD-10,24,,,,,,,,,", "", ",,,,,,,,,,,", "2025-03-15,NO-SUCH,5,,,,,,,,,")},
    )
    assert response.status_code == 400
    assert [(error.row, error.column) for error in response.context["row_errors"]] == [(5, "product_code")]
