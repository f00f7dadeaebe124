"""Dates no business uses give a form error on the visit form, never a server error."""

import pytest
from django.urls import reverse

from appointments.models import Appointment
from doctors.tests.factories import DoctorFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("moment", ["0001-01-01", "0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T10:00"])
def test_it_refuses_a_planned_start_outside_the_years_a_business_uses(moment, acme, member, login):
    manager = member("manager", acme)
    with use_tenant(acme):
        doctor = DoctorFactory()
    data = {"doctor": doctor.pk, "staff": manager.pk, "planned_start": moment, "duration_minutes": 30}
    data |= {"channel": "in_person", "status": "planned"}
    response = login(manager).post(reverse("appointments:appointment-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["planned_start"]
    with use_tenant(acme):
        assert not Appointment.objects.exists()


@pytest.mark.parametrize("product", ["9223372036854775808", "9" * 50, "-1", "x"])
def test_it_refuses_a_product_id_no_database_holds(product, acme, member, login):
    manager = member("manager", acme)
    with use_tenant(acme):
        doctor = DoctorFactory()
    data = {"doctor": doctor.pk, "staff": manager.pk, "planned_start": "2025-05-06T10:00", "duration_minutes": 30}
    data |= {"channel": "in_person", "status": "planned", "products": [product]}
    response = login(manager).post(reverse("appointments:appointment-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["products"]
    with use_tenant(acme):
        assert not Appointment.objects.exists()
