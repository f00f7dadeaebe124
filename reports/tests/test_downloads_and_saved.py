"""CSV/XLSX downloads and saved reports hold exactly this company's rows."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Report
from reports.tests.factories import ReportFactory
from sales.tests.factories import ProductFactory, SaleFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

PERIOD = {"date_from": "2025-01-01", "date_to": "2025-01-31"}


@pytest.fixture
def sales(acme, globex):
    """Sales of two products in acme and one product in globex, in January 2025."""
    with use_tenant(globex):
        SaleFactory(date=datetime.date(2025, 1, 5), product=ProductFactory(name="Globex-only"), quantity=9)
    with use_tenant(acme):
        first, second = ProductFactory(name="Kardiomaks"), ProductFactory(name="Qastrofort")
        made = [
            SaleFactory(date=datetime.date(2025, 1, 3), product=first, quantity=4, unit_price=Decimal("12.50")),
            SaleFactory(date=datetime.date(2025, 1, 20), product=first, quantity=1, unit_price=Decimal("12.50")),
            SaleFactory(date=datetime.date(2025, 1, 21), product=second, quantity=2, unit_price=Decimal("7.40")),
            SaleFactory(date=datetime.date(2025, 2, 1), product=second, quantity=50, unit_price=Decimal("7.40")),
        ]
    return made


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_download_has_exactly_this_companys_rows(sales, acme, role_client):
    url = reverse("reports:report-detail", args=["sales_product"])
    response = role_client("manager", acme).get(url, {**PERIOD, "export": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(response)
    assert header == ["Product", "Currency", "Quantity", "Amount", "Share of amount, %", "Sales lines"]
    january = [sale for sale in sales if sale.date.month == 1]
    expected = {}
    for sale in january:
        quantity, amount = expected.get(str(sale.product), (0, Decimal(0)))
        expected[str(sale.product)] = (quantity + sale.quantity, amount + sale.amount)
    assert {row[0]: (int(row[2]), Decimal(row[3])) for row in rows} == expected
    assert not any("Globex-only" in cell for row in rows for cell in row)


def test_xlsx_download_has_exactly_this_companys_rows(sales, acme, role_client):
    url = reverse("reports:report-detail", args=["sales_month"])
    response = role_client("viewer", acme).get(url, {**PERIOD, "export": "xlsx"})

    assert response.status_code == 200
    header, *rows = xlsx_rows(response.content)
    assert header[:4] == ["Month", "Currency", "Quantity", "Amount"]
    january = [sale for sale in sales if sale.date.month == 1]
    assert rows == [
        [
            "January 2025",
            "AZN",
            sum(s.quantity for s in january),
            float(sum(s.amount for s in january)),
            100,
            len(january),
        ]
    ]


def test_an_unknown_export_format_is_a_bad_request(acme, role_client):
    response = role_client("manager", acme).get(reverse("reports:report-detail", args=["coverage"]), {"export": "pdf"})
    assert response.status_code == 400


def test_saving_keeps_the_rows_and_lists_and_downloads_them(sales, acme, role_client, member):
    client = role_client("manager", acme)
    response = client.post(reverse("reports:report-save", args=["sales_product"]), {**PERIOD, "title": "January"})

    assert response.status_code == 302
    with use_tenant(acme):
        report = Report.objects.get()
    assert response.url == reverse("reports:saved-report-detail", args=[report.pk])
    assert (report.kind, report.title) == ("sales_product", "January")
    assert (str(report.period_start), str(report.period_end)) == ("2025-01-01", "2025-01-31")
    assert report.parameters == PERIOD
    page = client.get(reverse("reports:report-detail", args=["sales_product"]), PERIOD).context["result"]
    assert report.columns == page.columns
    assert report.rows == [[float(v) if isinstance(v, Decimal) else v for v in row] for row in page.rows]
    assert report.created_by_id == response.wsgi_request.user.pk

    listing = client.get(reverse("reports:saved-report-list"))
    assert "January" in listing.text
    assert response.wsgi_request.user.get_full_name() in listing.text
    detail = client.get(response.url)
    assert "Kardiomaks" in detail.text

    downloaded = csv_rows(client.get(response.url, {"export": "csv"}))
    assert downloaded[0] == report.columns
    assert [row[0] for row in downloaded[1:]] == [row[0] for row in report.rows]
    assert [Decimal(row[3]) for row in downloaded[1:]] == [Decimal(str(row[3])) for row in report.rows]
    workbook = xlsx_rows(client.get(response.url, {"export": "xlsx"}).content)
    assert workbook == [report.columns, *report.rows]


def test_saving_without_a_title_names_it_after_the_report_and_period(acme, role_client):
    client = role_client("manager", acme)
    client.post(reverse("reports:report-save", args=["coverage"]), {**PERIOD, "by_rep": "on"})
    with use_tenant(acme):
        report = Report.objects.get()
    assert report.title == "Coverage of A/B/C doctors · January 2025"
    assert report.parameters == {**PERIOD, "by_rep": True, "territory": None}


def test_saving_a_bad_period_is_a_form_error(acme, role_client):
    response = role_client("manager", acme).post(
        reverse("reports:report-save", args=["coverage"]), {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.text
    with use_tenant(acme):
        assert not Report.objects.exists()


def test_deleting_a_saved_report(acme, role_client):
    with use_tenant(acme):
        report = ReportFactory()
    client = role_client("manager", acme)
    url = reverse("reports:saved-report-delete", args=[report.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    with use_tenant(acme):
        assert not Report.objects.exists()


def test_a_viewer_reads_saved_reports_but_cannot_save_or_delete(acme, role_client):
    with use_tenant(acme):
        report = ReportFactory(title="Kept")
    client = role_client("viewer", acme)
    assert "Kept" in client.get(reverse("reports:saved-report-list")).text
    assert client.get(reverse("reports:saved-report-detail", args=[report.pk])).status_code == 200
    assert client.post(reverse("reports:saved-report-delete", args=[report.pk])).status_code == 403
    assert client.post(reverse("reports:report-save", args=["coverage"]), PERIOD).status_code == 403
    page = client.get(reverse("reports:report-detail", args=["coverage"]))
    assert "Save this report" not in page.text
    with use_tenant(acme):
        assert Report.objects.filter(pk=report.pk).exists()


def test_another_companys_saved_report_is_not_found(acme, globex, role_client):
    with use_tenant(acme):
        shared_id = ReportFactory(title="Acme secret").pk
        acme_only = ReportFactory(title="Acme only").pk
    with use_tenant(globex):
        assert ReportFactory(title="Globex own").pk == shared_id
    client = role_client("manager", globex)

    same_id = client.get(reverse("reports:saved-report-detail", args=[shared_id]))
    assert "Globex own" in same_id.text
    assert "Acme secret" not in same_id.text
    for url in (
        reverse("reports:saved-report-detail", args=[acme_only]),
        reverse("reports:saved-report-detail", args=[acme_only]) + "?export=csv",
        reverse("reports:saved-report-delete", args=[acme_only]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("reports:saved-report-delete", args=[acme_only])).status_code == 404
    assert "Acme" not in client.get(reverse("reports:saved-report-list")).text
    with use_tenant(acme):
        assert Report.objects.filter(pk=acme_only).exists()


def test_the_saved_list_costs_the_same_queries_for_one_or_many(acme, role_client, member, count_queries):
    client = role_client("manager", acme)
    counts = []
    for adding in (1, 24):
        authors = [member("manager", acme) for _number in range(adding)]
        with use_tenant(acme):
            for author in authors:
                ReportFactory(created_by=author)
        with count_queries() as counter:
            response = client.get(reverse("reports:saved-report-list"))
        assert response.text.count("?export=csv") == len(response.context["reports"])
        counts.append(counter.count)
    assert counts[0] == counts[1]
