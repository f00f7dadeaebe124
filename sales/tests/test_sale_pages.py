"""Sale lines: who sees which, the form's arithmetic, filters with totals, exports."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from appointments.tests.pages import csv_rows, table_rows
from doctors.tests.factories import DoctorFactory
from regions.tests.factories import CityFactory
from sales.models import Sale
from sales.tests.factories import ProductFactory, SaleFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
LIST = reverse("sales:sale-list")
PAGES = ("sale-detail", "sale-update", "sale-delete")


def page(name, sale=None):
    return reverse(f"sales:{name}", args=[sale.pk] if sale else [])


def form_data(product, **changes):
    data = {"date": "2025-03-14", "product": product.pk, "quantity": "10", "unit_price": "", "amount": ""}
    data.update(currency="AZN", source="distributor_pharmacy", distributor="Azərfarm", pharmacy="Ziko aptek")
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("role", "write", "import_"),
    [("owner", 200, 200), ("manager", 200, 200), ("representative", 200, 403), ("viewer", 403, 403)],
)
def test_it_lets_roles_read_write_and_import_sales_as_the_role_table_says(role, write, import_, acme, member, login):
    user = member(role, acme)
    with use_tenant(acme):
        sale = SaleFactory(representative=user)
    client = login(user)
    assert client.get(LIST).status_code == 200
    assert client.get(page("sale-detail", sale)).status_code == 200
    assert client.get(page("sale-create")).status_code == write
    assert client.get(page("sale-update", sale)).status_code == write
    assert client.get(page("sale-delete", sale)).status_code == write
    assert client.get(page("sale-import")).status_code == import_
    assert client.get(page("sale-import-template")).status_code == import_
    assert ("Import a file" in client.get(LIST).text) is (import_ == 200)


def test_it_shows_another_company_nothing_of_this_companys_sales(acme, globex, member, login):
    with use_tenant(acme):
        SaleFactory(invoice_number="ACME-1")
        only_acme = SaleFactory(invoice_number="ACME-2")
    with use_tenant(globex):
        same_id = SaleFactory(invoice_number="GLOBEX-1")
    client = login(member("owner", globex))
    for name in PAGES:
        assert client.get(page(name, only_acme)).status_code == 404
    assert client.post(page("sale-delete", only_acme)).status_code == 404
    detail = client.get(page("sale-detail", same_id)).text
    assert "GLOBEX-1" in detail
    assert "ACME-1" not in detail
    listing = table_rows(client.get(LIST))
    assert "GLOBEX-1" in listing
    assert "ACME" not in listing
    with use_tenant(acme):
        assert Sale.objects.count() == 2


def test_it_sends_anonymous_visitors_to_the_login_page(acme, client):
    with use_tenant(acme):
        sale = SaleFactory()
    urls = [LIST, page("sale-create"), page("sale-import"), page("sale-import-template")]
    urls += [page(name, sale) for name in PAGES]
    for url in urls:
        assert client.get(url).url.startswith(reverse("login"))


def test_it_lists_sales_in_the_same_number_of_queries_for_1_and_50_rows(acme, member, login, count_queries):
    client = login(member("manager", acme))

    def sale():
        doctor = DoctorFactory()
        SaleFactory(
            doctor=doctor, region=doctor.region, city=doctor.city, representative=member("representative", acme)
        )

    with use_tenant(acme):
        sale()
    with count_queries() as one:
        client.get(LIST)
    with use_tenant(acme):
        for _number in range(49):
            sale()
    with count_queries() as fifty:
        response = client.get(LIST)
    assert response.context["page_obj"].paginator.count == 50
    assert fifty.count == one.count


def test_it_hides_another_representatives_sales_from_a_representative(acme, member, login):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        SaleFactory(representative=rep, invoice_number="MINE-1")
        theirs = SaleFactory(representative=colleague, invoice_number="THEIRS-1")
    client = login(rep)
    for name in PAGES:
        assert client.get(page(name, theirs)).status_code == 404
    assert client.post(page("sale-delete", theirs)).status_code == 404
    listing = table_rows(client.get(LIST))
    assert "MINE-1" in listing
    assert "THEIRS-1" not in listing
    with use_tenant(acme):
        assert Sale.objects.filter(pk=theirs.pk).exists()


def test_it_credits_a_representatives_entry_to_them_whatever_is_posted(acme, member, login):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        product = ProductFactory()
    response = login(rep).post(page("sale-create"), form_data(product, representative=colleague.pk))
    assert response.status_code == 302
    with use_tenant(acme):
        assert list(Sale.objects.values_list("representative_id", flat=True)) == [rep.pk]


def test_it_works_out_the_amount_unless_it_is_given(acme, member, login):
    client = login(member("manager", acme))
    with use_tenant(acme):
        product = ProductFactory(price=Decimal("12.50"))
    client.post(page("sale-create"), form_data(product, quantity="4"))
    client.post(page("sale-create"), form_data(product, quantity="4", unit_price="10.00", amount="35.00"))
    with use_tenant(acme):
        worked_out, given = Sale.objects.order_by("pk")
    assert (worked_out.unit_price, worked_out.amount) == (Decimal("12.50"), Decimal("50.00"))
    assert (given.unit_price, given.amount) == (Decimal("10.00"), Decimal("35.00"))
    edit = client.get(page("sale-update", worked_out))
    assert edit.context["form"]["amount"].value() is None
    client.post(page("sale-update", worked_out), form_data(product, quantity="6", unit_price="12.50"))
    with use_tenant(acme):
        worked_out.refresh_from_db()
    assert worked_out.amount == Decimal("75.00")


def test_it_refuses_a_city_outside_the_chosen_region_and_saves_nothing(acme, member, login):
    here, elsewhere = CityFactory(), CityFactory()
    with use_tenant(acme):
        product = ProductFactory()
    response = login(member("manager", acme)).post(
        page("sale-create"), form_data(product, region=here.region_id, city=elsewhere.pk)
    )
    assert response.status_code == 200
    assert "city" in response.context["form"].errors
    with use_tenant(acme):
        assert not Sale.objects.exists()


def test_without_javascript_refresh_narrows_the_cities_and_saves_nothing(acme, member, login):
    city, other = CityFactory(name_az="Şəki"), CityFactory(name_az="Lənkəran")
    with use_tenant(acme):
        product = ProductFactory()
    response = login(member("manager", acme)).post(
        page("sale-create"), form_data(product, region=city.region_id, _refresh="1")
    )
    assert response.status_code == 200
    assert list(response.context["form"].fields["city"].queryset) == [city]
    assert not response.context["form"].errors
    assert "Lənkəran" not in response.text
    assert other.region_id != city.region_id
    with use_tenant(acme):
        assert not Sale.objects.exists()


def test_it_filters_sales_and_totals_all_filtered_rows(acme, globex, member, login):
    rep = member("representative", acme)
    city = CityFactory()
    with use_tenant(acme):
        product, other_product = ProductFactory(price=Decimal("2.50")), ProductFactory()
        matching = dict(
            product=product, representative=rep, region=city.region, city=city, date=datetime.date(2025, 3, 10)
        )
        SaleFactory.create_batch(30, quantity=3, **matching)  # more than one page
        SaleFactory(quantity=7, unit_price=Decimal("1.00"), **matching)
        SaleFactory(quantity=100, **{**matching, "product": other_product})
        SaleFactory(quantity=100, **{**matching, "date": datetime.date(2025, 4, 1)})
        SaleFactory(quantity=100, **{**matching, "source": "company_distributor"})
        SaleFactory(quantity=100, **{**matching, "representative": None})
    with use_tenant(globex):
        SaleFactory(quantity=500)
    query = {
        "date_from": "2025-03-01",
        "date_to": "2025-03-31",
        "product": product.pk,
        "source": "distributor_pharmacy",
        "region": city.region_id,
        "city": city.pk,
        "representative": rep.pk,
    }
    response = login(member("manager", acme)).get(LIST, query)
    totals = response.context["totals"]
    assert (totals["lines"], totals["quantity"]) == (31, 97)
    assert totals["amounts"] == [("AZN", Decimal("232.00"))]  # 30 × 3 × 2.50 + 7 × 1.00
    assert 'id="total-quantity">97<' in response.text
    assert "232.00\u00a0₼" in response.text


def test_it_exports_exactly_the_filtered_sales_of_this_company(acme, globex, member, login):
    with use_tenant(acme):
        product = ProductFactory(code="KEEP")
        kept = SaleFactory.create_batch(3, product=product)
        SaleFactory(product=ProductFactory(code="SKIP"))
    with use_tenant(globex):
        SaleFactory.create_batch(2, product=ProductFactory(code="KEEP"))
    rows = csv_rows(login(member("owner", acme)).get(LIST, {"product": product.pk, "export": "csv"}))
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(sale.pk for sale in kept)
    assert {row[2] for row in rows[1:]} == {"KEEP"}
