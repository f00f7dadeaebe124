"""Backups on PostgreSQL: pg_dump -Fc in the snapshot the checksums are read in, pg_restore back."""

import io

import pytest
from django.core.management import CommandError, call_command

from subscription.backups.catalogue import backup_create, backup_path
from subscription.models import Company, TenantBackup
from subscription.provisioning import tenant_database_drop
from subscription.tests.backup_helpers import contents, delete_doctors, doctor_names, fill

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def run(name: str, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def pg_filled(on_postgres, company_factory, member):
    acme, globex = company_factory(name="PG Acme"), company_factory(name="PG Globex")
    fill(acme, "Acme", staff=member("manager", acme))
    fill(globex, "Globex", staff=member("manager", globex))
    return acme, globex


@pytest.mark.parametrize("key", ["", "a secret for postgres"])
def test_backup_damage_restore_on_postgres(pg_filled, settings, key):
    settings.BACKUP_KEY = key
    acme, globex = pg_filled
    globex_before = contents(globex)
    backup = backup_create(company=acme)
    assert backup.engine == "postgresql" and backup_path(backup).name.endswith(".dump.enc" if key else ".dump")
    assert backup.tables == contents(acme)
    delete_doctors(acme)
    run("restore_tenant", acme.slug)
    assert contents(acme) == backup.tables
    assert doctor_names(acme) == ["Acmeov0", "Acmeov1", "Acmeov2"]
    assert contents(globex) == globex_before
    safety = TenantBackup.objects.get(company=acme, how=TenantBackup.How.SAFETY)
    assert safety.tables["doctors_doctor"]["rows"] == 0

    copy = None
    try:
        run("restore_tenant", acme.slug, "--backup", str(backup.pk), "--as", "pg-acme-copy")
        copy = Company.objects.get(slug="pg-acme-copy")
        assert contents(copy) == backup.tables
    finally:
        if copy is not None:
            tenant_database_drop(copy)

    assert "1 ok, 0 failed" in run("verify_backups", "--tenant", acme.slug)
    data = bytearray(backup_path(safety).read_bytes())
    data[-10] ^= 0xFF
    backup_path(safety).write_bytes(bytes(data))
    with pytest.raises(CommandError, match="failed verification"):
        run("verify_backups", "--tenant", acme.slug)


def test_a_bundle_moves_between_sqlite_and_postgres_unchanged(company_factory, member, settings, tmp_path, request):
    """Exported from SQLite, imported on PostgreSQL, exported again: the same tables, byte for byte."""
    import zipfile

    sqlite_company = company_factory(name="Lite Acme")
    fill(sqlite_company, "Lite", staff=member("manager", sqlite_company))
    first = tmp_path / "lite.zip"
    run("export_company", sqlite_company.slug, "--out", str(first))
    request.getfixturevalue("on_postgres")
    pg_company = None
    try:
        run("import_company", str(first), "--as", "pg-from-lite")
        pg_company = Company.objects.get(slug="pg-from-lite")
        second = tmp_path / "pg.zip"
        run("export_company", pg_company.slug, "--out", str(second))
        with zipfile.ZipFile(first) as one, zipfile.ZipFile(second) as two:
            names = [name for name in one.namelist() if name.startswith("tables/")]
            assert names and all(one.read(name) == two.read(name) for name in names)
    finally:
        if pg_company is not None:
            tenant_database_drop(pg_company)
        settings.TENANT_DATABASE_URL = ""
