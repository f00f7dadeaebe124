"""Change history of doctors, patients, visits, sales and payments: who changed which field, when, old → new,
written in the company's own database only (never the master's, never another company's) and shown on the record."""

import pytest
from django.db import connections
from django.urls import reverse

from appointments.tests.factories import AppointmentFactory
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from patients.tests.factories import PatientFactory
from payments.tests.factories import PaymentFactory
from sales.tests.factories import SaleFactory
from subscription.tenancy import tenant_connection, use_tenant

pytestmark = pytest.mark.django_db

# (factory, field changed, old value, new value, the record's page)
TRACKED = {
    "doctor": (DoctorFactory, "last_name", "Əliyev", "Zeynalov", "doctors:doctor-detail"),
    "patient": (PatientFactory, "last_name", "Qasımova", "Hüseynova", "patients:patient-detail"),
    "visit": (AppointmentFactory, "outcome", "Nümunə verildi", "Razılaşdı", "appointments:appointment-detail"),
    "sale": (SaleFactory, "invoice_number", "INV-OLD", "INV-NEW", "sales:sale-detail"),
    "payment": (PaymentFactory, "reference", "REF-OLD", "REF-NEW", "payments:payment-detail"),
}


def history_tables(alias: str) -> set[str]:
    return {name for name in connections[alias].introspection.table_names() if "historical" in name}


@pytest.mark.parametrize("kind", TRACKED)
def test_a_change_is_recorded_in_the_companys_database_and_shown(acme, globex, member, login, kind):
    factory, field, old, new, page = TRACKED[kind]
    editor = member("manager", acme, first_name="Leyla", last_name="Məmmədova")
    with use_tenant(acme):
        record = factory(**{field: old})
        setattr(record, field, new)
        record.updated_by = editor
        record.save()
        history = list(type(record).history.filter(id=record.pk).order_by("history_id"))
        assert [row.history_type for row in history] == ["+", "~"]
        assert getattr(history[0], field) == old and getattr(history[1], field) == new
        assert history[1].history_user_id == editor.pk
        acme_tables = history_tables(tenant_connection().alias)
    with use_tenant(globex):
        assert type(record).history.count() == 0
    # The master database has no history table at all: nothing could be written there.
    assert history_tables("default") == set()
    assert f"{type(record)._meta.app_label}_historical{type(record)._meta.model_name}" in acme_tables

    text = login(editor).get(reverse(page, args=[record.pk])).text
    assert 'data-section="history"' in text
    assert f"{old}</span> → {new}" in text
    assert "Leyla Məmmədova" in text


def test_editing_a_doctor_on_its_page_records_who_changed_what(acme, member, login):
    manager = member("manager", acme, first_name="Tural", last_name="İsmayılov")
    with use_tenant(acme):
        doctor = DoctorFactory(last_name="Əliyev", category="B")
    form = login(manager).get(reverse("doctors:doctor-update", args=[doctor.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(last_name="Zeynalov", category="A", code=doctor.code)
    data = {key: ("on" if value is True else value) for key, value in data.items() if value is not False}
    response = login(manager).post(reverse("doctors:doctor-update", args=[doctor.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    page = login(manager).get(reverse("doctors:doctor-detail", args=[doctor.pk])).text
    assert "Əliyev</span> → Zeynalov" in page
    assert "B — regular</span> → A — key" in page
    with use_tenant(acme):
        assert Doctor.history.filter(id=doctor.pk).latest().history_user_id == manager.pk


def test_a_deletion_is_recorded_with_who_deleted(acme, member, login):
    manager = member("manager", acme)
    with use_tenant(acme):
        sale = SaleFactory()
    assert login(manager).post(reverse("sales:sale-delete", args=[sale.pk])).status_code == 302
    with use_tenant(acme):
        deleted = type(sale).history.filter(id=sale.pk).latest()
        assert (deleted.history_type, deleted.history_user_id) == ("-", manager.pk)


def test_another_companys_user_sees_no_history(acme, globex, member, login):
    with use_tenant(acme):
        doctor = DoctorFactory(last_name="Gizli")
        doctor.last_name = "Gizlin"
        doctor.save()
    response = login(member("manager", globex)).get(reverse("doctors:doctor-detail", args=[doctor.pk]))
    assert response.status_code == 404
