"""Backups: the catalogue, restoring after damage, restoring as a new company, encryption and copies."""

import sqlite3
from pathlib import Path

import pytest
from django.core.management import CommandError

from subscription.access import READ_ONLY, company_access
from subscription.backups.catalogue import backup_create, backup_path, latest_backup
from subscription.backups.crypto import BackupUnreadable, is_encrypted
from subscription.backups.restore import pick_backup, restore_in_place
from subscription.lifecycle import company_held
from subscription.models import Company, TenantBackup
from subscription.provisioning import tenant_database_drop
from subscription.storage.sqlite import tenant_database_path
from subscription.tests.backup_helpers import contents, delete_doctors, doctor_names, run

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["plain", "encrypted"])
def key(request, settings):
    settings.BACKUP_KEY = "" if request.param == "plain" else "a long random secret for the tests"
    return settings.BACKUP_KEY


def journal_mode(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        connection.close()


def test_a_backup_is_catalogued_with_what_it_holds(filled, key):
    acme, globex = filled
    before = contents(acme)
    backup = backup_create(company=acme, how=TenantBackup.How.MANUAL)
    path = backup_path(backup)
    assert path.exists() and path.stat().st_size == backup.size
    assert path.parent.name == acme.slug and path.name.startswith(f"{acme.slug}-") and "-manual" in path.name
    assert backup.tables == before
    assert backup.tables["doctors_doctor"]["rows"] == 3
    assert backup.encrypted == bool(key) == is_encrypted(path)
    assert backup.engine == "sqlite" and backup.server
    assert backup.tenant_migration_key == acme.schema_state.tenant_migration_key
    assert b"Acmeov0" not in path.read_bytes() if key else b"Acmeov0" in path.read_bytes()


@pytest.mark.parametrize("damage", ["rows deleted", "file corrupted"])
def test_restore_latest_after_damage_gives_back_what_the_backup_holds(filled, key, damage):
    acme, globex = filled
    globex_before = contents(globex)
    backup = backup_create(company=acme)
    if damage == "rows deleted":
        delete_doctors(acme)
        assert doctor_names(acme) == []
    else:
        live = tenant_database_path(acme.slug)
        with open(live, "r+b") as handle:
            handle.seek(0)
            handle.write(b"\0" * 4096)  # the header and first page: no longer a database
        with pytest.raises(CommandError, match="could not be backed up first"):
            run("restore_tenant", acme.slug)
    out = run("restore_tenant", acme.slug, "--backup", "latest", *(["--force"] if damage == "file corrupted" else []))
    assert f"from backup {backup.pk}" in out
    assert contents(acme) == backup.tables
    assert doctor_names(acme) == ["Acmeov0", "Acmeov1", "Acmeov2"]
    assert journal_mode(tenant_database_path(acme.slug)) == "wal"
    acme.refresh_from_db()
    assert acme.lifecycle_pending == "" and company_access(acme) != READ_ONLY
    assert contents(globex) == globex_before
    if damage == "rows deleted":  # what was there before the restore is kept, as a safety backup
        safety = latest_backup(acme)
        assert safety.how == TenantBackup.How.SAFETY and f"--backup {safety.pk}" in out
        assert safety.tables["doctors_doctor"]["rows"] == 0
    else:  # or, damaged, aside
        kept = Path(out.split("it is kept at ")[1].strip())
        assert kept.exists() and kept.read_bytes()[:4096] == b"\0" * 4096


def test_restore_as_a_new_company_leaves_the_original_untouched(filled, key):
    acme, globex = filled
    backup = backup_create(company=acme)
    delete_doctors(acme)  # the original moves on after the backup
    acme_now = contents(acme)
    out = run("restore_tenant", acme.slug, "--as", "acme-copy")
    copy = Company.objects.get(slug="acme-copy")
    try:
        assert "acme-copy" in out and copy.lifecycle == Company.Lifecycle.ACTIVE
        assert contents(copy) == backup.tables
        assert contents(acme) == acme_now and doctor_names(acme) == []
        assert copy.current_subscription().plan == acme.current_subscription().plan
        assert not TenantBackup.objects.filter(company=acme, how=TenantBackup.How.SAFETY).exists()
    finally:
        tenant_database_drop(copy)


def test_restore_refuses_a_taken_code_and_an_unknown_backup(filled):
    acme, globex = filled
    backup_create(company=acme)
    with pytest.raises(CommandError, match="taken"):
        run("restore_tenant", acme.slug, "--as", globex.slug)
    with pytest.raises(CommandError, match="no backup 99999"):
        run("restore_tenant", acme.slug, "--backup", "99999")
    with pytest.raises(CommandError, match="no backup yet"):
        run("restore_tenant", globex.slug)
    assert doctor_names(globex) == ["Globexov0", "Globexov1", "Globexov2"]


def test_a_backup_of_another_company_is_never_restored_into_this_one(filled):
    acme, globex = filled
    globex_backup = backup_create(company=globex)
    with pytest.raises(Exception, match="not one of"):
        restore_in_place(company=acme, backup=globex_backup)
    assert doctor_names(acme) == ["Acmeov0", "Acmeov1", "Acmeov2"]


def test_the_company_is_read_only_while_a_backup_is_restored_into_place(filled, member, client):
    acme, globex = filled
    client.force_login(member("owner", acme))
    with company_held(acme):
        acme.refresh_from_db()
        assert company_access(acme) == READ_ONLY
        assert client.get("/doctors/").status_code == 200
        refused = client.post("/doctors/new/", {})
        assert refused.status_code == 503 and refused["Retry-After"]  # a pause, not a refusal
        assert "being put back" in refused.content.decode()
        assert company_access(Company.objects.get(pk=globex.pk)) != READ_ONLY
    acme.refresh_from_db()
    assert company_access(acme) != READ_ONLY


def test_an_encrypted_backup_needs_its_key(filled, settings):
    acme, globex = filled
    settings.BACKUP_KEY = "the key it was made with"
    backup = backup_create(company=acme)
    settings.BACKUP_KEY = "another key"
    with pytest.raises(BackupUnreadable, match="another BACKUP_KEY"):
        restore_in_place(company=acme, backup=backup)
    settings.BACKUP_KEY = ""
    with pytest.raises(BackupUnreadable, match="BACKUP_KEY is not set"):
        restore_in_place(company=acme, backup=backup)
    acme.refresh_from_db()
    assert acme.lifecycle_pending == "" and doctor_names(acme) == ["Acmeov0", "Acmeov1", "Acmeov2"]


def test_the_copy_is_checked_and_used_when_the_backup_is_damaged(filled, settings, tmp_path, key):
    acme, globex = filled
    settings.BACKUP_COPY_DIR = str(tmp_path / "remote")
    backup = backup_create(company=acme)
    assert backup.copy_checked_at is not None and backup.copy_error == ""
    copy = Path(backup.copy_file)
    assert copy.read_bytes() == backup_path(backup).read_bytes()
    backup_path(backup).write_bytes(b"damaged")
    delete_doctors(acme)
    restore_in_place(company=acme, backup=pick_backup(acme, backup.pk))
    assert doctor_names(acme) == ["Acmeov0", "Acmeov1", "Acmeov2"]
