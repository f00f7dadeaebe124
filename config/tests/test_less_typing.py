"""Less typing: "Plan a visit" from the doctor's card, and cities narrowed by the region in every list's filters."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from doctors.tests.factories import DoctorFactory
from regions.tests.factories import CityFactory, ClinicFactory, RegionFactory
from sales.tests.factories import PharmacyFactory, SaleFactory
from subscription.tenancy import use_tenant
from subscription.ui.permissions import PERMISSIONS

pytestmark = pytest.mark.django_db
ROLES = ["owner", "manager", "representative", "viewer"]


@pytest.mark.parametrize("role", ROLES)
def test_the_doctor_card_offers_to_plan_a_visit_to_those_who_may(acme, member, login, role):
    user = member(role, acme)
    with use_tenant(acme):
        doctor = DoctorFactory(representative=user)
    client = login(user)
    page = client.get(reverse("doctors:doctor-detail", args=[doctor.pk])).text
    link = f"{reverse('appointments:appointment-create')}?doctor={doctor.pk}"
    assert (link in page) == (role in PERMISSIONS["appointment_edit"])
    if role in PERMISSIONS["appointment_edit"]:
        form = client.get(link).context["form"]
        assert str(form["doctor"].value()) == str(doctor.pk)


@pytest.fixture
def places():
    """Two regions, a city in each; Ganja's region has a second city."""
    baku, ganja_region = RegionFactory(name_az="Bakı"), RegionFactory(name_az="Gəncə-Daşkəsən")
    return {
        "baku": baku,
        "ganja_region": ganja_region,
        "nasimi": CityFactory(region=baku, name_az="Nəsimi"),
        "ganja": CityFactory(region=ganja_region, name_az="Gəncə"),
        "goygol": CityFactory(region=ganja_region, name_az="Göygöl"),
    }


def test_city_choices_follow_the_chosen_region_in_every_filter(acme, member, login, places):
    client = login(member("manager", acme))
    for path in (reverse("doctors:doctor-list"), reverse("sales:sale-list"), reverse("sales:pharmacy-list")):
        every = client.get(path).context["filter_form"].fields["city"].queryset
        assert {places["nasimi"], places["ganja"], places["goygol"]} <= set(every), path
        narrowed = client.get(path, {"region": places["ganja_region"].pk}).context["filter_form"].fields["city"]
        assert set(narrowed.queryset) == {places["ganja"], places["goygol"]}, path
        region = client.get(path).context["filter_form"].fields["region"].widget.attrs
        assert region["hx-get"] == reverse("regions:city-options") and "any_city" in region["hx-vals"]
    options = client.get(reverse("regions:city-options"), {"region": "", "any_city": "1"}).text
    assert "Nəsimi" in options and "Göygöl" in options
    assert "Nəsimi" not in client.get(reverse("regions:city-options"), {"region": places["ganja_region"].pk}).text


def test_sales_filter_by_region_and_ignore_a_city_outside_it(acme, member, login, places):
    today = datetime.date.today()
    with use_tenant(acme):
        in_baku = SaleFactory(region=places["baku"], city=places["nasimi"], invoice_number="BAKU", date=today)
        # An imported line that names only its city belongs to the city's region too.
        only_city = SaleFactory(region=None, city=places["goygol"], invoice_number="GOYGOL", date=today)
        in_ganja = SaleFactory(region=places["ganja_region"], city=places["ganja"], invoice_number="GANJA", date=today)
        SaleFactory(region=places["ganja_region"], city=places["ganja"], invoice_number="OLD", unit_price=Decimal(1))
    client = login(member("manager", acme))

    def invoices(**query) -> set[str]:
        return {sale.invoice_number for sale in client.get(reverse("sales:sale-list"), query).context["sales"]}

    assert invoices(region=places["ganja_region"].pk) >= {only_city.invoice_number, in_ganja.invoice_number}
    assert in_baku.invoice_number not in invoices(region=places["ganja_region"].pk)
    # A city of another region (left over from before the region changed) is ignored, the rest applies.
    ignored = invoices(region=places["ganja_region"].pk, city=places["nasimi"].pk, q="GOYGOL")
    assert ignored == {"GOYGOL"}


def test_the_pharmacy_and_doctor_filters_ignore_a_city_outside_the_region(acme, member, login, places):
    with use_tenant(acme):
        PharmacyFactory(name="Zəfəran", city=places["ganja"])
        PharmacyFactory(name="Nəsimi aptek", city=places["nasimi"])
        DoctorFactory(code="G1", clinic=ClinicFactory(city=places["ganja"]))
        DoctorFactory(code="B1", clinic=ClinicFactory(city=places["nasimi"]))
    client = login(member("manager", acme))
    query = {"region": places["ganja_region"].pk, "city": places["nasimi"].pk}
    pharmacies = client.get(reverse("sales:pharmacy-list"), query).context["object_list"]
    assert [pharmacy.name for pharmacy in pharmacies] == ["Zəfəran"]
    doctors = client.get(reverse("doctors:doctor-list"), {**query, "scope": "all"}).context["doctors"]
    assert [doctor.code for doctor in doctors] == ["G1"]
