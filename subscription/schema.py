"""The migration state of the code, as keys that a tenant database's recorded state is compared to."""

import hashlib
from functools import lru_cache

from django.db.migrations.loader import MigrationLoader

from subscription.tenancy import TENANT_APPS


@lru_cache(maxsize=1)
def _disk_migrations() -> tuple[tuple[str, str], ...]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return tuple(sorted(loader.disk_migrations))


def _digest(names) -> str:
    return hashlib.sha256("\n".join(f"{app}.{name}" for app, name in names).encode()).hexdigest()


def migration_key() -> str:
    """Changes whenever any app gains or loses a migration (keys the tenant template)."""
    return _digest(_disk_migrations())


def tenant_migration_key() -> str:
    """Changes whenever a tenant app gains or loses a migration (a database is then behind)."""
    return _digest(name for name in _disk_migrations() if name[0] in TENANT_APPS)


def latest_tenant_migrations() -> dict[str, str]:
    """The last migration of each tenant app, by name."""
    latest: dict[str, str] = {}
    for app, name in _disk_migrations():
        if app in TENANT_APPS:
            latest[app] = max(latest.get(app, ""), name)
    return latest
