"""The doctor's page: the sections other apps add (visits, sales, payments), per role, per company."""

import pytest
from django.urls import reverse

from appointments.tests.factories import AppointmentFactory
from payments.tests.factories import PaymentFactory
from sales.tests.factories import SaleFactory
from subscription.tenancy import use_tenant
from subscription.ui.permissions import PERMISSIONS

pytestmark = pytest.mark.django_db
SECTION_RIGHTS = {
    "visits": "appointment_view",
    "sales": "sale_view",
    "payments": "payment_view",
    "history": "doctor_view",
}


@pytest.fixture
def doctor_with_history(acme, globex, member):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        doctor = AppointmentFactory(staff=rep, outcome="mine").doctor
        AppointmentFactory(doctor=doctor, staff=colleague)
        SaleFactory(doctor=doctor, representative=rep, invoice_number="INV-MINE")
        SaleFactory(doctor=doctor, representative=colleague, invoice_number="INV-THEIRS")
        PaymentFactory(doctor=doctor)
    with use_tenant(globex):  # the same ids in the other company must not leak onto the page
        AppointmentFactory.create_batch(3)
    return doctor, rep


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_each_role_sees_the_sections_its_rights_allow(doctor_with_history, client_for, acme, role):
    doctor, _rep = doctor_with_history
    page = client_for(role, acme).get(reverse("doctors:doctor-detail", args=[doctor.pk]))
    shown = {part.section.key: part.count for part in page.context["sections"]}
    allowed = {key for key, right in SECTION_RIGHTS.items() if role in PERMISSIONS[right]}
    assert set(shown) == allowed
    assert shown["visits"] == 2 and shown["sales"] == 2
    assert shown.get("payments", 1) == 1


def test_a_representative_sees_only_their_own_visits_and_sales(doctor_with_history, login, acme):
    doctor, rep = doctor_with_history
    page = login(rep).get(reverse("doctors:doctor-detail", args=[doctor.pk]))
    shown = {part.section.key: part for part in page.context["sections"]}
    assert set(shown) == {"visits", "sales", "history"}
    assert [visit.staff_id for visit in shown["visits"].rows] == [rep.pk]
    assert [sale.invoice_number for sale in shown["sales"].rows] == ["INV-MINE"]
    assert "INV-THEIRS" not in page.text
