"""Making and removing company databases: the one service every caller goes through.

A new company's database is a copy of a template database that was migrated once for the
current migration state (see subscription.storage), so creating a company costs a file copy
(SQLite) or a `CREATE DATABASE ... TEMPLATE` (PostgreSQL) rather than a full run of migrations.

A company is made in ordered steps, each safe to repeat, so that a crash or a kill anywhere is
finished by running the service again (`manage.py create_tenant_db SLUG`):

1. the company row is committed in the master database as "provisioning" (subscription/services.py);
2. its database is built under a temporary name and linked into place (storage, under the creation
   lock; whatever a killed build left is removed first);
3. its schema state is recorded;
4. it becomes "active".
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subscription.models import Company, TenantSchemaState
from subscription.scaleout.placement import place_company
from subscription.scaleout.tasks import refill_soon
from subscription.schema import latest_tenant_migrations, migrate_database, migration_key, tenant_migration_key
from subscription.storage import ProvisioningError, server_storage, servers, storage_for
from subscription.tenancy import forget_alias, lease_tenant_alias, tenant_alias, validate_slug

__all__ = [
    "ProvisioningError",
    "provisioning_error_message",
    "record_schema_state",
    "tenant_database_create",
    "tenant_database_drop",
    "database_code_taken",
    "tenant_database_exists",
    "tenant_database_from_backup",
    "tenant_database_migrate",
]


def tenant_database_exists(company: Company) -> bool:
    """Whether the company's database exists on its server."""
    return storage_for(company).exists(validate_slug(company.slug))


def database_code_taken(slug: str) -> bool:
    """Whether a live database named for `slug` exists on any configured server (a new company must not adopt it)."""
    validate_slug(slug)
    return any(server_storage(name).exists(slug) for name in servers.configured().names)


def tenant_database_create(
    company: Company, *, from_template: bool = True, server: str | None = None
) -> TenantSchemaState:
    """Make `company`'s database, record its schema state and activate a company being set up (steps 2–4).

    A company with no server yet is placed first (on `server`, or by the placement policy:
    subscription/scaleout/placement.py), and the choice is recorded before its database is made.
    Safe to run again after a crash. Raises ValidationError for a bad slug and ProvisioningError if the
    database of a company already in service exists, the company is archived or deleted, or no server
    can take it.
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
    place_company(company, server)
    storage = storage_for(company)
    with storage.creation_lock():
        storage.remove_leftovers()
        # A company still being set up may have its database from a run that stopped after step 2:
        # a database under the real name is always whole (it is linked only once complete).
        if not (company.lifecycle == Company.Lifecycle.PROVISIONING and storage.exists(slug)):
            storage.create(slug, from_template=from_template)
    state = record_schema_state(company, duration=time.perf_counter() - started)
    _activate(company)
    refill_soon(company.server)  # the spare it may have taken (PostgreSQL)
    return state


def tenant_database_from_backup(company: Company, source: Path) -> TenantSchemaState:
    """Make a company being set up its database from a plain backup file, bring it up to date, activate it.

    Raises ProvisioningError if the company is not being set up, its database exists, or the file cannot be read.
    """
    slug = validate_slug(company.slug)
    if company.lifecycle != Company.Lifecycle.PROVISIONING:
        raise ProvisioningError(
            _("“%(slug)s” is not being set up, so no database is made for it from a backup; nothing was changed.")
            % {"slug": slug}
        )
    started = time.perf_counter()
    forget_alias(tenant_alias(slug))
    place_company(company)
    storage_for(company).load_backup(slug, source)
    state = tenant_database_migrate(company, started=started)
    _activate(company)
    return state


def tenant_database_migrate(company: Company, *, started: float | None = None) -> TenantSchemaState:
    """Run the migrations a database made from a backup may lack, and record its schema state."""
    started = time.perf_counter() if started is None else started
    with lease_tenant_alias(company.slug, company.server) as alias:
        migrate_database(alias)
    return record_schema_state(company, duration=time.perf_counter() - started)


def _activate(company: Company) -> None:
    """Step 4: a company being set up becomes active (a company in any other state keeps it)."""
    now = timezone.now()
    activated = Company.objects.filter(pk=company.pk, lifecycle=Company.Lifecycle.PROVISIONING).update(
        lifecycle=Company.Lifecycle.ACTIVE, lifecycle_changed_at=now
    )
    if activated:
        company.lifecycle, company.lifecycle_changed_at = Company.Lifecycle.ACTIVE, now


def tenant_database_drop(company: Company) -> None:
    """Remove `company`'s database for good (tests and the final lifecycle step)."""
    slug = validate_slug(company.slug)
    forget_alias(tenant_alias(slug))
    storage_for(company).drop(slug)
    TenantSchemaState.objects.filter(company=company).delete()


def record_schema_state(
    company: Company, *, duration: float, error: str = "", up_to_date: bool = True
) -> TenantSchemaState:
    """Store what the last migration of a company's database did (in the master database)."""
    state, _created = TenantSchemaState.objects.get_or_create(company=company)
    _update_state(state, duration=duration, error=error, up_to_date=up_to_date)
    state.save()
    return state


SCHEMA_STATE_FIELDS = (
    "duration_ms",
    "last_error",
    "failed_at",
    "migration_key",
    "tenant_migration_key",
    "latest_migrations",
    "migrated_at",
)


def record_schema_states(outcomes: list[tuple[Company, float, str, bool]]) -> None:
    """record_schema_state() for many companies at once: (company, duration, error, up_to_date), in one transaction."""
    existing = {
        state.company_id: state for state in TenantSchemaState.objects.filter(company__in=[o[0] for o in outcomes])
    }
    changed, new = [], []
    for company, duration, error, up_to_date in outcomes:
        state = existing.get(company.pk)
        if state is None:
            state = TenantSchemaState(company=company)
            new.append(state)
        else:
            changed.append(state)
        _update_state(state, duration=duration, error=error, up_to_date=up_to_date)
    with transaction.atomic():
        TenantSchemaState.objects.bulk_update(changed, SCHEMA_STATE_FIELDS, batch_size=200)
        TenantSchemaState.objects.bulk_create(new, batch_size=200)


def _update_state(state: TenantSchemaState, *, duration: float, error: str, up_to_date: bool) -> None:
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


def provisioning_error_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
