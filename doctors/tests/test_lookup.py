import pytest
from django.urls import reverse

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from regions.tests.factories import CityFactory, SpecializationFactory
from subscription.tenancy import use_tenant
from subscription.tests.test_aztext import AZ_ORDER, NAMES
from subscription.ui.aztext import az_collation_key, az_sort_key

pytestmark = pytest.mark.django_db


def test_the_collation_key_sorts_like_the_alphabet():
    assert sorted(NAMES, key=az_collation_key) == AZ_ORDER
    assert sorted(["Əliyeva", "Əli", "Əliyev"], key=az_collation_key) == sorted(
        ["Əliyeva", "Əli", "Əliyev"], key=az_sort_key
    )
    assert az_collation_key("Əli", "Zaur") < az_collation_key("Əliyev", "Anar")


def test_bulk_created_doctors_are_searchable_and_sorted(tenant):
    city, specialization = CityFactory(), SpecializationFactory()
    place = {"specialization": specialization, "region": city.region, "city": city}
    Doctor.objects.bulk_create(
        Doctor(last_name=name, first_name="Elçin", code=f"B{i}", **place) for i, name in enumerate(NAMES)
    )
    assert list(Doctor.objects.order_by("sort_name").values_list("last_name", flat=True)) == AZ_ORDER
    assert list(Doctor.objects.filter(search_text__contains="ibrahim").values_list("last_name", flat=True)) == [
        "İbrahimov"
    ]


def test_every_word_typed_must_match(tenant, client_for, acme):
    DoctorFactory(last_name="Məmmədov", first_name="Elçin", mobile_phone="+994 50 123 45 67")
    DoctorFactory(last_name="Məmmədov", first_name="Tural")
    client = client_for("manager", acme)
    with use_tenant(None):
        names = client.get(reverse("doctors:doctor-list"), {"q": "MƏMMƏD elçin"}).context["doctors"]
        assert [doctor.first_name for doctor in names] == ["Elçin"]
        by_phone = client.get(reverse("doctors:doctor-list"), {"q": "501234567"}).context["doctors"]
        assert [doctor.first_name for doctor in by_phone] == ["Elçin"]


def test_editing_a_name_updates_the_lookup_columns(tenant):
    doctor = DoctorFactory(last_name="Əliyev")
    doctor.last_name = "Zeynalov"
    doctor.save(update_fields=["last_name"])
    doctor.refresh_from_db()
    assert "zeynalov" in doctor.search_text
    assert doctor.sort_name == az_collation_key("Zeynalov", doctor.first_name, doctor.patronymic)
