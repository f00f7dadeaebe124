"""The migration state of the code, as keys that a tenant database's recorded state is compared to."""

import hashlib
import io
from functools import lru_cache

from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext_lazy as _

from subscription.aliases import TENANT_APPS


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


def migrate_database(alias: str, **options) -> str:
    """Run Django's migrate on one tenant alias and return what it printed."""
    out = io.StringIO()
    call_command(
        "migrate", database=alias, interactive=False, verbosity=options.pop("verbosity", 0), stdout=out, **options
    )
    return out.getvalue()


# --- A company database's state, as the master database records it --------------------------------
UP_TO_DATE, BEHIND, MISSING, ERROR, ARCHIVED = "up_to_date", "behind", "missing", "error", "archived"
SCHEMA_STATES = {
    UP_TO_DATE: _("up to date"),
    BEHIND: _("behind"),
    MISSING: _("missing"),
    ERROR: _("error"),
    ARCHIVED: _("archived"),
}


def schema_state(company, *, exists: bool | None) -> str:
    """UP_TO_DATE, BEHIND, MISSING, ERROR or ARCHIVED (archived or deleted) for a company's database.

    `exists`: whether its database was found (None where that was not looked at).
    """
    if not company.has_live_database:
        return ARCHIVED
    state = getattr(company, "schema_state", None)
    if state is None or exists is False:
        return MISSING
    if state.last_error:
        return ERROR
    if state.tenant_migration_key != tenant_migration_key():
        return BEHIND
    return UP_TO_DATE


def pending_migrations(company) -> list[str]:
    """The tenant apps whose recorded latest migration differs from the code's ('app: recorded → wanted')."""
    state = getattr(company, "schema_state", None)
    if state is not None and state.tenant_migration_key == tenant_migration_key():
        return []
    recorded = state.latest_migrations if state is not None else {}
    return [
        f"{app}: {recorded.get(app) or '—'} → {name}"
        for app, name in sorted(latest_tenant_migrations().items())
        if recorded.get(app) != name
    ]
