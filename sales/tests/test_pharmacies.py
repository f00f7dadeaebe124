"""Pharmacies: company records, kept by managers; sales point to them from the form and the import."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appointments.tests.factories import AppointmentFactory
from regions.tests.factories import CityFactory
from sales.models import Pharmacy, Sale
from sales.tests.factories import PharmacyFactory, ProductFactory, SaleFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
HEADER = "date,product_code,quantity,pharmacy,city_code"


def test_managers_add_pharmacies_and_everyone_reads_them(acme, globex, member, login):
    city = CityFactory(name_az="Şəki")
    data = {"name": "Ziko aptek", "chain": "Ziko", "city": city.pk, "phone": "+994 12 555 10 10", "is_active": "on"}
    assert login(member("representative", acme)).post(reverse("sales:pharmacy-create"), data).status_code == 403
    assert login(member("manager", acme)).post(reverse("sales:pharmacy-create"), data).status_code == 302
    again = login(member("manager", acme)).post(reverse("sales:pharmacy-create"), data)
    assert "already recorded in this city" in again.text
    for role in ("representative", "viewer"):
        assert "Ziko aptek" in login(member(role, acme)).get(reverse("sales:pharmacy-list")).text
    assert "Ziko aptek" not in login(member("manager", globex)).get(reverse("sales:pharmacy-list")).text


def test_a_sale_points_to_a_pharmacy_from_the_form(acme, member, login):
    with use_tenant(acme):
        product, pharmacy = ProductFactory(), PharmacyFactory(name="Buta aptek")
    response = login(member("manager", acme)).post(
        reverse("sales:sale-create"),
        {
            "date": "2025-03-14",
            "product": product.pk,
            "quantity": 3,
            "currency": "AZN",
            "source": "distributor_pharmacy",
            "pharmacy_record": pharmacy.pk,
        },
    )
    assert response.status_code == 302
    with use_tenant(acme):
        sale = Sale.objects.get()
    assert (sale.pharmacy_record_id, sale.pharmacy) == (pharmacy.pk, "Buta aptek")
    assert "Buta aptek" in login(member("viewer", acme)).get(pharmacy.get_absolute_url()).text


def test_the_import_links_a_sale_to_the_pharmacy_it_names(acme, member, login):
    sheki, ganja = CityFactory(code="sheki"), CityFactory(code="ganja")
    with use_tenant(acme):
        ProductFactory(code="CARD-10", price=Decimal("12.50"))
        known = PharmacyFactory(name="Zəfəran aptek", city=sheki)
        PharmacyFactory(name="Ziko aptek", city=sheki)
        twin = PharmacyFactory(name="Ziko aptek", city=ganja)
    upload = "\n".join(
        [
            HEADER,
            "2025-03-14,CARD-10,1,ZƏFƏRAN APTEK,",
            "2025-03-14,CARD-10,1,Ziko aptek,ganja",
            "2025-03-14,CARD-10,1,Ziko aptek,",
            "2025-03-14,CARD-10,1,Naməlum,",
        ]
    )
    response = login(member("manager", acme)).post(
        reverse("sales:sale-import"), {"file": SimpleUploadedFile("s.csv", upload.encode(), content_type="text/csv")}
    )
    assert response.status_code == 302
    with use_tenant(acme):
        linked = list(Sale.objects.order_by("pk").values_list("pharmacy_record_id", flat=True))
    # Two pharmacies share the name "Ziko aptek": the row's city tells them apart, without one it stays unlinked.
    assert linked == [known.pk, twin.pk, None, None]


def test_a_pharmacy_with_history_is_deactivated_not_deleted(acme, member, login):
    with use_tenant(acme):
        used, unused = PharmacyFactory(), PharmacyFactory()
        SaleFactory(pharmacy_record=used)
        AppointmentFactory(kind="pharmacy", doctor=None, pharmacy=PharmacyFactory())
    client = login(member("manager", acme))
    client.post(reverse("sales:pharmacy-delete", args=[used.pk]))
    client.post(reverse("sales:pharmacy-delete", args=[unused.pk]))
    with use_tenant(acme):
        assert list(Pharmacy.objects.filter(pk__in=[used.pk, unused.pk]).values_list("pk", "is_active")) == [
            (used.pk, False)
        ]
