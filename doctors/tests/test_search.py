"""Search that forgives typing: Latin-keyboard spellings of Azerbaijani names, phones in any usual form,
specialty and city names in every language, from the stored column (refilled when names change)."""

import importlib

import pytest
from django.apps import apps
from django.db import connections
from django.urls import reverse

from appointments.tests.factories import AppointmentFactory
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from regions.models import City
from regions.services import reference_names_changed
from regions.tests.factories import CityFactory, ClinicFactory, SpecializationFactory
from subscription.tenancy import current_alias, use_tenant

pytestmark = pytest.mark.django_db

# What is typed, and the code of the doctor it must find (the doctors are made in `doctors`).
SEARCHES = [
    ("qasimov", ["QAS"]),
    ("Qasımov", ["QAS"]),
    ("QASIMOV", ["QAS"]),
    ("ismayilov", ["ISM"]),
    ("İsmayılov", ["ISM"]),
    ("mammadov", ["MAM"]),
    ("memmedov", ["MAM"]),
    ("Məmmədov", ["MAM"]),
    ("mammadov elcin", ["MAM"]),
    ("0506336591", ["MAM"]),
    ("+994 50 633 65 91", ["MAM"]),
    ("+994506336591", ["MAM"]),
    ("050 633 65 91", ["MAM"]),
    ("50 633-65-91", ["MAM"]),
    ("kardioloq", ["ISM", "QAS"]),
    ("Cardiologist", ["ISM", "QAS"]),
    ("кардиолог", ["ISM", "QAS"]),
    ("kardioloq qasimov", ["QAS"]),
    ("sumqayit", ["ISM"]),
    ("Sumqayıt", ["ISM"]),
    ("Сумгаит", ["ISM"]),
    ("gence", ["MAM"]),
    ("Gəncə", ["MAM"]),
    ("AĞASIOĞLU", ["AGA1"]),
    ("AĞASİOĞLU", ["AGA2"]),
    ("agasioglu", ["AGA1", "AGA2"]),
    ("nobody", []),
]


@pytest.fixture
def doctors(acme):
    cardiology = SpecializationFactory(name_az="Kardioloq", name_en="Cardiologist", name_ru="Кардиолог")
    sumqayit = CityFactory(name_az="Sumqayıt", name_en="Sumgait", name_ru="Сумгаит")
    ganja = CityFactory(name_az="Gəncə", name_en="Ganja", name_ru="Гянджа")
    sheki = CityFactory(name_az="Şəki", name_en="Shaki", name_ru="Шеки")
    with use_tenant(acme):
        for code, last, first, city, spec, phone in [
            ("QAS", "Qasımov", "Rauf", sheki, cardiology, ""),
            ("ISM", "İsmayılov", "Tural", sumqayit, cardiology, ""),
            ("MAM", "Məmmədov", "Elçin", ganja, None, "+994 50 633 65 91"),
            ("AGA1", "Ağasıoğlu", "Şəhla", sheki, None, ""),
            ("AGA2", "Ağasioğlu", "Nərmin", sheki, None, ""),
        ]:
            DoctorFactory(
                code=code,
                last_name=last,
                first_name=first,
                clinic=ClinicFactory(city=city),
                mobile_phone=phone,
                **({"specialization": spec} if spec else {}),
            )
    return {"cardiology": cardiology, "sumqayit": sumqayit}


def found(client, path: str, typed: str) -> list[str]:
    response = client.get(path, {"q": typed})
    assert response.status_code == 200
    rows = response.context["doctors"] if "doctors" in response.context else response.context["object_list"]
    return sorted({getattr(row, "code", None) or row.doctor.code for row in rows})


@pytest.mark.parametrize(("typed", "codes"), SEARCHES, ids=[typed for typed, _codes in SEARCHES])
def test_the_doctor_list_forgives_typing(doctors, acme, client_for, typed, codes):
    assert found(client_for("manager", acme), reverse("doctors:doctor-list"), typed) == codes


@pytest.mark.parametrize(("typed", "codes"), [("qasimov", ["QAS"]), ("mammadov", ["MAM"]), ("0506336591", ["MAM"])])
def test_visit_and_payment_lists_search_the_doctor_the_same_way(doctors, acme, member, login, typed, codes):
    manager = member("manager", acme)
    with use_tenant(acme):
        for doctor in Doctor.objects.all():
            AppointmentFactory(doctor=doctor, staff=manager)
    assert found(login(manager), reverse("appointments:appointment-list"), typed) == codes


def test_a_renamed_city_or_specialty_is_found_by_its_new_name_in_every_company(doctors, acme, globex):
    with use_tenant(globex):
        DoctorFactory(code="G-ISM", last_name="Babayev", clinic=ClinicFactory(city=doctors["sumqayit"]))
    City.objects.filter(pk=doctors["sumqayit"].pk).update(name_az="Sumqayıt şəhəri", name_en="Sumgait City")

    assert reference_names_changed(model=City, ids={doctors["sumqayit"].pk}) == []

    for company, code in ((acme, "ISM"), (globex, "G-ISM")):
        with use_tenant(company):
            matches = Doctor.objects.filter(search_text__contains="seheri").values_list("code", flat=True)
            assert list(matches) == [code]
    with use_tenant(acme):
        # Doctors elsewhere are left alone.
        assert not Doctor.objects.filter(search_text__contains="seheri").exclude(code="ISM").exists()


def test_renaming_in_the_admin_refreshes_the_doctors(doctors, acme, superuser_client):
    specialization = doctors["cardiology"]
    response = superuser_client.post(
        reverse("admin:regions_specialization_change", args=[specialization.pk]),
        {"name_az": "Ürək həkimi", "name_en": "Heart doctor", "name_ru": "Кардиолог", "code": specialization.code}
        | {"is_active": "on"},
    )
    assert response.status_code == 302
    with use_tenant(acme):
        assert sorted(Doctor.objects.filter(search_text__contains="urek").values_list("code", flat=True)) == [
            "ISM",
            "QAS",
        ]


def test_the_data_migration_refills_existing_rows(doctors, acme):
    migration = importlib.import_module("doctors.migrations.0005_forgiving_search_text")
    with use_tenant(acme):
        before = dict(Doctor.objects.values_list("pk", "search_text"))
        Doctor.objects.update(search_text="")

        class SchemaEditor:
            connection = connections[current_alias()]

        migration.refill_search_text(apps, SchemaEditor())
        assert dict(Doctor.objects.values_list("pk", "search_text")) == before
        assert "mammadov" in before[Doctor.objects.get(code="MAM").pk]
