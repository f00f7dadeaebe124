"""The patient list, and the access log kept for every look at or change of a record."""

import re

import pytest

from doctors.tests.factories import DoctorFactory
from patients.models import Patient, PatientAccessLog
from patients.tests.factories import PatientFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

LIST, ADD = "/patients/", "/patients/add/"


def rows_of(response) -> list[str]:
    return re.findall(r'<a href="/patients/\d+/">([^<]+)</a>', response.text)


def test_a_page_of_50_patients_costs_as_many_queries_as_a_page_of_1(client_for, acme, count_queries):
    client = client_for("manager", acme)
    with use_tenant(acme):
        doctor = DoctorFactory(last_name="Həkimov", first_name="Kamran")
        PatientFactory(doctor=doctor)
    client.get(LIST)
    with count_queries() as one:
        response = client.get(LIST)
    assert len(rows_of(response)) == 1
    with use_tenant(acme):
        PatientFactory.create_batch(49, doctor=DoctorFactory(last_name="Cərrahov"))
    with count_queries() as fifty:
        response = client.get(LIST)
    assert len(rows_of(response)) == 50
    assert "Həkimov Kamran" in response.text and "Cərrahov" in response.text
    assert fifty.count == one.count


def test_it_searches_by_name_and_phone_and_filters_by_doctor_and_sex(client_for, acme):
    with use_tenant(acme):
        doctor = DoctorFactory()
        PatientFactory(last_name="İsgəndərova", first_name="Nərgiz", phone="+994 70 200 30 40", doctor=doctor)
        PatientFactory(last_name="Orucov", first_name="Anar", sex=Patient.Sex.MALE, phone="")
    client = client_for("representative", acme)
    assert rows_of(client.get(LIST, {"q": "isgəndər"})) == ["İsgəndərova Nərgiz"]
    assert rows_of(client.get(LIST, {"q": "702003040"})) == ["İsgəndərova Nərgiz"]
    assert rows_of(client.get(LIST, {"doctor": doctor.pk})) == ["İsgəndərova Nərgiz"]
    assert rows_of(client.get(LIST, {"sex": "male"})) == ["Orucov Anar"]
    assert rows_of(client.get(LIST, {"sort": "-name"})) == ["Orucov Anar", "İsgəndərova Nərgiz"]


def test_patient_lists_are_not_exported(client_for, acme):
    client = client_for("owner", acme)
    assert "export=" not in client.get(LIST).text
    assert client.get(LIST, {"export": "csv"}).status_code == 400


def test_every_detail_view_is_logged_with_user_and_time(client, member, acme):
    rep = member("representative", acme)
    with use_tenant(acme):
        patient = PatientFactory()
    client.force_login(rep)
    client.get(f"/patients/{patient.pk}/")
    client.get(f"/patients/{patient.pk}/")
    with use_tenant(acme):
        log = list(PatientAccessLog.objects.filter(patient=patient))
    assert [(entry.user, entry.action) for entry in log] == [(rep, "view"), (rep, "view")]
    assert all(entry.at is not None for entry in log)


def test_owners_and_managers_see_the_access_log_and_representatives_do_not(client, member, acme):
    rep = member("representative", acme, first_name="Vüqar", last_name="Nəsirov")
    manager = member("manager", acme)
    with use_tenant(acme):
        patient = PatientFactory()
    client.force_login(rep)
    assert 'id="access-log"' not in client.get(f"/patients/{patient.pk}/").text
    client.force_login(manager)
    response = client.get(f"/patients/{patient.pk}/")
    log = response.text[response.text.index('id="access-log"') :]
    assert "Vüqar Nəsirov" in log
    assert "Viewed" in log


def test_adding_changing_and_deleting_a_patient_is_logged(client, member, acme):
    manager = member("manager", acme)
    client.force_login(manager)
    with use_tenant(acme):
        doctor = DoctorFactory()
    data = {
        "last_name": "Rəhimova",
        "first_name": "Səbinə",
        "sex": "female",
        "phone": "0551234567",
        "doctor": doctor.pk,
    }
    response = client.post(ADD, data)
    with use_tenant(acme):
        patient = Patient.objects.get()
        assert (patient.phone, patient.doctor, patient.created_by) == ("+994 55 123 45 67", doctor, manager)
    assert response.url == f"/patients/{patient.pk}/"
    response = client.post(f"/patients/{patient.pk}/edit/", {**data, "notes": "Proqram 2"})
    assert response.status_code == 302
    client.post(f"/patients/{patient.pk}/delete/")
    with use_tenant(acme):
        assert not Patient.objects.exists()
        log = list(PatientAccessLog.objects.order_by("pk").values_list("patient_number", "user", "action"))
    assert log == [
        (patient.pk, manager.pk, "create"),
        (patient.pk, manager.pk, "update"),
        (patient.pk, manager.pk, "delete"),
    ]


def test_bad_input_is_a_form_error_and_nothing_is_saved(client_for, acme):
    client = client_for("owner", acme)
    response = client.post(ADD, {"last_name": "", "first_name": "Aygün", "birth_date": "2999-01-01", "phone": "123"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"last_name", "phone"} <= set(errors)
    response = client.post(ADD, {"last_name": "Gələcək", "first_name": "Aygün", "birth_date": "2999-01-01"})
    assert "The birth date is in the future" in response.text
    with use_tenant(acme):
        assert not Patient.objects.exists()
        assert not PatientAccessLog.objects.exists()
