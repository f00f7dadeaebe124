"""Where company databases live: one interface (`TenantStorage`), two engines.

`SqliteStorage` keeps each company in a file under TENANT_DB_DIR; `PostgresStorage` keeps each in a
database on the server TENANT_DATABASE_URL names. Provisioning, the lifecycle, monitoring and backups
call the interface; nothing else asks which engine a company is on.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError

from subscription.storage import postgres, sqlite
from subscription.storage.base import DatabaseFiles, ProvisioningError, TenantStorage
from subscription.storage.postgres import PostgresStorage
from subscription.storage.sqlite import SqliteStorage

__all__ = [
    "DatabaseFiles",
    "PostgresStorage",
    "ProvisioningError",
    "SqliteStorage",
    "TenantStorage",
    "limit_lock_waits",
    "probe",
    "storage_for",
    "tenant_storage",
    "unavailable_reason",
]
ENGINES = {"sqlite": sqlite, "postgresql": postgres}


@lru_cache(maxsize=8)
def _storage(database_url: str, folder: str) -> TenantStorage:
    return PostgresStorage(database_url) if database_url else SqliteStorage(folder)


def tenant_storage() -> TenantStorage:
    """The store of company databases, as the settings configure it."""
    return _storage(settings.TENANT_DATABASE_URL, str(settings.TENANT_DB_DIR))


# What a request needs to contain one company's faults (subscription.faults), by the connection's engine.
def limit_lock_waits(connection, seconds: float) -> None:
    """Make `connection` wait at most `seconds` for a lock held by someone else."""
    ENGINES[connection.vendor].limit_lock_waits(connection, seconds)


def transaction_lock(connection, name: str) -> None:
    """Hold a lock named `name` until `connection`'s transaction ends (see tenancy.tenant_lock)."""
    ENGINES[connection.vendor].transaction_lock(connection, name)


def probe(connection) -> None:
    """Touch the database behind `connection` cheaply, so that a broken one fails before the view runs."""
    ENGINES[connection.vendor].probe(connection)


def unavailable_reason(connection, error: Exception) -> str | None:
    """ "locked", "missing", "corrupt" or "unreachable" when `error` means the database cannot be used now."""
    if not isinstance(error, DatabaseError):
        return None
    return ENGINES[connection.vendor].unavailable_reason(error)


def storage_for(company) -> TenantStorage:
    """The store that holds `company`'s database."""
    return tenant_storage()
