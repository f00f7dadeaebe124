"""Who may open which patient page: roles, another company's users, anonymous visitors."""

import pytest
from django.urls import reverse

from patients.models import Patient, PatientAccessLog
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

OBJECT_PAGES = ["patients:patient-detail", "patients:patient-update", "patients:patient-delete"]
EDIT_PAGES = ["patients:patient-create", "patients:patient-update", "patients:patient-delete"]


def url(name, patient=None):
    return reverse(name, args=[patient.pk]) if patient is not None else reverse(name)


@pytest.mark.parametrize("role", ["owner", "manager", "representative"])
def test_it_shows_the_list_and_the_detail_to_roles_that_work_with_patients(client_for, acme, twin_patients, role):
    client = client_for(role, acme)
    patient = twin_patients["acme"][1]
    assert "Acmeova İkinci" in client.get(url("patients:patient-list")).text
    assert "Acmeova İkinci" in client.get(url("patients:patient-detail", patient)).text


def test_a_viewer_gets_no_patient_page_at_all(client_for, acme, twin_patients):
    client = client_for("viewer", acme)
    patient = twin_patients["acme"][0]
    for name in ["patients:patient-list", *EDIT_PAGES, "patients:patient-detail"]:
        target = url(name, None if name in ("patients:patient-list", "patients:patient-create") else patient)
        assert client.get(target).status_code == 403, name
    assert "/patients/" not in client.get("/doctors/").text  # no menu entry either
    with use_tenant(acme):
        assert not PatientAccessLog.objects.exists()


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_it_opens_the_edit_pages_to_owners_and_managers(client_for, acme, twin_patients, role):
    client = client_for(role, acme)
    for name in EDIT_PAGES:
        patient = None if name == "patients:patient-create" else twin_patients["acme"][0]
        assert client.get(url(name, patient)).status_code == 200, name


def test_a_representative_reads_patients_but_cannot_change_them(client_for, acme, twin_patients):
    client = client_for("representative", acme)
    patient = twin_patients["acme"][0]
    detail = client.get(url("patients:patient-detail", patient)).text
    assert url("patients:patient-update", patient) not in detail
    assert url("patients:patient-create") not in client.get(url("patients:patient-list")).text
    for name in EDIT_PAGES:
        target = url(name, None if name == "patients:patient-create" else patient)
        assert client.get(target).status_code == 403, name
        assert client.post(target, {"last_name": "X", "first_name": "Y"}).status_code == 403, name
    with use_tenant(acme):
        assert Patient.objects.count() == 2


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_it_hides_another_companys_patient(client_for, globex, twin_patients, name):
    """Globex's owner asks for acme's patient 2 (globex has no patient 2): not found."""
    assert client_for("owner", globex).get(url(name, twin_patients["acme"][1])).status_code == 404


def test_it_shows_the_own_companys_patient_under_a_shared_id(client_for, acme, globex, twin_patients):
    client = client_for("owner", globex)
    response = client.get(url("patients:patient-detail", twin_patients["globex"]))
    assert "Globexova Yad" in response.text and "Acmeova" not in response.text
    listing = client.get(url("patients:patient-list")).text
    assert "Globexova" in listing and "Acmeova" not in listing
    assert client.post(url("patients:patient-delete", twin_patients["acme"][1])).status_code == 404
    with use_tenant(acme):
        assert Patient.objects.count() == 2
        assert not PatientAccessLog.objects.exists()


@pytest.mark.parametrize("name", ["patients:patient-list", "patients:patient-create", *OBJECT_PAGES])
def test_it_sends_anonymous_visitors_to_the_login_page(client, twin_patients, name):
    patient = None if name in ("patients:patient-list", "patients:patient-create") else twin_patients["acme"][0]
    response = client.get(url(name, patient))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
