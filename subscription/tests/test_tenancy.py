import sqlite3

import pytest
from django.db import DatabaseError, OperationalError, connections

from doctors.models import Doctor
from doctors.selectors import doctor_list
from doctors.tests.factories import DoctorFactory
from subscription.storage.sqlite import tenant_database_path
from subscription.tenancy import (
    NoTenantSelected,
    WrongTenant,
    current_tenant,
    tenant_atomic,
    tenant_connection,
    use_tenant,
)

pytestmark = pytest.mark.django_db


def table_rows(path, sql):
    with sqlite3.connect(path) as raw:
        return raw.execute(sql).fetchall()


def test_it_writes_a_doctor_into_its_own_companys_file_only(acme, globex):
    with use_tenant(acme):
        DoctorFactory(code="ONLY-ACME", last_name="Əliyev")
    assert table_rows(tenant_database_path(acme.slug), "SELECT code FROM doctors_doctor") == [("ONLY-ACME",)]
    assert table_rows(tenant_database_path(globex.slug), "SELECT code FROM doctors_doctor") == []
    with use_tenant(globex):
        assert not Doctor.objects.filter(code="ONLY-ACME").exists()


def test_master_database_has_no_tenant_tables(acme):
    master_tables = connections["default"].introspection.table_names()
    assert "subscription_company" in master_tables
    assert not [table for table in master_tables if table.startswith(("doctors_", "patients_", "sales_", "payments_"))]
    with use_tenant(acme):
        tenant_tables = tenant_connection().introspection.table_names()
    assert "doctors_doctor" in tenant_tables
    assert "subscription_company" not in tenant_tables


def test_it_refuses_a_tenant_query_with_no_company_selected():
    assert current_tenant() is None
    with pytest.raises(NoTenantSelected, match=r"use_tenant\(company\)"):
        list(Doctor.objects.all())
    with pytest.raises(NoTenantSelected, match="doctors.Doctor"):
        Doctor(code="X").save()


def test_it_refuses_to_save_company_as_doctor_while_company_b_is_selected(acme, globex):
    with use_tenant(acme):
        doctor = DoctorFactory(code="A-1")
    with use_tenant(globex), pytest.raises(WrongTenant, match="cannot be written"):
        doctor.last_name = "Changed"
        doctor.save()
    with use_tenant(globex), pytest.raises(WrongTenant):
        doctor.delete()
    with use_tenant(globex), pytest.raises(WrongTenant):
        list(doctor.appointments.all())
    with use_tenant(acme):
        assert Doctor.objects.get(code="A-1").last_name != "Changed"
    with use_tenant(globex):
        assert not Doctor.objects.exists()


def test_use_tenant_restores_the_previous_company_even_on_error(acme, globex):
    with use_tenant(acme):
        with pytest.raises(LookupError), use_tenant(globex):
            assert current_tenant() == globex
            raise LookupError("fails inside")
        assert current_tenant() == acme
    assert current_tenant() is None


def test_tenant_atomic_rolls_back_on_the_companys_database(tenant):
    with pytest.raises(RuntimeError), tenant_atomic():
        DoctorFactory(code="ROLLED-BACK")
        raise RuntimeError("undo")
    assert not Doctor.objects.filter(code="ROLLED-BACK").exists()


def test_it_reads_a_doctors_reference_data_across_databases(tenant):
    doctor = DoctorFactory()
    fresh = Doctor.objects.get(pk=doctor.pk)
    assert fresh.region.name_en == doctor.clinic.city.region.name_en
    assert fresh.city == doctor.clinic.city
    assert fresh.clinic == doctor.clinic
    assert fresh.specialization.code == doctor.specialization.code
    assert fresh._state.db == f"tenant_{tenant.slug}"
    assert fresh.region._state.db == "default"


def test_a_list_of_doctors_costs_the_same_queries_for_1_and_for_30(tenant, count_queries):
    DoctorFactory()
    with count_queries() as one:
        names = [(d.full_name, d.region.name, d.city.name, d.clinic.name, d.specialization.name) for d in doctor_list()]
    assert len(names) == 1
    DoctorFactory.create_batch(29)
    with count_queries() as many:
        names = [(d.full_name, d.region.name, d.city.name, d.clinic.name, d.specialization.name) for d in doctor_list()]
    assert len(names) == 30
    assert many.count == one.count


def test_raw_sql_cannot_attach_another_companys_file(acme, globex):
    with use_tenant(acme), tenant_connection().cursor() as cursor, pytest.raises(DatabaseError, match="not authorized"):
        cursor.execute("ATTACH DATABASE %s AS other", [str(tenant_database_path(globex.slug))])


def test_a_missing_company_database_is_an_error_not_a_new_empty_file(company_factory):
    company = company_factory()
    path = tenant_database_path(company.slug)
    path.unlink()
    with use_tenant(company), pytest.raises(OperationalError):
        Doctor.objects.count()
    assert not path.exists()
