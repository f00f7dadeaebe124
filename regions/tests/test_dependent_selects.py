import pytest
from django import forms
from django.urls import reverse

from doctors.models import Doctor
from regions.forms import PlaceFieldsMixin
from regions.tests.factories import CityFactory, ClinicFactory, RegionFactory

pytestmark = pytest.mark.django_db


class PlaceForm(PlaceFieldsMixin, forms.ModelForm):
    class Meta:
        model = Doctor
        fields = ["region", "city", "clinic"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_places()


def test_city_options_contain_only_that_regions_cities(client, member, acme):
    north, south = RegionFactory(), RegionFactory()
    CityFactory(region=north, name_az="Şimal şəhəri")
    CityFactory(region=south, name_az="Cənub şəhəri")
    CityFactory(region=north, name_az="Bağlı şəhər", is_active=False)
    client.force_login(member("manager", acme))
    response = client.get(reverse("regions:city-options"), {"region": north.pk})
    assert response.status_code == 200
    assert "Şimal şəhəri" in response.text
    assert "Cənub şəhəri" not in response.text
    assert "Bağlı şəhər" not in response.text


def test_clinic_options_contain_only_that_citys_clinics(client, member, acme):
    clinic, other = ClinicFactory(name_az="Bizim klinika"), ClinicFactory(name_az="Başqa klinika")
    client.force_login(member("viewer", acme))
    response = client.get(reverse("regions:clinic-options"), {"city": clinic.city_id})
    assert "Bizim klinika" in response.text
    assert "Başqa klinika" not in response.text
    assert other.city_id != clinic.city_id


def test_options_need_a_login(client):
    response = client.get(reverse("regions:city-options"), {"region": 1})
    assert response.status_code == 302


def test_a_posted_clinic_outside_the_posted_city_is_a_form_error(tenant):
    clinic, elsewhere = ClinicFactory(), ClinicFactory()
    city = clinic.city
    form = PlaceForm(data={"region": city.region_id, "city": city.pk, "clinic": elsewhere.pk})
    assert not form.is_valid()
    assert "clinic" in form.errors
    form = PlaceForm(data={"region": city.region_id, "city": elsewhere.city_id, "clinic": elsewhere.pk})
    assert not form.is_valid()
    assert "city" in form.errors
    form = PlaceForm(data={"region": city.region_id, "city": city.pk, "clinic": clinic.pk})
    assert form.is_valid(), form.errors


def test_without_javascript_the_refresh_button_narrows_choices_and_shows_no_errors():
    clinic = ClinicFactory()
    form = PlaceForm(data={"region": clinic.city.region_id, "_refresh": "1"})
    assert form.is_refresh
    assert list(form.fields["city"].queryset) == [clinic.city]
    assert not form.without_errors().errors


def test_a_deactivated_city_cannot_be_posted_but_a_stored_one_stays(tenant):
    from doctors.tests.factories import DoctorFactory

    clinic = ClinicFactory()
    closed = CityFactory(region=clinic.city.region, is_active=False)
    form = PlaceForm(data={"region": closed.region_id, "city": closed.pk})
    assert not form.is_valid()
    assert "city" in form.errors
    doctor = DoctorFactory(clinic=ClinicFactory(city=closed))
    form = PlaceForm(instance=doctor, data={"region": closed.region_id, "city": closed.pk, "clinic": doctor.clinic_id})
    assert form.is_valid(), form.errors
