"""Who may open which visit page: roles, other companies, representatives, anonymous visitors."""

import pytest
from django.urls import reverse

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory
from appointments.tests.pages import table_rows
from doctors.tests.factories import DoctorFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

PAGES = ["appointment-detail", "appointment-update", "appointment-delete"]


def page(name, visit=None):
    return reverse(f"appointments:{name}", args=[visit.pk] if visit else [])


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("manager", 200), ("representative", 200), ("viewer", 200)],
)
@pytest.mark.parametrize("name", ["appointment-list", "appointment-upcoming"])
def test_it_lets_every_role_read_the_visit_lists(name, role, expected, acme, member, login):
    assert login(member(role, acme)).get(page(name)).status_code == expected


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("owner", 200, 200), ("manager", 200, 200), ("representative", 200, 200), ("viewer", 200, 403)],
)
def test_it_lets_roles_read_and_write_a_visit_as_the_role_table_says(role, read, write, acme, member, login):
    user = member(role, acme)
    with use_tenant(acme):
        visit = AppointmentFactory(staff=user)
    client = login(user)
    assert client.get(page("appointment-detail", visit)).status_code == read
    assert client.get(page("appointment-create")).status_code == write
    assert client.get(page("appointment-update", visit)).status_code == write
    assert client.get(page("appointment-delete", visit)).status_code == write


@pytest.mark.parametrize(
    ("role", "expected"), [("owner", 302), ("manager", 302), ("representative", 403), ("viewer", 403)]
)
def test_it_lets_only_managers_reopen_a_done_visit(role, expected, acme, member, login):
    user = member(role, acme)
    with use_tenant(acme):
        visit = AppointmentFactory(staff=user, status=Appointment.Status.DONE)
    response = login(user).post(page("appointment-reopen", visit))
    assert response.status_code == expected
    with use_tenant(acme):
        visit.refresh_from_db()
    assert visit.status == ("planned" if expected == 302 else "done")


def test_it_shows_another_company_nothing_of_this_companys_visits(acme, globex, member, login):
    with use_tenant(acme):
        AppointmentFactory(doctor=DoctorFactory(last_name="Acmeov"))
        only_acme = AppointmentFactory(doctor=DoctorFactory(last_name="Acmeov"))
    with use_tenant(globex):
        same_id = AppointmentFactory(doctor=DoctorFactory(last_name="Globexov"))
    client = login(member("manager", globex))
    for name in PAGES:
        assert client.get(page(name, only_acme)).status_code == 404
    assert client.post(page("appointment-reopen", only_acme)).status_code == 404
    response = client.get(page("appointment-detail", same_id))
    assert "Globexov" in response.text
    assert "Acmeov" not in response.text
    listing = table_rows(client.get(page("appointment-list")))
    assert "Globexov" in listing
    assert "Acmeov" not in listing
    day = only_acme.planned_start.date().isoformat()
    upcoming = client.get(page("appointment-upcoming"), {"view": "day", "date": day}).text
    assert "Globexov" in upcoming
    assert "Acmeov" not in upcoming


def test_it_sends_anonymous_visitors_to_the_login_page(acme, client):
    with use_tenant(acme):
        visit = AppointmentFactory()
    urls = [page("appointment-list"), page("appointment-create"), page("appointment-upcoming")]
    urls += [page(name, visit) for name in PAGES]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert client.post(page("appointment-reopen", visit)).url.startswith(reverse("login"))


def test_it_hides_another_representatives_visits_from_a_representative(acme, member, login):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        mine = AppointmentFactory(staff=rep, doctor=DoctorFactory(last_name="Mənimov"))
        theirs = AppointmentFactory(staff=colleague, doctor=DoctorFactory(last_name="Başqasov"))
    client = login(rep)
    for name in PAGES:
        assert client.get(page(name, theirs)).status_code == 404
        assert client.post(page(name, theirs), {"action": "cancel"}).status_code == 404
    listing = table_rows(client.get(page("appointment-list")))
    assert "Mənimov" in listing
    assert "Başqasov" not in listing
    assert "Başqasov" not in client.get(page("appointment-upcoming")).text
    assert client.get(page("appointment-detail", mine)).status_code == 200
    with use_tenant(acme):
        theirs.refresh_from_db()
    assert theirs.status == "planned"


def test_it_records_a_representatives_visit_as_theirs_whatever_staff_is_posted(acme, member, login):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        doctor = DoctorFactory()
    response = login(rep).post(
        page("appointment-create"),
        {
            "doctor": doctor.pk,
            "staff": colleague.pk,
            "planned_start": "2030-05-06T10:00",
            "duration_minutes": 30,
            "channel": "in_person",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    with use_tenant(acme):
        assert list(Appointment.objects.values_list("staff_id", flat=True)) == [rep.pk]
    form_page = login(rep).get(page("appointment-create"))
    assert f'value="{colleague.pk}"' not in form_page.text


def test_it_offers_managers_every_staff_member_of_their_company_only(acme, globex, member, login):
    colleague = member("representative", acme, first_name="Nigar", last_name="Həsənova")
    outsider = member("representative", globex, first_name="Kənan", last_name="Yadov")
    response = login(member("manager", acme)).get(page("appointment-create"))
    assert f'value="{colleague.pk}"' in response.text
    assert "Nigar Həsənova" in response.text
    assert f'value="{outsider.pk}"' not in response.text
