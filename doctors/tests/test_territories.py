"""Territories: which doctors a representative sees, and who may keep territories."""

import re

import pytest
from django.urls import reverse

from doctors.models import DoctorAssignment, Territory
from doctors.tests.factories import DoctorAssignmentFactory, DoctorFactory, TerritoryFactory
from regions.tests.factories import CityFactory, ClinicFactory
from subscription.tenancy import use_tenant
from subscription.ui import permissions

pytestmark = pytest.mark.django_db
LIST = reverse("doctors:doctor-list")


def doctor_in(city, **fields):
    return DoctorFactory(clinic=ClinicFactory(city=city), **fields)


def listed(response) -> str:
    text = response.text
    return text[text.index("<tbody>") : text.index("</tbody>")]


@pytest.fixture
def places(db):
    baku = CityFactory(name_az="Bakı")
    return {
        "baku": baku,
        "nasimi": CityFactory(name_az="Bakı — Nəsimi", region=baku.region, parent=baku),
        "ganja": CityFactory(name_az="Gəncə"),
    }


def test_a_representative_sees_only_the_territory_doctors_by_default_and_never_another_companys(
    acme, globex, member, login, places
):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        TerritoryFactory(cities=[places["baku"]], members=[rep])
        doctor_in(places["baku"], last_name="Bakılıov")
        doctor_in(places["nasimi"], last_name="Nəsimiov")  # a district of a territory city
        doctor_in(places["ganja"], last_name="Gəncəliov")
        DoctorAssignmentFactory(doctor=doctor_in(places["ganja"], last_name="Təyinov"), user=rep)
        doctor_in(places["ganja"], last_name="Özümov", representative=rep)
        doctor_in(places["ganja"], last_name="Başqasıov", representative=colleague)
    with use_tenant(globex):
        TerritoryFactory(cities=[places["baku"]])
        doctor_in(places["baku"], last_name="Yadov")
    client = login(rep)
    rows = listed(client.get(LIST))
    assert [name for name in ("Bakılıov", "Nəsimiov", "Təyinov", "Özümov") if name not in rows] == []
    assert "Gəncəliov" not in rows and "Başqasıov" not in rows and "Yadov" not in rows
    assert "doctors of your territory" in client.get(LIST).text

    wider = listed(client.get(LIST, {"scope": "all"}))
    assert "Gəncəliov" in wider and "Başqasıov" in wider
    assert "Yadov" not in wider


def test_the_look_wider_filter_follows_the_role_table(acme, member, login, places, monkeypatch):
    rep = member("representative", acme)
    with use_tenant(acme):
        TerritoryFactory(cities=[places["baku"]], members=[rep])
        outside = doctor_in(places["ganja"], last_name="Gəncəliov")
    client = login(rep)
    assert client.get(reverse("doctors:doctor-detail", args=[outside.pk])).status_code == 200
    monkeypatch.setitem(permissions.PERMISSIONS, "all_doctors_view", permissions.MANAGERS)
    assert "Gəncəliov" not in listed(client.get(LIST, {"scope": "all"}))
    assert client.get(reverse("doctors:doctor-detail", args=[outside.pk])).status_code == 404


def test_without_a_territory_everyone_sees_every_doctor(acme, member, login, places):
    with use_tenant(acme):
        doctor_in(places["ganja"], last_name="Gəncəliov")
    for role in ("representative", "manager", "viewer"):
        assert "Gəncəliov" in listed(login(member(role, acme)).get(LIST)), role


def test_managers_start_with_every_doctor_and_may_narrow_to_a_territory(acme, member, login, places):
    manager = member("manager", acme)
    with use_tenant(acme):
        territory = TerritoryFactory(cities=[places["baku"]], manager=manager)
        doctor_in(places["baku"], last_name="Bakılıov")
        doctor_in(places["ganja"], last_name="Gəncəliov")
    client = login(manager)
    rows = listed(client.get(LIST))
    assert "Bakılıov" in rows and "Gəncəliov" in rows
    narrowed = listed(client.get(LIST, {"territory": territory.pk}))
    assert "Bakılıov" in narrowed and "Gəncəliov" not in narrowed
    mine = listed(client.get(LIST, {"scope": "mine"}))
    assert "Bakılıov" in mine and "Gəncəliov" not in mine


def test_a_representatives_visit_form_offers_the_territory_doctors(acme, member, login, places):
    rep = member("representative", acme)
    with use_tenant(acme):
        TerritoryFactory(cities=[places["baku"]], members=[rep])
        inside = doctor_in(places["baku"], last_name="Bakılıov")
        outside = doctor_in(places["ganja"], last_name="Gəncəliov")
    client = login(rep)
    offered = doctor_choices(client.get(reverse("appointments:appointment-create")))
    assert inside.pk in offered and outside.pk not in offered
    # Opened from the wider list (the doctor's page), the outside doctor is offered too.
    opened = client.get(reverse("appointments:appointment-create"), {"doctor": outside.pk})
    assert outside.pk in doctor_choices(opened)


def doctor_choices(response) -> set[int]:
    """The doctors the form's doctor field offers (not any other field's values, such as user ids)."""
    select = re.search(r'<select[^>]* name="doctor".*?</select>', response.text, re.DOTALL).group(0)
    return {int(value) for value in re.findall(r'<option value="(\d+)"', select)}


def test_managers_build_a_territory_of_cities_with_its_people(acme, member, login, places):
    manager, rep = member("manager", acme), member("representative", acme)
    response = login(manager).post(
        reverse("territories:territory-create"),
        {
            "name": "Mərkəz",
            "manager": manager.pk,
            "is_active": "on",
            "cities": [places["baku"].pk],
            "representatives": [rep.pk],
        },
    )
    assert response.status_code == 302
    with use_tenant(acme):
        territory = Territory.objects.get()
        assert set(territory.cities.values_list("city_id", flat=True)) == {places["baku"].pk}
        assert list(territory.members.values_list("user_id", flat=True)) == [rep.pk]
    page = login(manager).get(reverse("territories:territory-detail", args=[territory.pk])).text
    assert "Bakı" in page


def test_a_territory_needs_a_city_and_people_of_the_company(acme, globex, member, login, places):
    manager, outsider = member("manager", acme), member("representative", globex)
    response = login(manager).post(
        reverse("territories:territory-create"),
        {"name": "Boş", "cities": [], "representatives": [outsider.pk], "is_active": "on"},
    )
    assert response.status_code == 200
    assert {"cities", "representatives"} <= set(response.context["form"].errors)
    with use_tenant(acme):
        assert not Territory.objects.exists()


def test_managers_assign_a_doctor_to_named_representatives(acme, member, login, places):
    manager, rep = member("manager", acme), member("representative", acme)
    with use_tenant(acme):
        doctor = doctor_in(places["ganja"])
    url = reverse("territories:doctor-assign", args=[doctor.pk])
    assert login(rep).post(url, {"users": [rep.pk]}).status_code == 403
    assert login(manager).post(url, {"users": [rep.pk]}).status_code == 302
    with use_tenant(acme):
        assert list(DoctorAssignment.objects.values_list("doctor_id", "user_id")) == [(doctor.pk, rep.pk)]
    page = login(manager).get(doctor.get_absolute_url()).text
    assert rep.get_full_name() in page


def test_a_doctor_with_only_assignments_can_still_be_deleted(acme, member, login, places):
    manager = member("manager", acme)
    with use_tenant(acme):
        doctor = doctor_in(places["ganja"])
        DoctorAssignmentFactory(doctor=doctor, user=manager)
    assert login(manager).post(reverse("doctors:doctor-delete", args=[doctor.pk])).status_code == 302
    with use_tenant(acme):
        assert not DoctorAssignment.objects.exists()
