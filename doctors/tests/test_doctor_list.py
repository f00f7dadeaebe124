"""The doctor list: names from the master database, search, filters, sorting, exports."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from doctors.exports import DOCTORS
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from regions.tests.factories import CityFactory, ClinicFactory, RegionFactory, SpecializationFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

LIST = "/doctors/"


def rows_of(response) -> list[str]:
    """The doctor names in the order the table shows them."""
    return re.findall(r'<a href="/doctors/\d+/">([^<]+)</a>', response.text)


def test_it_lists_doctors_with_the_names_of_their_places_and_specialization(client_for, acme, member):
    rep = member("representative", acme, first_name="Rəşad", last_name="Quliyev")
    clinic = ClinicFactory(
        name_az="Mərkəzi Klinik Xəstəxana", city__name_az="Gəncə", city__region__name_az="Gəncə-Daşkəsən"
    )
    with use_tenant(acme):
        DoctorFactory(
            last_name="Əliyeva",
            first_name="Aynur",
            clinic=clinic,
            specialization=SpecializationFactory(name_az="Kardioloq"),
            representative=rep,
        )
    response = client_for("viewer", acme).get(LIST)
    assert response.status_code == 200
    for text in ("Əliyeva Aynur", "Mərkəzi Klinik Xəstəxana", "Gəncə-Daşkəsən", "Kardioloq", "Rəşad Quliyev"):
        assert text in response.text


def test_a_page_of_50_doctors_costs_as_many_queries_as_a_page_of_1(client_for, acme, member, count_queries):
    rep = member("representative", acme)
    client = client_for("manager", acme)
    with use_tenant(acme):
        DoctorFactory(representative=rep, mobile_phone="+994 50 111 22 33")
    client.get(LIST)  # warm-up: translations, templates
    with count_queries() as one:
        response = client.get(LIST)
    assert len(rows_of(response)) == 1
    with use_tenant(acme):
        DoctorFactory.create_batch(49, representative=rep, mobile_phone="+994 50 111 22 33")
    with count_queries() as fifty:
        response = client.get(LIST)
    assert len(rows_of(response)) == 50
    with use_tenant(acme):
        names = {
            name
            for d in Doctor.objects.all()
            for name in (d.city.name, d.region.name, d.clinic.name, d.specialization.name)
        }
    assert all(name in response.text for name in names)
    assert fifty.count == one.count


def test_it_finds_doctors_with_azerbaijani_case_rules(client_for, acme):
    with use_tenant(acme):
        DoctorFactory(last_name="İsmayılov", first_name="Tural")
        DoctorFactory(last_name="Ismayilov", first_name="Latin")
        DoctorFactory(last_name="Həsənov", first_name="Orxan")
    client = client_for("representative", acme)
    assert rows_of(client.get(LIST, {"q": "ismayıl"})) == ["İsmayılov Tural"]
    assert rows_of(client.get(LIST, {"q": "HƏSƏN"})) == ["Həsənov Orxan"]


def test_it_finds_doctors_by_code_and_by_phone_however_it_is_typed(client_for, acme):
    with use_tenant(acme):
        DoctorFactory(last_name="Rzayev", code="GNC-042", mobile_phone="+994 50 123 45 67")
        DoctorFactory(last_name="Babayev", code="BAK-001", work_phone="+994 12 555 44 33")
    client = client_for("viewer", acme)
    assert rows_of(client.get(LIST, {"q": "gnc-04"})) == ["Rzayev Elçin"]
    assert rows_of(client.get(LIST, {"q": "501234567"})) == ["Rzayev Elçin"]
    assert rows_of(client.get(LIST, {"q": "555 44"})) == ["Babayev Elçin"]


def test_it_filters_by_place_category_representative_and_flags(client_for, acme, member):
    rep = member("representative", acme)
    north = RegionFactory(name_az="Şimal")
    city = CityFactory(region=north)
    clinic = ClinicFactory(city=city)
    with use_tenant(acme):
        DoctorFactory(last_name="Birinci", clinic=clinic, category="A", representative=rep, is_kol=True)
        DoctorFactory(last_name="İkinci", clinic=ClinicFactory(city=city), category="B")
        DoctorFactory(last_name="Üçüncü", category="A", is_active=False)
    client = client_for("manager", acme)
    assert sorted(rows_of(client.get(LIST, {"region": north.pk}))) == ["Birinci Elçin", "İkinci Elçin"]
    assert rows_of(client.get(LIST, {"region": north.pk, "city": city.pk, "clinic": clinic.pk})) == ["Birinci Elçin"]
    assert rows_of(client.get(LIST, {"category": "A", "is_active": "yes"})) == ["Birinci Elçin"]
    assert rows_of(client.get(LIST, {"representative": rep.pk})) == ["Birinci Elçin"]
    assert rows_of(client.get(LIST, {"is_kol": "yes"})) == ["Birinci Elçin"]
    assert rows_of(client.get(LIST, {"is_active": "no"})) == ["Üçüncü Elçin"]


def test_a_city_outside_the_chosen_region_is_ignored_not_an_error(client_for, acme):
    elsewhere = CityFactory()
    with use_tenant(acme):
        doctor = DoctorFactory(last_name="Qasımov")
        DoctorFactory(last_name="Kərimov")
    response = client_for("manager", acme).get(LIST, {"region": doctor.region_id, "city": elsewhere.pk})
    assert response.status_code == 200
    assert rows_of(response) == ["Qasımov Elçin"]


def test_it_filters_by_first_or_second_specialization(client_for, acme):
    cardio = SpecializationFactory(name_az="Kardioloq")
    with use_tenant(acme):
        DoctorFactory(last_name="Əsas", specialization=cardio)
        DoctorFactory(last_name="İkinci", second_specialization=cardio)
        DoctorFactory(last_name="Başqa")
    shown = rows_of(client_for("viewer", acme).get(LIST, {"specialization": cardio.pk, "sort": "name"}))
    assert shown == ["Əsas Elçin", "İkinci Elçin"]


def test_it_sorts_names_in_azerbaijani_alphabetical_order(client_for, acme):
    with use_tenant(acme):
        for last_name in ["Zeynalov", "Çələbiyev", "Cəfərov", "Əliyev", "Dadaşov", "Ismayılov", "İbrahimov", "Abbasov"]:
            DoctorFactory(last_name=last_name, first_name="A")
    client = client_for("viewer", acme)
    expected = ["Abbasov", "Cəfərov", "Çələbiyev", "Dadaşov", "Əliyev", "Ismayılov", "İbrahimov", "Zeynalov"]
    assert [name.split()[0] for name in rows_of(client.get(LIST))] == expected
    assert [name.split()[0] for name in rows_of(client.get(LIST, {"sort": "-name"}))] == expected[::-1]


def test_it_sorts_by_the_city_name_kept_in_the_master_database(client_for, acme):
    region = RegionFactory()
    cities = {name: CityFactory(region=region, name_az=name) for name in ["Şəki", "Bakı", "Gəncə", "Quba"]}
    with use_tenant(acme):
        for name, city in cities.items():
            DoctorFactory(last_name=f"Dr{name}", first_name="A", clinic=ClinicFactory(city=city))
    client = client_for("viewer", acme)
    assert rows_of(client.get(LIST, {"sort": "city"})) == ["DrBakı A", "DrGəncə A", "DrQuba A", "DrŞəki A"]
    assert rows_of(client.get(LIST, {"sort": "-city"}))[0] == "DrŞəki A"


def test_it_pages_the_list(client_for, acme):
    with use_tenant(acme):
        DoctorFactory.create_batch(52)
    client = client_for("viewer", acme)
    assert len(rows_of(client.get(LIST))) == 50
    last = client.get(LIST, {"page": 2})
    assert len(rows_of(last)) == 2
    assert "?page=1" in last.text
    assert client.get(LIST, {"page": 99}).status_code == 404


def make_export_data(acme, globex):
    region = RegionFactory(name_az="Lənkəran-Astara")
    with use_tenant(acme):
        wanted = [
            DoctorFactory(last_name="Əhmədov", code="A-1", clinic=ClinicFactory(city__region=region), is_kol=True),
            DoctorFactory(last_name="Şirinova", code="A-2", clinic=ClinicFactory(city__region=region)),
        ]
        DoctorFactory(last_name="Kənardakı", code="A-3")
    with use_tenant(globex):
        DoctorFactory(last_name="Globexov", code="G-1", clinic=ClinicFactory(city__region=region))
    return region, wanted


def test_the_csv_export_has_exactly_the_filtered_doctors_of_the_company(client_for, acme, globex):
    region, wanted = make_export_data(acme, globex)
    response = client_for("manager", acme).get(LIST, {"region": region.pk, "export": "csv", "sort": "code"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="doctors-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    assert header == [str(name) for name in DOCTORS.headers()]
    assert [row[0] for row in rows[1:]] == ["A-1", "A-2"]
    assert rows[1][header.index("Last name")] == wanted[0].last_name
    assert rows[1][header.index("Region")] == "Lənkəran-Astara"
    kol = header.index("Key opinion leader")
    assert rows[1][kol] == "yes" and rows[2][kol] == "no"


def test_the_xlsx_export_has_exactly_the_filtered_doctors_of_the_company(client_for, acme, globex):
    region, wanted = make_export_data(acme, globex)
    response = client_for("owner", acme).get(LIST, {"region": region.pk, "export": "xlsx", "sort": "-code"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == DOCTORS.headers()
    assert [row[0] for row in rows[1:]] == ["A-2", "A-1"]
    assert rows[1][rows[0].index("City or district")] == wanted[1].city.name_az


@pytest.mark.parametrize("role", ["representative", "viewer"])
def test_it_refuses_the_export_to_roles_without_the_right(client_for, acme, role):
    assert client_for(role, acme).get(LIST, {"export": "csv"}).status_code == 403
