"""The product catalogue: everyone reads it, managers keep it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from appointments.tests.pages import csv_rows, table_rows
from sales.models import Product
from sales.tests.factories import ProductFactory, SaleFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
LIST = reverse("sales:product-list")


def page(name, product=None):
    return reverse(f"sales:{name}", args=[product.pk] if product else [])


@pytest.mark.parametrize(
    ("role", "write"), [("owner", 200), ("manager", 200), ("representative", 403), ("viewer", 403)]
)
def test_it_lets_everyone_read_products_and_only_managers_change_them(role, write, acme, member, login):
    with use_tenant(acme):
        product = ProductFactory()
    client = login(member(role, acme))
    assert client.get(LIST).status_code == 200
    assert client.get(page("product-detail", product)).status_code == 200
    assert client.get(page("product-create")).status_code == write
    assert client.get(page("product-update", product)).status_code == write
    assert client.get(page("product-deactivate", product)).status_code == write
    assert client.post(page("product-delete", product)).status_code == (302 if write == 200 else 403)


def test_it_shows_another_company_none_of_this_companys_products(acme, globex, member, login):
    with use_tenant(acme):
        ProductFactory(name="Acmemaks")
        only_acme = ProductFactory(name="Acmemaks")
    with use_tenant(globex):
        same_id = ProductFactory(name="Globexvit")
    client = login(member("manager", globex))
    for name in ("product-detail", "product-update", "product-deactivate", "product-delete"):
        assert client.get(page(name, only_acme)).status_code == 404
    assert "Globexvit" in client.get(page("product-detail", same_id)).text
    listing = table_rows(client.get(LIST))
    assert "Globexvit" in listing
    assert "Acmemaks" not in listing


def test_it_sends_anonymous_visitors_to_the_login_page(acme, client):
    with use_tenant(acme):
        product = ProductFactory()
    for url in (LIST, page("product-create"), page("product-detail", product), page("product-update", product)):
        assert client.get(url).url.startswith(reverse("login"))


def test_it_lists_products_in_the_same_number_of_queries_for_1_and_50_rows(acme, member, login, count_queries):
    client = login(member("viewer", acme))
    with use_tenant(acme):
        ProductFactory()
    with count_queries() as one:
        client.get(LIST)
    with use_tenant(acme):
        ProductFactory.create_batch(49)
    with count_queries() as fifty:
        response = client.get(LIST)
    assert response.context["page_obj"].paginator.count == 50
    assert fifty.count == one.count


def test_it_adds_a_product_and_refuses_a_code_in_use(acme, member, login):
    client = login(member("manager", acme))
    data = {"code": "CARD-10", "name": "Kardiomaks", "form": "tablets", "strength": "10 mg", "price": "12.50"}
    data["is_active"] = "on"
    response = client.post(page("product-create"), data)
    with use_tenant(acme):
        product = Product.objects.get()
    assert response.url == page("product-detail", product)
    assert (product.price, product.is_active) == (Decimal("12.50"), True)
    again = client.post(page("product-create"), {**data, "name": "Another"})
    assert again.status_code == 200
    assert "code" in again.context["form"].errors
    with use_tenant(acme):
        assert Product.objects.count() == 1


def test_it_deactivates_a_product_with_sales_and_keeps_the_sales(acme, member, login):
    with use_tenant(acme):
        sale = SaleFactory()
    client = login(member("manager", acme))
    client.post(page("product-deactivate", sale.product), {"active": "0"})
    with use_tenant(acme):
        sale.product.refresh_from_db()
        assert Product.objects.filter(pk=sale.product.pk).exists()
    assert sale.product.is_active is False
    assert "Inactive" in client.get(page("product-detail", sale.product)).text
    offered = client.get(reverse("sales:sale-create")).context["form"].fields["product"].queryset
    with use_tenant(acme):
        assert sale.product not in offered
    client.post(page("product-deactivate", sale.product), {"active": "1"})
    with use_tenant(acme):
        sale.product.refresh_from_db()
    assert sale.product.is_active is True


def test_it_exports_the_filtered_products(acme, member, login):
    with use_tenant(acme):
        ProductFactory(code="ON-1")
        ProductFactory(code="OFF-1", is_active=False)
    rows = csv_rows(login(member("owner", acme)).get(LIST, {"is_active": "0", "export": "csv"}))
    assert [row[0] for row in rows[1:]] == ["OFF-1"]
