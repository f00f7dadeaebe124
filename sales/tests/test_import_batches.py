"""Idempotent imports: each file is a recorded batch, the same file again is refused with a link to the
earlier import, and a manager's undo removes exactly the batch's sales (and says so)."""

import hashlib
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments.tests.factories import PaymentFactory
from regions.tests.factories import CityFactory, RegionFactory
from sales import import_services
from sales.importing import parse_sale_rows
from sales.models import ImportBatch, Sale
from sales.tests.factories import ProductFactory, SaleFactory
from subscription.tenancy import close_tenant_connections, run_with_context, use_tenant

pytestmark = pytest.mark.django_db
IMPORT = reverse("sales:sale-import")
HEADER = "date,product_code,quantity,unit_price,region_code,city_code,invoice_number"


def csv_bytes(*lines: str) -> bytes:
    return "\n".join([HEADER, *lines]).encode("utf-8")


def upload(data: bytes, name: str = "sales.csv") -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


@pytest.fixture
def catalogue(acme):
    with use_tenant(acme):
        return {"product": ProductFactory(code="CARD-10", price=Decimal("12.50"))}


def invoices(company) -> list[str]:
    with use_tenant(company):
        return sorted(Sale.objects.values_list("invoice_number", flat=True))


def test_an_import_is_recorded_as_a_batch_with_its_sales(acme, catalogue, member, login):
    manager = member("manager", acme, first_name="Leyla", last_name="Məmmədova")
    data = csv_bytes("2025-03-14,CARD-10,2,,,,A-1", "2025-03-15,CARD-10,3,,,,A-2")
    response = login(manager).post(IMPORT, upload(data, "mart.csv"))
    assert response.status_code == 302
    with use_tenant(acme):
        batch = ImportBatch.objects.get()
        assert (batch.file_name, batch.sha256, batch.rows, batch.created_by) == (
            "mart.csv",
            hashlib.sha256(data).hexdigest(),
            2,
            manager,
        )
        assert sorted(batch.sales.values_list("invoice_number", flat=True)) == ["A-1", "A-2"]
        created = Sale.history.filter(history_type="+").order_by("history_id")
        assert [(row.history_user_id, row.history_change_reason) for row in created] == [
            (manager.pk, f"Import #{batch.pk}")
        ] * 2
    assert response.url == reverse("sales:import-batch-detail", args=[batch.pk])
    page = login(manager).get(IMPORT).text
    assert f'data-batch="{batch.pk}"' in page and "mart.csv" in page and "Leyla Məmmədova" in page


def test_the_same_file_again_is_refused_with_a_link_even_under_another_name(acme, catalogue, member, login):
    client = login(member("manager", acme))
    data = csv_bytes("2025-03-14,CARD-10,2,,,,A-1")
    assert client.post(IMPORT, upload(data, "first.csv")).status_code == 302
    for name in ("first.csv", "renamed.csv"):
        refused = client.post(IMPORT, upload(data, name))
        assert refused.status_code == 409
        with use_tenant(acme):
            batch = ImportBatch.objects.get()
        assert reverse("sales:import-batch-detail", args=[batch.pk]) in refused.text
        assert "This file was imported already" in refused.text
    assert invoices(acme) == ["A-1"]


def test_undo_removes_exactly_the_batchs_sales_and_records_who(acme, catalogue, member, login):
    manager = member("manager", acme)
    client = login(manager)
    client.post(IMPORT, upload(csv_bytes("2025-03-14,CARD-10,2,,,,KEEP-1"), "keep.csv"))
    client.post(IMPORT, upload(csv_bytes("2025-03-14,CARD-10,2,,,,GO-1", "2025-03-15,CARD-10,1,,,,GO-2"), "go.csv"))
    with use_tenant(acme):
        typed = SaleFactory(invoice_number="TYPED")
        going = ImportBatch.objects.get(file_name="go.csv")
        paid_for = going.sales.get(invoice_number="GO-1")
        payment = PaymentFactory(direction="incoming", kind="invoice", sale=paid_for)
    response = client.post(reverse("sales:import-batch-undo", args=[going.pk]))
    assert response.status_code == 302
    assert invoices(acme) == ["KEEP-1", typed.invoice_number]
    with use_tenant(acme):
        going.refresh_from_db()
        assert (going.undone_by, going.undone_at is not None, going.rows) == (manager, True, 2)
        removed = Sale.history.filter(history_type="-")
        assert sorted(removed.values_list("invoice_number", "history_user_id", "history_change_reason")) == [
            ("GO-1", manager.pk, f"Undo of import #{going.pk}"),
            ("GO-2", manager.pk, f"Undo of import #{going.pk}"),
        ]
        payment.refresh_from_db()
        assert payment.sale is None  # the payment stays, without the link
    page = client.get(reverse("sales:import-batch-detail", args=[going.pk])).text
    assert 'id="batch-undone"' in page
    assert reverse("sales:import-batch-undo", args=[going.pk]) not in page
    # Once undone, the same file may be imported again.
    again = client.post(
        IMPORT, upload(csv_bytes("2025-03-14,CARD-10,2,,,,GO-1", "2025-03-15,CARD-10,1,,,,GO-2"), "g.csv")
    )
    assert again.status_code == 302
    assert invoices(acme) == ["GO-1", "GO-2", "KEEP-1", typed.invoice_number]


def test_an_import_is_undone_once(acme, catalogue, member, login):
    client = login(member("manager", acme))
    client.post(IMPORT, upload(csv_bytes("2025-03-14,CARD-10,2,,,,A-1")))
    with use_tenant(acme):
        batch = ImportBatch.objects.get()
    client.post(reverse("sales:import-batch-undo", args=[batch.pk]))
    client.post(IMPORT, upload(csv_bytes("2025-03-14,CARD-10,2,,,,A-1")))  # imported again
    second = client.post(reverse("sales:import-batch-undo", args=[batch.pk]), follow=True)
    assert "This import is undone already." in second.text
    assert invoices(acme) == ["A-1"]


@pytest.mark.parametrize(
    ("region", "city", "expected_city"),
    [
        ("", "Sumqayıt", "sumqayit"),
        ("", "sumqayit", "sumqayit"),
        ("", "SUMQAYIT", "sumqayit"),
        ("Gəncə-Daşkəsən", "Gəncə", "ganja"),
        ("gence-daskesen", "gence", "ganja"),
        ("", "ganja", "ganja"),
        ("", "Nəsimi", "baku-nasimi"),
        ("Bakı", "Bakı — Nəsimi", "baku-nasimi"),
    ],
)
def test_places_are_read_by_their_names_as_typed_or_their_codes(acme, catalogue, member, region, city, expected_city):
    absheron = RegionFactory(code="absheron", name_az="Abşeron-Xızı")
    ganja_region = RegionFactory(code="ganja-dashkasan", name_az="Gəncə-Daşkəsən")
    baku = RegionFactory(code="baku", name_az="Bakı")
    CityFactory(code="sumqayit", name_az="Sumqayıt", region=absheron)
    CityFactory(code="ganja", name_az="Gəncə", region=ganja_region)
    CityFactory(code="baku-nasimi", name_az="Bakı — Nəsimi", region=baku)
    row = {"date": "2025-03-14", "product_code": "CARD-10", "quantity": "1", "region_code": region, "city_code": city}
    with use_tenant(acme):
        parsed = parse_sale_rows([row], company=acme, created_by=member("manager", acme))
    assert parsed.errors == []
    (sale,) = parsed.sales
    assert sale.city.code == expected_city
    assert sale.region == sale.city.region


def test_an_unknown_or_shared_place_name_is_a_row_error(acme, catalogue, member):
    first, second = RegionFactory(name_az="Şimal"), RegionFactory(name_az="Cənub")
    CityFactory(name_az="Yeni kənd", region=first)
    CityFactory(name_az="Yeni kənd", region=second)
    rows = [
        {"date": "2025-03-14", "product_code": "CARD-10", "quantity": "1", "city_code": "Heç yer"},
        {"date": "2025-03-14", "product_code": "CARD-10", "quantity": "1", "city_code": "Yeni kənd"},
    ]
    with use_tenant(acme):
        parsed = parse_sale_rows(rows, company=acme, created_by=member("manager", acme))
    assert [(error.column, error.reason.split("“")[0]) for error in parsed.errors] == [
        ("city_code", "No city or district is called or coded "),
        ("city_code", "Several places are called "),
    ]
    with use_tenant(acme):
        shared = {"date": "2025-03-14", "product_code": "CARD-10", "quantity": "1", "city_code": "Yeni kənd"}
        within = parse_sale_rows([{**shared, "region_code": "Cənub"}], company=acme, created_by=None)
    assert within.errors == [] and within.sales[0].region == second


@pytest.mark.django_db(transaction=True)  # the threads read committed master rows
def test_the_same_file_sent_twice_at_once_is_imported_once(acme, catalogue, member):
    manager = member("manager", acme)
    data = csv_bytes("2025-03-14,CARD-10,2,,,,RACE-1")
    digest = hashlib.sha256(data).hexdigest()
    rows = [{"date": "2025-03-14", "product_code": "CARD-10", "quantity": "2", "invoice_number": "RACE-1"}]
    barrier, outcomes = threading.Barrier(2), []

    def send():
        try:
            barrier.wait(timeout=10)
            import_services.sale_import(rows=rows, company=acme, created_by=manager, file_name="x.csv", sha256=digest)
            outcomes.append("imported")
        except import_services.DuplicateImport:
            outcomes.append("refused")
        finally:
            close_tenant_connections()

    with use_tenant(acme):
        threads = [threading.Thread(target=run_with_context(send)) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["imported", "refused"]
    assert invoices(acme) == ["RACE-1"]
