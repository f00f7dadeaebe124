"""The lifecycle commands: each step from manage.py, bad input, backups of every company."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, load_command_class

from subscription.lifecycle import (
    tenant_backup_dir,
)
from subscription.models import Company
from subscription.provisioning import (
    tenant_database_drop,
)
from subscription.storage import tenant_storage
from subscription.storage.sqlite import tenant_archive_path, tenant_database_path
from subscription.tests.lifecycle_helpers import (
    WAY_TO,
    Lifecycle,
    assert_globex_untouched,
    doctor_names,
    files_at,
    names_in_file,
    walk,
)

pytestmark = pytest.mark.django_db


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
# Transactional: run_from_argv() closes every connection when the command ends, as manage.py would, which
# a test inside one transaction of the master database (on PostgreSQL) cannot survive.
@pytest.mark.django_db(transaction=True)
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
        assert re.match(
            rf"\[{index}/2\] {company.slug} \.\.\. ok \d+ KB \({company.slug}/{company.slug}-\S+-manual\.db; [\d.]+s\)$",
            lines[index - 1],
        )
    assert resting.slug not in output  # suspended: only when named
    assert "2 ok, 0 failed" in output
    assert len(list(tenant_backup_dir().glob(f"{acme.slug}/{acme.slug}-*.db"))) == 1
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
