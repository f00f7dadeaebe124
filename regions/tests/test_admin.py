"""The reference data in the Django admin: a row any company uses is deactivated, never deleted."""

import pytest
from django.urls import reverse

from doctors.tests.factories import DoctorFactory
from regions.models import City, Clinic, Region, Specialization
from regions.tests.factories import ClinicFactory, RegionFactory, SpecializationFactory
from subscription.storage.sqlite import tenant_database_path
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


def test_deleting_a_region_used_by_a_companys_doctor_is_refused(acme, globex, superuser_client):
    with use_tenant(acme):
        doctor = DoctorFactory()
    region = doctor.region
    url = reverse("admin:regions_region_delete", args=[region.pk])

    page = superuser_client.get(url)
    assert "used by 1 company; deactivate it instead" in page.text
    response = superuser_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "used by 1 company; deactivate it instead" in response.text
    assert Region.objects.filter(pk=region.pk).exists()


def test_the_bulk_delete_action_is_refused_too(acme, superuser_client):
    with use_tenant(acme):
        used = DoctorFactory().specialization
    unused = SpecializationFactory()
    response = superuser_client.post(
        reverse("admin:regions_specialization_changelist"),
        {"action": "delete_selected", "_selected_action": [used.pk, unused.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "used by 1 company" in response.text
    assert Specialization.objects.filter(pk__in=[used.pk, unused.pk]).count() == 2


def test_an_unused_row_is_deleted(acme, superuser_client):
    clinic = ClinicFactory()
    response = superuser_client.post(reverse("admin:regions_clinic_delete", args=[clinic.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Clinic.objects.filter(pk=clinic.pk).exists()


def test_a_database_that_cannot_be_read_blocks_the_delete(acme, superuser_client):
    region = RegionFactory()
    tenant_database_path(acme.slug).unlink()
    response = superuser_client.post(reverse("admin:regions_region_delete", args=[region.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert "could not be checked" in response.text
    assert Region.objects.filter(pk=region.pk).exists()


def test_a_row_in_use_can_always_be_deactivated(acme, superuser_client):
    with use_tenant(acme):
        city = DoctorFactory().city
    response = superuser_client.post(
        reverse("admin:regions_city_changelist"), {"action": "deactivate", "_selected_action": [city.pk]}
    )
    assert response.status_code == 302
    city.refresh_from_db()
    assert not city.is_active


def test_clinics_are_searched_by_name_and_filtered_by_region_and_city(superuser_client):
    shaki = ClinicFactory(name_az="Şəki Mərkəzi Xəstəxana")
    other = ClinicFactory(name_az="Lənkəran Poliklinika")
    url = reverse("admin:regions_clinic_changelist")

    found = superuser_client.get(url, {"q": "Mərkəzi"}).text
    assert "Şəki Mərkəzi Xəstəxana" in found and "Lənkəran Poliklinika" not in found
    by_region = superuser_client.get(url, {"city__region__id__exact": shaki.city.region_id}).text
    assert "Şəki Mərkəzi Xəstəxana" in by_region and "Lənkəran Poliklinika" not in by_region
    by_city = superuser_client.get(url, {"city__id__exact": other.city_id}).text
    assert "Lənkəran Poliklinika" in by_city and "Şəki Mərkəzi Xəstəxana" not in by_city
    assert str(shaki.city.region) in by_region  # the region column


def test_a_region_is_edited_with_its_cities(superuser_client):
    city = City.objects.create(region=RegionFactory(), code="qax", name_az="Qax")
    page = superuser_client.get(reverse("admin:regions_region_change", args=[city.region_id]))
    assert page.status_code == 200
    assert 'name="cities-0-name_az"' in page.text and "Qax" in page.text
