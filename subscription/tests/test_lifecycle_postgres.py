"""The company lifecycle on PostgreSQL: renames instead of moved files, pg_dump backups."""

import subprocess
from pathlib import Path

import pytest

from doctors.tests.factories import DoctorFactory
from subscription.lifecycle import (
    company_archive,
    company_delete,
    company_restore,
    tenant_backup_dir,
)
from subscription.models import Company
from subscription.provisioning import (
    ProvisioningError,
)
from subscription.storage import tenant_storage
from subscription.tenancy import close_tenant_connections, use_tenant
from subscription.tests.lifecycle_helpers import (
    Lifecycle,
    doctor_names,
    walk,
)

pytestmark = pytest.mark.django_db


# --- PostgreSQL ---------------------------------------------------------------------------------
@pytest.fixture
def pg_companies(on_postgres, company_factory):
    made = [company_factory(name="PG Acme"), company_factory(name="PG Globex")]
    yield made
    for company in made:  # an archived database is not where company_factory looks for it
        tenant_storage().drop_archived(company.slug)


@pytest.mark.postgres
def test_the_lifecycle_on_postgres(pg_companies, monkeypatch):
    acme, globex = pg_companies
    with use_tenant(acme):
        DoctorFactory(last_name="Pgacmeyev")
    with use_tenant(globex):
        DoctorFactory(last_name="Pgglobexov")
    close_tenant_connections()

    walk(acme, "suspend", "archive")
    assert not tenant_storage().exists(acme.slug)
    assert tenant_storage()._database_exists(tenant_storage().archived_name(acme.slug))
    company_restore(company=acme)
    assert tenant_storage().exists(acme.slug)
    assert doctor_names(acme) == ["Pgacmeyev"]

    company_archive(company=acme)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ProvisioningError, match="pg_dump is not on PATH"):
        company_delete(company=acme)
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.ARCHIVED
    monkeypatch.undo()

    company_delete(company=acme)
    acme.refresh_from_db()
    dump = Path(acme.final_backup)
    assert dump.suffix == ".dump" and dump.parent == tenant_backup_dir() / acme.slug
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True)
    assert "doctors_doctor" in listing.stdout
    assert not tenant_storage()._database_exists(tenant_storage().archived_name(acme.slug))
    assert doctor_names(globex) == ["Pgglobexov"]
    assert Company.objects.get(pk=globex.pk).lifecycle == Lifecycle.ACTIVE
