"""Making and removing company databases: the one service every caller goes through.

A new company's database is a copy of a template database that was migrated once for the
current migration state (see subscription.storage), so creating a company costs a file copy
(SQLite) or a `CREATE DATABASE ... TEMPLATE` (PostgreSQL) rather than a full run of migrations.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from subscription.models import Company, TenantSchemaState
from subscription.schema import latest_tenant_migrations, migration_key, tenant_migration_key
from subscription.storage import ProvisioningError, tenant_storage
from subscription.tenancy import forget_alias, tenant_alias, validate_slug

__all__ = [
    "ProvisioningError",
    "provisioning_error_message",
    "record_schema_state",
    "tenant_database_create",
    "tenant_database_drop",
    "tenant_database_exists",
]


def tenant_database_exists(slug: str) -> bool:
    return tenant_storage().exists(validate_slug(slug))


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
    tenant_storage().create(slug, from_template=from_template)
    return record_schema_state(company, duration=time.perf_counter() - started)


def tenant_database_drop(company: Company) -> None:
    """Remove `company`'s database for good (tests and the final lifecycle step)."""
    slug = validate_slug(company.slug)
    forget_alias(tenant_alias(slug))
    tenant_storage().drop(slug)
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
