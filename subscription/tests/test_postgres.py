"""Company databases on the real PostgreSQL server (the scale-out path).

Skips where no server answers, unless REQUIRE_POSTGRES=1 (set by .ci/run), where it must run.
"""

import os

import pytest
from django.core.management import call_command

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from subscription.provisioning import ProvisioningError, tenant_database_create, tenant_database_exists
from subscription.tenancy import WrongTenant, tenant_connection, use_tenant

SERVER = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def postgres_available() -> str | None:
    try:
        import psycopg

        psycopg.connect(f"{SERVER}/postgres", connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001
        return str(error)
    return None


@pytest.fixture
def on_postgres(settings):
    problem = postgres_available()
    if problem:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL at {SERVER} is unreachable: {problem}")
        pytest.skip(f"PostgreSQL at {SERVER} is unreachable: {problem}")
    settings.TENANT_DATABASE_URL = f"{SERVER}/pytest_tenant_{{slug}}"


@pytest.mark.postgres
@pytest.mark.django_db
def test_companies_on_postgres_are_isolated_and_made_from_a_template(on_postgres, company_factory):
    acme, globex = company_factory(), company_factory()
    assert tenant_database_exists(acme.slug) and tenant_database_exists(globex.slug)
    with use_tenant(acme):
        assert tenant_connection().vendor == "postgresql"
        doctor = DoctorFactory(code="PG-ACME")
    with use_tenant(globex):
        assert not Doctor.objects.filter(code="PG-ACME").exists()
        DoctorFactory(code="PG-GLOBEX")
        with pytest.raises(WrongTenant):
            doctor.save()
    with use_tenant(acme):
        assert list(Doctor.objects.values_list("code", flat=True)) == ["PG-ACME"]
    with pytest.raises(ProvisioningError, match="already exists"):
        tenant_database_create(acme)
    call_command("migrate_tenants", "--force", "--tenant", acme.slug, "--tenant", globex.slug)
    acme.schema_state.refresh_from_db()
    assert acme.schema_state.last_error == ""


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_and_sorting_follow_azerbaijani_rules_on_postgres(on_postgres, company_factory):
    from subscription.aztext import AzFold, az_ordered
    from subscription.tests.test_aztext import AZ_ORDER

    company = company_factory()
    with use_tenant(company):
        for name in reversed(AZ_ORDER):
            DoctorFactory(last_name=name)
        ordered = Doctor.objects.order_by(az_ordered("last_name")).values_list("last_name", flat=True)
        assert list(ordered) == AZ_ORDER
        found = Doctor.objects.alias(folded=AzFold("last_name")).filter(folded__contains="ibrahim")
        assert list(found.values_list("last_name", flat=True)) == ["İbrahimov"]
