"""Making and removing company databases: the one service every caller goes through.

A new company's database is a copy of a template database that was migrated once for the
current migration state, so creating a company costs a file copy (SQLite) or a
`CREATE DATABASE ... TEMPLATE` (PostgreSQL) rather than a full run of migrations. The copy is
built under a temporary name and moved into place atomically: a crash never leaves a half-made
database under the real name, and an existing database is never overwritten.
"""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from subscription.models import Company, TenantSchemaState
from subscription.schema import latest_tenant_migrations, migration_key, tenant_migration_key
from subscription.tenancy import (
    close_connection,
    forget_alias,
    register_alias,
    register_tenant_alias,
    tenant_alias,
    tenant_database_path,
    tenant_database_settings,
    tenants_on_sqlite,
    validate_slug,
)

SQLITE_SIDE_FILES = ("-wal", "-shm")


class ProvisioningError(Exception):
    """A company database could not be made; the message says why and what to do."""


def migrate_database(alias: str, **options) -> str:
    """Run Django's migrate on one tenant alias and return what it printed."""
    out = io.StringIO()
    call_command(
        "migrate", database=alias, interactive=False, verbosity=options.pop("verbosity", 0), stdout=out, **options
    )
    return out.getvalue()


@contextmanager
def _build_alias(slug: str, database_name: str):
    """A temporary connection alias to a database under construction."""
    alias = f"tenant__build_{uuid.uuid4().hex[:12]}"
    register_alias(alias, tenant_database_settings(slug, database_name=database_name))
    try:
        yield alias
    finally:
        forget_alias(alias)


# --- SQLite: files -------------------------------------------------------------------------------
def _tenant_dir() -> Path:
    path = Path(settings.TENANT_DB_DIR).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def _file_lock(name: str):
    """An exclusive lock shared by every process using the tenant folder."""
    with open(_tenant_dir() / name, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", *SQLITE_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sqlite_migrate_new_file(slug: str, path: Path) -> None:
    """Create `path` and migrate it from scratch; the file is self-contained afterwards."""
    with _build_alias(slug, str(path)) as alias:
        migrate_database(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        close_connection(alias)
    for suffix in SQLITE_SIDE_FILES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def sqlite_template_path() -> Path:
    """The migrated template for the current migration state, built once."""
    template = _tenant_dir() / f"_template_{migration_key()[:16]}.db"
    if template.exists():
        return template
    with _file_lock(".template.lock"):
        if template.exists():
            return template
        building = template.with_name(f".{template.name}.{uuid.uuid4().hex}.tmp")
        try:
            _sqlite_migrate_new_file("template", building)
            os.replace(building, template)
        finally:
            _remove_sqlite(building)
        for stale in template.parent.glob("_template_*.db"):
            if stale != template:
                stale.unlink(missing_ok=True)
    return template


def _sqlite_create(slug: str, *, from_template: bool) -> None:
    final = tenant_database_path(slug)
    if final.exists():
        raise ProvisioningError(_("The database of “%(slug)s” already exists; nothing was changed.") % {"slug": slug})
    building = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    try:
        if from_template:
            shutil.copyfile(sqlite_template_path(), building)
        else:
            _sqlite_migrate_new_file(slug, building)
        with open(building, "rb") as handle:
            os.fsync(handle.fileno())
        try:
            # link() refuses an existing target, so two racing creators cannot overwrite each other.
            os.link(building, final)
        except FileExistsError:
            raise ProvisioningError(
                _("The database of “%(slug)s” already exists; nothing was changed.") % {"slug": slug}
            ) from None
    finally:
        _remove_sqlite(building)


# --- PostgreSQL: databases on a server -------------------------------------------------------------
def _pg_name(slug: str) -> str:
    return tenant_database_settings(slug)["NAME"]


def _pg_execute(slug: str, sql: str, params=None):
    alias = register_tenant_alias(slug)
    with connections[alias]._nodb_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _pg_exists(slug: str, name: str) -> bool:
    return bool(_pg_execute(slug, "SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def _pg_template_name(slug: str) -> str:
    template = f"tenant__template_{migration_key()[:16]}"
    if _pg_exists(slug, template):
        return template
    building = f"tenant__build_{uuid.uuid4().hex[:16]}"
    _pg_execute(slug, f'CREATE DATABASE "{building}"')
    try:
        with _build_alias(slug, building) as alias:
            migrate_database(alias)
            close_connection(alias)
        try:
            _pg_execute(slug, f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        except DatabaseError:
            if not _pg_exists(slug, template):  # another process won the race: use theirs
                raise
    finally:
        _pg_execute(slug, f'DROP DATABASE IF EXISTS "{building}"')
    stale = _pg_execute(
        slug,
        "SELECT datname FROM pg_database WHERE datname LIKE 'tenant\\_\\_template\\_%%' AND datname <> %s",
        [template],
    )
    for (name,) in stale:
        try:
            _pg_execute(slug, f'DROP DATABASE IF EXISTS "{name}"')
        except DatabaseError:
            pass  # still being copied by another process; the next build removes it
    return template


def _pg_create(slug: str, *, from_template: bool) -> None:
    name = _pg_name(slug)
    if _pg_exists(slug, name):
        raise ProvisioningError(_("The database of “%(slug)s” already exists; nothing was changed.") % {"slug": slug})
    if from_template:
        # One statement: PostgreSQL makes the copy atomically, and refuses an existing name.
        _pg_execute(slug, f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template_name(slug)}"')
        return
    building = f"tenant__build_{uuid.uuid4().hex[:16]}"
    _pg_execute(slug, f'CREATE DATABASE "{building}"')
    try:
        with _build_alias(slug, building) as alias:
            migrate_database(alias)
            close_connection(alias)
        _pg_execute(slug, f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    finally:
        _pg_execute(slug, f'DROP DATABASE IF EXISTS "{building}"')


# --- The service -------------------------------------------------------------------------------------
def tenant_database_exists(slug: str) -> bool:
    validate_slug(slug)
    if tenants_on_sqlite():
        return tenant_database_path(slug).exists()
    return _pg_exists(slug, _pg_name(slug))


def tenant_database_create(company: Company, *, from_template: bool = True) -> TenantSchemaState:
    """Make `company`'s database and record its schema state.

    Raises ValidationError for a bad slug and ProvisioningError if the database exists or the company
    is archived or deleted.
    """
    slug = validate_slug(company.slug)
    if company.lifecycle == Company.Lifecycle.ARCHIVED:
        raise ProvisioningError(
            _(
                "“%(slug)s” is archived: restore its database (manage.py restore_company %(slug)s) instead of "
                "making a new one; nothing was changed."
            )
            % {"slug": slug}
        )
    if company.lifecycle == Company.Lifecycle.DELETED:
        raise ProvisioningError(
            _(
                "“%(slug)s” is deleted: its code stays taken for the audit trail. Create a new company with "
                "another code; nothing was changed."
            )
            % {"slug": slug}
        )
    started = time.perf_counter()
    forget_alias(tenant_alias(slug))
    if tenants_on_sqlite():
        _sqlite_create(slug, from_template=from_template)
    else:
        _pg_create(slug, from_template=from_template)
    return record_schema_state(company, duration=time.perf_counter() - started)


def tenant_database_drop(company: Company) -> None:
    """Remove `company`'s database for good (tests and the final lifecycle step)."""
    slug = validate_slug(company.slug)
    alias = tenant_alias(slug)
    forget_alias(alias)
    if tenants_on_sqlite():
        _remove_sqlite(tenant_database_path(slug))
    else:
        _pg_execute(slug, f'DROP DATABASE IF EXISTS "{_pg_name(slug)}" WITH (FORCE)')
    TenantSchemaState.objects.filter(company=company).delete()


def record_schema_state(
    company: Company, *, duration: float, error: str = "", up_to_date: bool = True
) -> TenantSchemaState:
    """Store what the last migration of a company's database did (in the master database)."""
    state, _created = TenantSchemaState.objects.get_or_create(company=company)
    state.duration_ms = round(duration * 1000)
    if error:
        state.last_error = error
        state.failed_at = timezone.now()
    else:
        # A database left behind on purpose (migrated back to an earlier migration) gets no key.
        state.migration_key = migration_key() if up_to_date else ""
        state.tenant_migration_key = tenant_migration_key() if up_to_date else ""
        state.latest_migrations = latest_tenant_migrations() if up_to_date else {}
        state.migrated_at = timezone.now()
        state.last_error = ""
        state.failed_at = None
    state.save()
    return state


def provisioning_error_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
