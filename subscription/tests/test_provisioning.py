import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from subscription.models import Company
from subscription.provisioning import ProvisioningError, tenant_database_create, tenant_database_drop
from subscription.storage.sqlite import tenant_database_path

pytestmark = pytest.mark.django_db

BAD_SLUGS = ["../x", "A", "a", "x" * 60, "ş", "", "acme/../../etc", "Acme", "-ab", "ab-", "a b", "ab_c"]


def schema_and_migrations(path: Path) -> tuple[list, list]:
    with sqlite3.connect(path) as raw:
        schema = raw.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        migrations = raw.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    return schema, migrations


def files_in_tenant_folder() -> set[str]:
    return {path.name for path in Path(settings.TENANT_DB_DIR).iterdir()}


def test_a_template_copy_equals_a_database_migrated_from_scratch(db):
    copied, scratch = Company.objects.create(name="C", slug="copied"), Company.objects.create(name="S", slug="scratch")
    tenant_database_create(copied, from_template=True)
    tenant_database_create(scratch, from_template=False)
    try:
        copied_schema, copied_migrations = schema_and_migrations(tenant_database_path("copied"))
        scratch_schema, scratch_migrations = schema_and_migrations(tenant_database_path("scratch"))
        assert copied_schema == scratch_schema
        assert copied_migrations == scratch_migrations
        assert ("doctors", "0001_initial") in copied_migrations
        assert any(name == "doctors_doctor" for _type, name, *_ in copied_schema)
    finally:
        tenant_database_drop(copied)
        tenant_database_drop(scratch)


@pytest.mark.parametrize("slug", BAD_SLUGS)
def test_it_refuses_bad_slugs_and_touches_no_file(slug, db):
    before = files_in_tenant_folder()
    with pytest.raises(ValidationError):
        tenant_database_create(Company(name="Bad", slug=slug))
    with pytest.raises(CommandError):
        call_command("create_tenant_db", slug)
    assert files_in_tenant_folder() == before
    assert not Path(settings.TENANT_DB_DIR, "..", "x").exists()


def test_it_never_overwrites_an_existing_database(acme):
    path = tenant_database_path(acme.slug)
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE keep_me (x)")
    with pytest.raises(ProvisioningError, match="already exists"):
        tenant_database_create(acme)
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_tenant_db", acme.slug)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'keep_me'").fetchone() == (1,)


def test_a_failure_midway_leaves_no_file_under_the_final_name(db, monkeypatch):
    company = Company.objects.create(name="Half", slug="half-made")
    before = files_in_tenant_folder()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("subscription.storage.base.os.fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        tenant_database_create(company)
    assert not tenant_database_path("half-made").exists()
    assert files_in_tenant_folder() == before


def test_create_tenant_db_makes_the_database_of_an_existing_company(db, capsys):
    company = Company.objects.create(name="Later", slug="later")
    try:
        call_command("create_tenant_db", "later")
        assert tenant_database_path("later").exists()
        assert company.schema_state.last_error == ""
        assert "Created the database of later" in capsys.readouterr().out
    finally:
        tenant_database_drop(company)


def test_create_tenant_db_refuses_an_unknown_company(db):
    with pytest.raises(CommandError, match="No company with the code “nobody”"):
        call_command("create_tenant_db", "nobody")
    assert not tenant_database_path("nobody").exists()
