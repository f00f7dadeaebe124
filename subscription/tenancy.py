"""The tenancy core: which company is selected, and its connection alias.

Every company has a database of its own, reached through the connection alias `tenant_<slug>`
(subscription.aliases), registered on first use with the settings its store gives
(subscription.storage). Only `use_tenant()` selects a company; the router (db_router.py) sends
tenant models to the selected company's alias and refuses to guess when none is selected.
"""

from __future__ import annotations

import contextvars
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.core.signals import setting_changed
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from subscription.aliases import (  # noqa: F401 - the core's public names, re-exported
    ALIAS_PREFIX,
    MASTER_APPS,
    SLUG_RE,
    TENANT_APPS,
    close_connection,
    close_tenant_connections,
    forget_alias,
    forget_all_aliases,
    is_tenant_alias,
    register_alias,
    tenant_alias,
    validate_slug,
)
from subscription.storage import tenant_storage

if TYPE_CHECKING:
    from subscription.models import Company


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


def current_alias() -> str:
    """Return the selected company's alias; raise NoTenantSelected if none is selected."""
    company = _current.get()
    if company is None:
        raise NoTenantSelected()
    return register_tenant_alias(company.slug)


def register_tenant_alias(slug: str) -> str:
    """Return the company's alias, registering it on first use."""
    alias = tenant_alias(slug)
    if is_tenant_alias(alias):
        return alias
    return register_alias(alias, tenant_storage().connection_settings(slug))


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
        forget_all_aliases()


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
