"""Where company databases live: one interface (`TenantStorage`), two engines, several servers.

`SqliteStorage` keeps each company in a file under TENANT_DB_DIR (the server `local`);
`PostgresStorage` keeps each in a database on a PostgreSQL server (storage.servers: TENANT_SERVERS,
or TENANT_DATABASE_URL for one). `storage_for(company)` is the store of the server the company is
recorded on. Provisioning, the lifecycle, moves, monitoring and backups call the interface; nothing
else asks which engine a company is on.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError

from subscription.storage import postgres, servers, sqlite
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
    "server_storage",
    "storage_for",
    "tenant_storage",
    "unavailable_reason",
]
ENGINES = {"sqlite": sqlite, "postgresql": postgres}


@lru_cache(maxsize=8)
def _storage(database_url: str, folder: str, pooled_url: str = "") -> TenantStorage:
    return PostgresStorage(database_url, pooled_url) if database_url else SqliteStorage(folder)


def server_storage(name: str) -> TenantStorage:
    """The store of the server `name` (storage.servers); raises UnknownServer if the settings do not list it."""
    configured = servers.configured()
    return _storage(configured.url(name), str(settings.TENANT_DB_DIR), configured.poolers.get(name, ""))


def replica_storage(name: str) -> TenantStorage | None:
    """The store of `name`'s streaming replica (TENANT_REPLICAS), or None if it has none."""
    url = servers.configured().replica(name)
    return _storage(url, "") if url else None


def tenant_storage() -> TenantStorage:
    """The store of the default server: where a company with no recorded server is (storage.servers)."""
    return server_storage(servers.configured().default)


def local_disk_usage() -> tuple[int, int] | None:
    """(total, free) bytes of the SQLite folder's disk, if `local` is a configured server."""
    return server_storage(servers.LOCAL).disk_usage() if servers.LOCAL in servers.configured().urls else None


def max_probe_jobs() -> int:
    """How many companies to read at once: the most any configured server's store finds worth it."""
    return max(server_storage(name).probe_jobs for name in servers.configured().names)


def server_of(company) -> str:
    """The name of the server `company`'s database is on."""
    return company.server or servers.configured().default


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
    """The store that holds `company`'s database (the server recorded on it)."""
    return server_storage(server_of(company))
