"""The company database lifecycle: active → suspended → archived → deleted, with real databases."""

import re
import sqlite3
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from doctors.tests.factories import DoctorFactory
from subscription.lifecycle import (
    company_archive,
    company_delete,
    company_restore,
    company_resume,
    company_suspend,
    tenant_backup_dir,
    tenant_database_backup,
)
from subscription.models import Company, TenantSchemaState
from subscription.provisioning import (
    ProvisioningError,
    tenant_database_create,
)
from subscription.storage.sqlite import tenant_archive_path, tenant_database_path
from subscription.tenancy import close_tenant_connections, use_tenant
from subscription.tests.lifecycle_helpers import (
    ALLOWED_FROM,
    STEPS,
    WAY_TO,
    Lifecycle,
    assert_globex_untouched,
    doctor_names,
    files_at,
    names_in_file,
    walk,
)

pytestmark = pytest.mark.django_db


# --- Transitions -----------------------------------------------------------------------------------
def test_it_walks_every_reversible_step_and_back(acme, globex, doctors):
    live = tenant_database_path(acme.slug)
    company_suspend(company=acme)
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.SUSPENDED
    assert acme.lifecycle_changed_at is not None
    assert "" in files_at(live)  # suspending leaves the database where it is
    company_resume(company=acme)
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.ACTIVE

    walk(acme, "suspend", "archive")
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.ARCHIVED
    assert not files_at(live)
    assert "" in files_at(tenant_archive_path(acme.slug))
    assert tenant_archive_path(acme.slug).parent == Path(tenant_database_path(acme.slug)).parent / "archive"
    assert_globex_untouched(globex)

    company_restore(company=acme)
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.SUSPENDED  # back, but not yet open
    assert not files_at(tenant_archive_path(acme.slug))
    assert doctor_names(acme) == ["Acmeyev"]
    company_resume(company=acme)
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.ACTIVE
    with use_tenant(acme):
        DoctorFactory(last_name="Afterwards")  # the restored database takes writes again
    assert doctor_names(acme) == ["Acmeyev", "Afterwards"]
    assert_globex_untouched(globex)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (state, action)
        for state in (Lifecycle.ACTIVE, Lifecycle.SUSPENDED, Lifecycle.ARCHIVED, Lifecycle.DELETED)
        for action in STEPS
        if ALLOWED_FROM[action] != state
    ],
)
def test_each_step_is_refused_from_a_wrong_state(state, action, company_factory, globex, doctors):
    company = walk(company_factory(name="Wrong State"), *WAY_TO[state])
    live_before = files_at(tenant_database_path(company.slug))
    archived_before = files_at(tenant_archive_path(company.slug))
    with pytest.raises(ValidationError) as refused:
        STEPS[action](company=company)
    message = " ".join(refused.value.messages)
    assert "Wrong State" in message and str(state) in message
    if state == Lifecycle.DELETED:
        assert "final backup" in message
    else:
        assert "Do this first" in message or "Nothing was changed" in message
    assert Company.objects.get(pk=company.pk).lifecycle == state
    assert files_at(tenant_database_path(company.slug)) == live_before
    assert files_at(tenant_archive_path(company.slug)) == archived_before
    assert_globex_untouched(globex)


def test_a_refusal_says_which_steps_come_first(acme):
    with pytest.raises(ValidationError, match="Do this first: Suspend → Archive."):
        company_delete(company=acme)
    walk(acme, "suspend", "archive")
    with pytest.raises(ValidationError, match="Do this first: Restore."):
        company_resume(company=acme)


# --- Files ----------------------------------------------------------------------------------------
def test_archive_moves_the_database_with_its_wal_and_shm_and_restore_brings_the_same_data(acme, globex, doctors):
    live = tenant_database_path(acme.slug)
    # Another connection (a worker, say) keeps the database open, so its -wal and -shm stay on disk,
    # and the doctor written through Django is still in the write-ahead log.
    other = sqlite3.connect(live, isolation_level=None)
    try:
        other.execute("SELECT count(*) FROM doctors_doctor").fetchall()
        with use_tenant(acme):
            DoctorFactory(last_name="Inthelog")
        close_tenant_connections()
        assert files_at(live) == {"", "-wal", "-shm"}
        assert Path(f"{live}-wal").stat().st_size > 0

        walk(acme, "suspend", "archive")
        archived = tenant_archive_path(acme.slug)
        assert files_at(live) == set()
        assert files_at(archived) == {"", "-wal", "-shm"}
        assert Path(f"{archived}-wal").stat().st_size == 0  # checkpointed into the file first
    finally:
        other.close()
    assert names_in_file(archived) == ["Acmeyev", "Inthelog"]  # the file alone holds every write

    company_restore(company=acme)
    assert "" in files_at(live)
    assert files_at(archived) == set()
    assert doctor_names(acme) == ["Acmeyev", "Inthelog"]
    assert_globex_untouched(globex)


def test_archive_never_overwrites_an_archived_file(acme, globex, doctors):
    archived = tenant_archive_path(acme.slug)
    archived.parent.mkdir(parents=True, exist_ok=True)
    archived.write_bytes(b"an older copy someone left here")
    company_suspend(company=acme)
    with pytest.raises(ProvisioningError, match="already exists"):
        company_archive(company=acme)
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.SUSPENDED
    assert archived.read_bytes() == b"an older copy someone left here"
    assert doctor_names(acme) == ["Acmeyev"]
    archived.unlink()


def test_restore_never_overwrites_a_database_made_in_the_meantime(acme):
    walk(acme, "suspend", "archive")
    tenant_database_path(acme.slug).write_bytes(b"made by mistake")
    with pytest.raises(ProvisioningError, match="already exists"):
        company_restore(company=acme)
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.ARCHIVED
    assert "" in files_at(tenant_archive_path(acme.slug))
    tenant_database_path(acme.slug).unlink()
    company_restore(company=acme)
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.SUSPENDED


def test_delete_keeps_a_backup_that_opens_and_removes_the_database(acme, globex, doctors):
    walk(acme, "suspend", "archive")
    company_delete(company=acme)

    acme = Company.objects.get(pk=acme.pk)  # the row stays, for the audit trail
    assert acme.lifecycle == Lifecycle.DELETED
    backup = Path(acme.final_backup)
    assert backup.parent == tenant_backup_dir() / acme.slug
    assert re.fullmatch(rf"{acme.slug}-\d{{8}}T\d{{6}}Z-final\.db", backup.name)
    assert names_in_file(backup) == ["Acmeyev"]
    with sqlite3.connect(backup) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    assert files_at(backup) == {""}
    assert files_at(tenant_database_path(acme.slug)) == set()
    assert files_at(tenant_archive_path(acme.slug)) == set()
    assert not TenantSchemaState.objects.filter(company=acme).exists()
    assert_globex_untouched(globex)


def test_no_database_is_ever_made_again_for_an_archived_or_deleted_company(acme):
    walk(acme, "suspend", "archive")
    with pytest.raises(ProvisioningError, match="restore_company"):
        tenant_database_create(acme)
    company_delete(company=acme)
    with pytest.raises(ProvisioningError, match="another code"):
        tenant_database_create(acme)
    assert files_at(tenant_database_path(acme.slug)) == set()


# --- Backups --------------------------------------------------------------------------------------
def test_a_backup_of_an_active_company_holds_what_is_still_in_the_write_ahead_log(acme, globex, doctors):
    live = tenant_database_path(acme.slug)
    other = sqlite3.connect(live, isolation_level=None)
    try:
        other.execute("SELECT count(*) FROM doctors_doctor").fetchall()
        with use_tenant(acme):
            DoctorFactory(last_name="Notcheckpointed")
            backup = tenant_database_backup(company=acme)  # while the company's connection is open
        close_tenant_connections()
        assert Path(f"{live}-wal").stat().st_size > 0
    finally:
        other.close()
    assert names_in_file(backup) == ["Acmeyev", "Notcheckpointed"]
    assert files_at(backup) == {""}
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.ACTIVE
    assert doctor_names(acme) == ["Acmeyev", "Notcheckpointed"]
    assert_globex_untouched(globex)


def test_backups_of_the_same_second_do_not_overwrite_each_other(acme):
    first, second = tenant_database_backup(company=acme), tenant_database_backup(company=acme)
    assert first != second
    assert first.exists() and second.exists()
    assert not list(tenant_backup_dir().glob("*/.*.part*"))  # no half-written file is left behind


def test_an_archived_company_can_be_backed_up_and_a_deleted_one_cannot(acme, doctors):
    walk(acme, "suspend", "archive")
    assert names_in_file(tenant_database_backup(company=acme)) == ["Acmeyev"]
    company_delete(company=acme)
    with pytest.raises(ValidationError, match="final backup is"):
        tenant_database_backup(company=acme)


# --- Who may come in ----------------------------------------------------------------------------
def test_the_middleware_refuses_suspended_archived_and_deleted_companies_with_a_page(acme, globex, doctors, member):
    from django.test import Client

    def doctor_page(company: Company):
        client = Client()
        client.force_login(member("manager", company))
        return client.get("/doctors/")

    company_suspend(company=acme)
    suspended = doctor_page(acme)
    assert suspended.status_code == 403
    assert "deactivated" in suspended.text

    company_archive(company=acme)
    archived = doctor_page(acme)
    assert archived.status_code == 403
    assert "archived" in archived.text and "support team" in archived.text
    assert "Acmeyev" not in archived.text

    company_delete(company=acme)
    deleted = doctor_page(acme)
    assert deleted.status_code == 403
    assert "final backup" in deleted.text and "support team" in deleted.text

    other = doctor_page(globex)
    assert other.status_code == 200
    assert "Globexov" in other.text
