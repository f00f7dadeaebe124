"""The tenancy core: which company is selected, and where its database is.

Every company has a database of its own, reached through the connection alias
`tenant_<slug>`. The alias is registered on first use from one template setting
(TENANT_DATABASE_URL, or SQLite files under TENANT_DB_DIR). Only `use_tenant()` selects
a company; the router (db_router.py) sends tenant models to the selected company's alias
and refuses to guess when none is selected.
"""

from __future__ import annotations

import contextvars
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import environ
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from subscription.models import Company

MASTER_APPS = frozenset(["subscription", "auth", "contenttypes", "sessions", "admin", "regions", "master_admin"])
TENANT_APPS = frozenset(["doctors", "patients", "appointments", "sales", "payments", "reports"])
ALIAS_PREFIX = "tenant_"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$")


class NoTenantSelected(RuntimeError):
    """A tenant model was used while no company is selected."""

    def __init__(self, model_label: str = "a tenant model") -> None:
        super().__init__(
            f"No company is selected, so {model_label} has no database. Wrap the code in "
            "`with use_tenant(company):` (from subscription.tenancy); requests get one from "
            "TenantMiddleware, and `manage.py shell` users can call use_tenant themselves."
        )


class WrongTenant(RuntimeError):
    """An object of one company was written or related while another company is selected."""


_current: contextvars.ContextVar[Company | None] = contextvars.ContextVar("current_tenant", default=None)
_register_lock = threading.Lock()
_tenant_aliases: set[str] = set()


def current_tenant() -> Company | None:
    """Return the selected company, or None."""
    return _current.get()


@contextmanager
def use_tenant(company: Company | None) -> Iterator[Company | None]:
    """Select `company` (or none) for the block, and restore what was selected before."""
    if company is not None:
        register_tenant_alias(company.slug)
    token = _current.set(company)
    try:
        yield company
    finally:
        _current.reset(token)


def validate_slug(slug: str) -> str:
    """Return `slug` if it may name a company database; raise ValidationError if not."""
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        raise ValidationError(
            _(
                "“%(slug)s” is not a valid company code: use 3 to 50 lower-case Latin letters, "
                "digits or hyphens, starting and ending with a letter or digit."
            ),
            code="invalid_slug",
            params={"slug": slug},
        )
    return slug


def tenant_alias(slug: str) -> str:
    return f"{ALIAS_PREFIX}{validate_slug(slug)}"


def current_alias() -> str:
    """Return the selected company's alias; raise NoTenantSelected if none is selected."""
    company = _current.get()
    if company is None:
        raise NoTenantSelected()
    return register_tenant_alias(company.slug)


def is_tenant_alias(alias: str | None) -> bool:
    return alias in _tenant_aliases


def tenant_database_path(slug: str) -> Path:
    """Where a company's SQLite database lives (when tenants are on SQLite)."""
    return Path(settings.TENANT_DB_DIR).resolve() / f"tenant_{validate_slug(slug)}.db"


def tenants_on_sqlite() -> bool:
    return not settings.TENANT_DATABASE_URL


def tenant_database_settings(slug: str, *, database_name: str | None = None) -> dict:
    """Return the connection settings of a company's database (not yet completed by Django).

    `database_name` overrides the database name: provisioning builds under a temporary name.
    """
    validate_slug(slug)
    template = settings.TENANT_DATABASE_URL
    if template:
        config = environ.Env.db_url_config(template.replace("{slug}", slug.replace("-", "_")))
    else:
        # mode=rw: a missing file is an error, never a new empty database.
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": f"{tenant_database_path(slug).as_uri()}?mode=rw",
        }
    if database_name is not None:
        config["NAME"] = database_name
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**settings.SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


def register_alias(alias: str, config: dict) -> str:
    """Register a tenant connection alias with complete settings (as Django fills them in)."""
    if alias in _tenant_aliases:
        return alias
    with _register_lock:
        if alias not in _tenant_aliases:
            # Let Django fill in every key its connection handler expects.
            complete = connections.configure_settings(
                {DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS], alias: dict(config)}
            )[alias]
            connections.settings[alias] = complete
            _tenant_aliases.add(alias)
    return alias


def register_tenant_alias(slug: str) -> str:
    """Return the company's alias, registering it on first use."""
    alias = tenant_alias(slug)
    if alias in _tenant_aliases:
        return alias
    return register_alias(alias, tenant_database_settings(slug))


def forget_alias(alias: str) -> None:
    """Close this thread's connection to a tenant alias and unregister it."""
    with _register_lock:
        close_connection(alias)
        connections.settings.pop(alias, None)
        _tenant_aliases.discard(alias)


def close_connection(alias: str) -> None:
    """Close this thread's connection to `alias` and drop its wrapper."""
    conn = getattr(connections._connections, alias, None)
    if conn is None:
        return
    conn.close()
    del connections[alias]


def close_tenant_connections() -> None:
    """Close every tenant connection this thread holds (end of a request, a command, a test)."""
    for alias in list(_tenant_aliases):
        close_connection(alias)


def tenant_connection():
    """The selected company's database connection (for the rare raw query)."""
    return connections[current_alias()]


def tenant_atomic(savepoint: bool = True):
    """`transaction.atomic()` on the selected company's database."""
    return transaction.atomic(using=current_alias(), savepoint=savepoint)


def run_with_context(func, /, *args, **kwargs):
    """Return a callable that runs `func` in a copy of the caller's context (for threads)."""
    context = contextvars.copy_context()
    return lambda: context.run(func, *args, **kwargs)


@receiver(setting_changed)
def _forget_aliases_when_location_changes(*, setting: str, **kwargs) -> None:
    if setting in {"TENANT_DB_DIR", "TENANT_DATABASE_URL"}:
        for alias in list(_tenant_aliases):
            forget_alias(alias)


# --- SQLite hardening --------------------------------------------------------------------------
def _sqlite_authorizer(action: int, arg1, arg2, dbname, source) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and arg2 and arg2.lower() == "load_extension":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@receiver(connection_created)
def _harden_sqlite(sender, connection, **kwargs) -> None:
    """Deny ATTACH and extension loading, so raw SQL cannot open another company's file."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    if hasattr(raw, "enable_load_extension"):
        raw.enable_load_extension(False)
    raw.set_authorizer(_sqlite_authorizer)
