"""Where company databases live: one interface (`TenantStorage`), two engines.

`SqliteStorage` keeps each company in a file under TENANT_DB_DIR; `PostgresStorage` keeps each in a
database on the server TENANT_DATABASE_URL names. Provisioning, the lifecycle, monitoring and backups
call the interface; nothing else asks which engine a company is on.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from subscription.storage.base import DatabaseFiles, ProvisioningError, TenantStorage
from subscription.storage.postgres import PostgresStorage
from subscription.storage.sqlite import SqliteStorage

__all__ = ["DatabaseFiles", "PostgresStorage", "ProvisioningError", "SqliteStorage", "TenantStorage", "tenant_storage"]


@lru_cache(maxsize=8)
def _storage(database_url: str, folder: str) -> TenantStorage:
    return PostgresStorage(database_url) if database_url else SqliteStorage(folder)


def tenant_storage() -> TenantStorage:
    """The store of company databases, as the settings configure it."""
    return _storage(settings.TENANT_DATABASE_URL, str(settings.TENANT_DB_DIR))
