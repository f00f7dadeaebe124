"""The company database lifecycle: active → suspended → archived → deleted, with real databases."""

import io
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command, load_command_class

from doctors.models import Doctor
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
    tenant_database_drop,
)
from subscription.storage import tenant_storage
from subscription.storage.sqlite import tenant_archive_path, tenant_database_path
from subscription.tenancy import close_tenant_connections, use_tenant

pytestmark = pytest.mark.django_db

Lifecycle = Company.Lifecycle
SIDE_FILES = ("", "-wal", "-shm")
STEPS = {
    "suspend": company_suspend,
    "resume": company_resume,
    "archive": company_archive,
    "restore": company_restore,
    "delete": company_delete,
}
# How to reach each state from a new (active) company.
WAY_TO = {
    Lifecycle.ACTIVE: [],
    Lifecycle.SUSPENDED: ["suspend"],
    Lifecycle.ARCHIVED: ["suspend", "archive"],
    Lifecycle.DELETED: ["suspend", "archive", "delete"],
}
ALLOWED_FROM = {
    "suspend": Lifecycle.ACTIVE,
    "resume": Lifecycle.SUSPENDED,
    "archive": Lifecycle.SUSPENDED,
    "restore": Lifecycle.ARCHIVED,
    "delete": Lifecycle.ARCHIVED,
}


def walk(company: Company, *actions: str) -> Company:
    for action in actions:
        STEPS[action](company=company)
    return company


def files_at(path: Path) -> set[str]:
    """Which of the database, -wal and -shm files exist at `path` ('' for the database itself)."""
    return {suffix for suffix in SIDE_FILES if Path(f"{path}{suffix}").exists()}


def doctor_names(company: Company) -> list[str]:
    with use_tenant(company):
        names = list(Doctor.objects.order_by("last_name").values_list("last_name", flat=True))
    close_tenant_connections()
    return names


def names_in_file(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT last_name FROM doctors_doctor ORDER BY last_name")]
    finally:
        connection.close()


@pytest.fixture
def doctors(acme, globex):
    """One doctor in each company, so that every test can see the other company untouched."""
    with use_tenant(acme):
        DoctorFactory(last_name="Acmeyev")
    with use_tenant(globex):
        DoctorFactory(last_name="Globexov")
    close_tenant_connections()


def assert_globex_untouched(globex: Company) -> None:
    globex.refresh_from_db()
    assert globex.lifecycle == Lifecycle.ACTIVE
    assert files_at(tenant_database_path(globex.slug)) >= {""}
    assert not files_at(tenant_archive_path(globex.slug))
    assert doctor_names(globex) == ["Globexov"]


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
    assert backup.parent == tenant_backup_dir()
    assert re.fullmatch(rf"{acme.slug}-\d{{8}}T\d{{6}}Z\.db", backup.name)
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
    assert not list(tenant_backup_dir().glob(".*.tmp"))  # no half-written file is left behind


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


# --- Commands -----------------------------------------------------------------------------------
def run(name: str, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_the_commands_walk_the_lifecycle(acme, globex, doctors):
    assert "Suspended" in run("suspend_company", acme.slug)
    assert "Resumed" in run("resume_company", acme.slug)
    run("suspend_company", acme.slug)
    archived = run("archive_company", acme.slug)
    assert str(tenant_archive_path(acme.slug)) in archived
    assert f"restore_company {acme.slug}" in archived
    restored = run("restore_company", acme.slug)
    assert str(tenant_database_path(acme.slug)) in restored
    assert doctor_names(acme) == ["Acmeyev"]
    run("archive_company", acme.slug)
    deleted = run("delete_company", acme.slug, "--yes")
    acme.refresh_from_db()
    assert acme.lifecycle == Lifecycle.DELETED
    assert acme.final_backup in deleted
    assert names_in_file(Path(acme.final_backup)) == ["Acmeyev"]
    assert_globex_untouched(globex)


@pytest.mark.parametrize(
    ("command", "state", "message"),
    [
        ("suspend_company", None, "No company with the code “no-such-co”"),
        ("archive_company", None, "No company with the code “no-such-co”"),
        ("resume_company", Lifecycle.ACTIVE, "Only a suspended company can be resumed"),
        ("archive_company", Lifecycle.ACTIVE, "Only a suspended company can be archived"),
        ("restore_company", Lifecycle.SUSPENDED, "Only an archived company can be restored"),
        ("delete_company", Lifecycle.SUSPENDED, "Only an archived company can be deleted"),
        ("delete_company", Lifecycle.ARCHIVED, "Rerun with --yes"),
        ("suspend_company", Lifecycle.DELETED, "cannot come back"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(command, state, message, acme, capsys):
    slug = "no-such-co"
    if state is not None:
        walk(acme, *WAY_TO[state])
        slug = acme.slug
    with pytest.raises(SystemExit) as exited:
        load_command_class("subscription", command).run_from_argv(["manage.py", command, slug])
    assert exited.value.code != 0
    error = capsys.readouterr().err.strip()
    assert message in error
    assert "\n" not in error
    assert Company.objects.filter(pk=acme.pk, lifecycle=state or Lifecycle.ACTIVE).exists()


def test_delete_without_yes_says_where_the_backup_would_go(acme):
    walk(acme, "suspend", "archive")
    with pytest.raises(CommandError) as refused:
        call_command("delete_company", acme.slug)
    assert str(tenant_backup_dir()) in str(refused.value)
    assert Company.objects.get(pk=acme.pk).lifecycle == Lifecycle.ARCHIVED
    assert "" in files_at(tenant_archive_path(acme.slug))


def test_a_bad_code_is_refused_before_anything_else():
    with pytest.raises(CommandError, match="not a valid company code"):
        call_command("suspend_company", "../etc")


def test_backup_tenant_backs_up_every_active_company_with_progress(acme, globex, company_factory):
    resting = walk(company_factory(name="Resting"), "suspend")
    output = run("backup_tenant")
    lines = [line for line in output.splitlines() if line.startswith("[")]
    assert len(lines) == 2
    for index, company in enumerate(sorted([acme, globex], key=lambda company: company.slug), start=1):
        assert re.match(rf"\[{index}/2\] {company.slug} \.\.\. ok \d+ KB \({company.slug}-\S+\.db\)$", lines[index - 1])
    assert resting.slug not in output  # suspended: only when named
    assert "2 ok, 0 failed" in output
    assert len(list(tenant_backup_dir().glob(f"{acme.slug}-*.db"))) == 1
    named = run("backup_tenant", "--tenant", resting.slug)
    assert f"[1/1] {resting.slug} ... ok" in named


def test_backup_tenant_keeps_going_past_a_failure_and_exits_non_zero(acme, globex):
    walk(acme, "suspend", "archive", "delete")
    out = io.StringIO()
    with pytest.raises(CommandError, match=f"1 of 2 company database\\(s\\) could not be backed up: {acme.slug}"):
        call_command("backup_tenant", "--tenant", acme.slug, "--tenant", globex.slug, stdout=out)
    assert f"{acme.slug} ... FAILED" in out.getvalue()
    assert f"{globex.slug} ... ok" in out.getvalue()
    with pytest.raises(CommandError, match="No company with the code “no-such-co”"):
        call_command("backup_tenant", "--tenant", "no-such-co")


def test_migrate_tenants_skips_archived_and_deleted_companies(acme, globex, company_factory):
    gone = walk(company_factory(name="Gone"), "suspend", "archive", "delete")
    walk(acme, "suspend", "archive")
    output = run("migrate_tenants", "--force")
    assert f"{globex.slug} ... ok" in output
    assert f"{acme.slug} ..." not in output and f"{gone.slug} ..." not in output
    assert "Skipping 2 archived or deleted company(ies)" in output
    assert "1 ok" in output and "0 failed" in output
    named = run("migrate_tenants", "--force", "--tenant", acme.slug)
    assert "Skipping 1 archived or deleted company(ies): " + acme.slug in named
    assert "0 failed" in named
    assert files_at(tenant_database_path(acme.slug)) == set()  # nothing made in its place


def test_seed_demo_leaves_an_archived_demo_company_alone(db):
    run("seed_demo")
    try:
        walk(Company.objects.get(slug="acme"), "suspend", "archive")
        output = run("seed_demo")
        assert "acme: archived, left as it is" in output
        assert files_at(tenant_database_path("acme")) == set()  # no new, empty database in its place
    finally:
        for company in Company.objects.filter(slug__in=["acme", "globex"]):
            tenant_database_drop(company)
            tenant_storage().drop_archived(company.slug)


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
    assert dump.suffix == ".dump" and dump.parent == tenant_backup_dir()
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True)
    assert "doctors_doctor" in listing.stdout
    assert not tenant_storage()._database_exists(tenant_storage().archived_name(acme.slug))
    assert doctor_names(globex) == ["Pgglobexov"]
    assert Company.objects.get(pk=globex.pk).lifecycle == Lifecycle.ACTIVE
