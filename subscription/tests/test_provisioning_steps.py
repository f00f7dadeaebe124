"""A company is made and moved through its lifecycle in steps that a crash, or a kill, can stop anywhere:
running the same command again finishes it, and nothing temporary is left behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from subscription import lifecycle, provisioning
from subscription.models import Company, TenantSchemaState
from subscription.services import company_create
from subscription.storage.sqlite import tenant_archive_path, tenant_database_path
from subscription.tenancy import tenant_alias, use_tenant
from subscription.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


class Crash(Exception):
    """Stands for the process dying at that point."""


def crash(*args, **kwargs):
    raise Crash


def temporary_files() -> list[str]:
    return sorted(path.name for path in Path(settings.TENANT_DB_DIR).rglob("*") if ".tmp" in path.name)


def assert_whole_and_active(slug: str) -> None:
    company = Company.objects.get(slug=slug)
    assert company.lifecycle == Company.Lifecycle.ACTIVE
    assert TenantSchemaState.objects.get(company=company).tenant_migration_key
    with use_tenant(company):
        tables = connections[tenant_alias(slug)].introspection.table_names()
    assert {"doctors_doctor", "appointments_appointment", "django_migrations"} <= set(tables)
    assert temporary_files() == []


CRASH_POINTS = {
    "before the database is linked": "subscription.storage.sqlite.fsync_file",
    "after it is linked, before its state is recorded": "subscription.provisioning.record_schema_state",
    "after the state, before the company is active": "subscription.provisioning._activate",
}


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_company_stopped_at_any_step_is_finished_by_running_create_tenant_db_again(point, monkeypatch, db):
    slug = f"step-{list(CRASH_POINTS).index(point)}"
    with monkeypatch.context() as patch:
        patch.setattr(CRASH_POINTS[point], crash)
        with pytest.raises(Crash):
            company_create(name="Kəpəz Farm", slug=slug, plan=PlanFactory())
    company = Company.objects.get(slug=slug)
    assert company.lifecycle == Company.Lifecycle.PROVISIONING  # its users see "being set up", not a 500

    call_command("create_tenant_db", slug)

    assert_whole_and_active(slug)
    provisioning.tenant_database_drop(company)


def test_an_active_companys_database_is_still_never_made_twice(acme):
    with pytest.raises(provisioning.ProvisioningError, match="already exists"):
        provisioning.tenant_database_create(acme)


def test_leftovers_of_killed_builds_are_removed_by_the_next_build(company_factory):
    folder = Path(settings.TENANT_DB_DIR)
    for name in (".tenant_gone.db.0123.tmp", ".tenant_gone.db.0123.tmp-wal", "._template_x.db.9.tmp"):
        (folder / name).write_bytes(b"half a database")
    company_factory()
    assert temporary_files() == []


# --- The lifecycle ------------------------------------------------------------------------------------
def test_an_archive_killed_halfway_is_finished_by_archiving_again(acme, monkeypatch):
    lifecycle.company_suspend(company=acme)
    moved_halfway = []

    def move_then_die(self, slug, source, target):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)  # the database file is in its new place...
        source.unlink()
        moved_halfway.append(target)
        raise Crash  # ...and the process dies before anything is recorded

    with monkeypatch.context() as patch:
        patch.setattr("subscription.storage.sqlite.SqliteStorage._move", move_then_die)
        with pytest.raises(Crash):
            lifecycle.company_archive(company=acme)
    acme.refresh_from_db()
    assert (acme.lifecycle, acme.lifecycle_pending) == (Company.Lifecycle.SUSPENDED, "archive")
    assert moved_halfway
    with pytest.raises(Exception, match="unfinished step"):
        lifecycle.company_resume(company=acme)  # no other step while one is unfinished

    lifecycle.company_archive(company=acme)

    acme.refresh_from_db()
    assert (acme.lifecycle, acme.lifecycle_pending) == (Company.Lifecycle.ARCHIVED, "")
    assert tenant_archive_path(acme.slug).exists() and not tenant_database_path(acme.slug).exists()
    lifecycle.company_restore(company=acme)
    assert tenant_database_path(acme.slug).exists()


def test_a_deletion_killed_after_its_backup_is_finished_without_a_second_backup(acme, monkeypatch):
    lifecycle.company_suspend(company=acme)
    lifecycle.company_archive(company=acme)
    with monkeypatch.context() as patch:
        patch.setattr("subscription.storage.sqlite.SqliteStorage.drop_archived", crash)
        with pytest.raises(Crash):
            lifecycle.company_delete(company=acme)
    acme.refresh_from_db()
    first_backup = acme.final_backup
    assert acme.lifecycle_pending == "delete" and Path(first_backup).exists()

    lifecycle.company_delete(company=acme)

    acme.refresh_from_db()
    assert acme.lifecycle == Company.Lifecycle.DELETED and acme.final_backup == first_backup
    assert not tenant_archive_path(acme.slug).exists()
    assert len(list(Path(first_backup).parent.glob(f"{acme.slug}-*"))) == 1


# --- A real kill -----------------------------------------------------------------------------------------
def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, **kwargs
    )


def test_a_build_killed_with_sigkill_leaves_nothing_that_a_rerun_does_not_clean(tmp_path):
    env = {
        **os.environ,
        "ENV_FILE": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'master.db'}",
        "TENANT_DB_DIR": str(tmp_path / "tenants"),
    }
    assert manage(env, "migrate", "--noinput").returncode == 0
    make_company = (
        "from subscription.models import Company, Subscription, SubscriptionPlan;"
        "plan = SubscriptionPlan.objects.create(code='p', name='P', price_monthly=1);"
        "company = Company.objects.create(name='Killed', slug='killed', lifecycle='provisioning');"
        "Subscription.objects.create(company=company, plan=plan)"
    )
    assert manage(env, "shell", "-c", make_company).returncode == 0
    folder = tmp_path / "tenants"

    # --from-scratch runs every migration on the temporary file: a window of seconds to kill it in.
    build = subprocess.Popen(
        [sys.executable, "manage.py", "create_tenant_db", "killed", "--from-scratch"], cwd=ROOT, env=env
    )
    deadline = time.monotonic() + 60
    while not list(folder.glob(".*.tmp*")) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert list(folder.glob(".*.tmp*")), "the build was not caught halfway"

    rerun = manage(env, "create_tenant_db", "killed")

    assert rerun.returncode == 0, rerun.stderr
    assert list(folder.glob(".*.tmp*")) == []
    assert (folder / "tenant_killed.db").exists()
    state = manage(
        env, "shell", "-c", "from subscription.models import Company; print(Company.objects.get().lifecycle)"
    )
    assert state.stdout.split()[-1] == "active"
