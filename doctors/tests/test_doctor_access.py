"""Who may open which doctor page: roles, another company's users, anonymous visitors."""

import pytest
from django.urls import reverse

from doctors.models import Doctor
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

OBJECT_PAGES = ["doctors:doctor-detail", "doctors:doctor-update", "doctors:doctor-delete"]
EDIT_PAGES = ["doctors:doctor-update", "doctors:doctor-delete"]


def url(name, doctor=None):
    return reverse(name, args=[doctor.pk]) if doctor is not None else reverse(name)


@pytest.mark.parametrize("role", ["owner", "manager", "representative", "viewer"])
def test_it_shows_the_list_and_the_detail_to_every_role(client_for, acme, twin_doctors, role):
    client = client_for(role, acme)
    doctor = twin_doctors["acme"][1]
    assert "Acmeova" in client.get(url("doctors:doctor-list")).text
    response = client.get(url("doctors:doctor-detail", doctor))
    assert response.status_code == 200
    assert "Acmeova İkinci" in response.text


@pytest.mark.parametrize("role", ["owner", "manager"])
@pytest.mark.parametrize("name", ["doctors:doctor-create", *EDIT_PAGES])
def test_it_opens_the_edit_pages_to_owners_and_managers(client_for, acme, twin_doctors, role, name):
    doctor = None if name == "doctors:doctor-create" else twin_doctors["acme"][0]
    assert client_for(role, acme).get(url(name, doctor)).status_code == 200


@pytest.mark.parametrize("role", ["representative", "viewer"])
@pytest.mark.parametrize("name", ["doctors:doctor-create", *EDIT_PAGES])
def test_it_refuses_the_edit_pages_to_other_roles(client_for, acme, twin_doctors, role, name):
    doctor = None if name == "doctors:doctor-create" else twin_doctors["acme"][0]
    client = client_for(role, acme)
    assert client.get(url(name, doctor)).status_code == 403
    assert client.post(url(name, doctor), {"code": "X"}).status_code == 403
    with use_tenant(acme):
        assert Doctor.objects.filter(is_active=True).count() == 2


@pytest.mark.parametrize("role", ["representative", "viewer"])
def test_it_shows_no_edit_buttons_to_roles_that_cannot_edit(client_for, acme, twin_doctors, role):
    client = client_for(role, acme)
    doctor = twin_doctors["acme"][0]
    listing = client.get(url("doctors:doctor-list")).text
    assert url("doctors:doctor-create") not in listing
    assert "export=csv" not in listing
    detail = client.get(url("doctors:doctor-detail", doctor)).text
    assert url("doctors:doctor-update", doctor) not in detail
    assert url("doctors:doctor-delete", doctor) not in detail


def test_it_shows_the_edit_buttons_to_a_manager(client_for, acme, twin_doctors):
    client = client_for("manager", acme)
    doctor = twin_doctors["acme"][0]
    listing = client.get(url("doctors:doctor-list")).text
    assert url("doctors:doctor-create") in listing
    assert "export=csv" in listing and "export=xlsx" in listing
    detail = client.get(url("doctors:doctor-detail", doctor)).text
    assert url("doctors:doctor-update", doctor) in detail
    assert url("doctors:doctor-delete", doctor) in detail


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_it_hides_another_companys_doctor(client_for, globex, twin_doctors, name):
    """Globex's owner asks for acme's doctor 2 (globex has no doctor 2): not found."""
    client = client_for("owner", globex)
    assert client.get(url(name, twin_doctors["acme"][1])).status_code == 404


def test_it_shows_the_own_company_doctor_under_a_shared_id(client_for, globex, twin_doctors):
    response = client_for("owner", globex).get(url("doctors:doctor-detail", twin_doctors["globex"]))
    assert "Globexov Yad" in response.text
    assert "Acmeov" not in response.text


def test_it_does_not_list_another_companys_doctors(client_for, globex, twin_doctors):
    response = client_for("manager", globex).get(url("doctors:doctor-list"))
    assert "Globexov" in response.text
    assert "Acmeov" not in response.text


def test_another_companys_user_cannot_delete_or_change_a_doctor(client_for, acme, globex, twin_doctors):
    client = client_for("owner", globex)
    doctor = twin_doctors["acme"][1]
    assert client.post(url("doctors:doctor-delete", doctor)).status_code == 404
    assert client.post(url("doctors:doctor-update", doctor), {"last_name": "Hacked"}).status_code == 404
    with use_tenant(acme):
        assert Doctor.objects.get(pk=doctor.pk).last_name == "Acmeova"


@pytest.mark.parametrize("name", ["doctors:doctor-list", "doctors:doctor-create", *OBJECT_PAGES])
def test_it_sends_anonymous_visitors_to_the_login_page(client, twin_doctors, name):
    doctor = None if name in ("doctors:doctor-list", "doctors:doctor-create") else twin_doctors["acme"][0]
    response = client.get(url(name, doctor))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
