"""Company databases on the real PostgreSQL server (the scale-out path).

The `on_postgres` fixture (conftest.py) skips where no server answers, unless REQUIRE_POSTGRES=1
(set by .ci/run), where these tests must run.
"""

import pytest
from django.core.management import call_command

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from subscription.provisioning import ProvisioningError, tenant_database_create, tenant_database_exists
from subscription.tenancy import WrongTenant, tenant_connection, use_tenant


@pytest.mark.postgres
@pytest.mark.django_db
def test_companies_on_postgres_are_isolated_and_made_from_a_template(on_postgres, company_factory):
    acme, globex = company_factory(), company_factory()
    assert tenant_database_exists(acme) and tenant_database_exists(globex)
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
    from subscription.tests.test_aztext import AZ_ORDER
    from subscription.ui.aztext import AzFold, az_ordered

    company = company_factory()
    with use_tenant(company):
        for name in reversed(AZ_ORDER):
            DoctorFactory(last_name=name)
        ordered = Doctor.objects.order_by(az_ordered("last_name")).values_list("last_name", flat=True)
        assert list(ordered) == AZ_ORDER
        found = Doctor.objects.alias(folded=AzFold("last_name")).filter(folded__contains="ibrahim")
        assert list(found.values_list("last_name", flat=True)) == ["İbrahimov"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_new_template_replaces_the_stale_ones(on_postgres, company_factory):
    from subscription.schema import migration_key
    from subscription.storage import tenant_storage

    server = tenant_storage()
    current, stale = server._own(f"template_{migration_key()[:16]}"), server._own("template_0000000000000000")
    server.execute(f'CREATE DATABASE "{stale}"')
    server.execute(f'DROP DATABASE IF EXISTS "{current}" WITH (FORCE)')
    company = company_factory()
    assert tenant_database_exists(company)
    assert server._database_exists(current)
    assert not server._database_exists(stale)
