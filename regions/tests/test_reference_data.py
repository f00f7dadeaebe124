import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from doctors.tests.factories import DoctorFactory
from regions.models import City, Clinic, Region, Specialization
from regions.tests.factories import CityFactory, RegionFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


def snapshot():
    return [list(model.objects.order_by("code").values()) for model in (Region, City, Clinic, Specialization)]


def test_loading_reference_data_twice_gives_the_same_rows():
    call_command("load_reference_data", verbosity=0, stdout=None)
    first = snapshot()
    call_command("load_reference_data")
    assert snapshot() == first
    assert Region.objects.count() == 14
    assert City.objects.filter(parent__isnull=True).count() == 74
    assert City.objects.filter(parent__code="baku").count() == 12
    assert Specialization.objects.count() >= 39
    assert Region.objects.get(code="baku").name_az == "Bakı"
    assert City.objects.get(code="shaki").region.code == "shaki-zagatala"


def test_loading_keeps_admin_edits_and_never_deletes():
    call_command("load_reference_data")
    baku = Region.objects.get(code="baku")
    baku.name_en = "Baku (edited)"
    baku.save()
    extra = RegionFactory(code="added-by-hand")
    call_command("load_reference_data")
    assert Region.objects.get(code="baku").name_en == "Baku (edited)"
    assert Region.objects.filter(pk=extra.pk).exists()
    call_command("load_reference_data", "--update")
    assert Region.objects.get(code="baku").name_en == "Baku"


def test_deleting_a_region_used_by_a_companys_doctor_is_refused(acme, globex):
    with use_tenant(acme):
        doctor = DoctorFactory()
    region = doctor.region
    with pytest.raises(ValidationError, match="used by 1 company"):
        region.delete()
    assert Region.objects.filter(pk=region.pk).exists()
    region.is_active = False  # deactivating is always allowed
    region.save()


def test_deleting_an_unused_region_works(acme):
    unused = RegionFactory()
    unused.delete()
    assert not Region.objects.filter(pk=unused.pk).exists()


def test_the_admin_refuses_to_delete_a_city_in_use_and_names_the_count(acme, globex, superuser_client):
    for company in (acme, globex):
        with use_tenant(company):
            doctor = DoctorFactory(clinic__city=CityFactory(code=f"used-{company.slug}"))
    city = doctor.city
    with use_tenant(acme):
        DoctorFactory(clinic__city=city)
    url = reverse("admin:regions_city_delete", args=[city.pk])
    response = superuser_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "used by 2 companies" in response.text
    assert City.objects.filter(pk=city.pk).exists()


def test_names_follow_the_active_language():
    from django.utils import translation

    region = RegionFactory(name_az="Şəki-Zaqatala", name_en="Shaki-Zagatala", name_ru="")
    with translation.override("en"):
        assert str(region) == "Shaki-Zagatala"
    with translation.override("az"):
        assert str(region) == "Şəki-Zaqatala"
    with translation.override("ru"):
        assert str(region) == "Şəki-Zaqatala"  # falls back to Azerbaijani
