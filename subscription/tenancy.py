"""The tenancy core: which company is selected, and its connection alias.

Every company has a database of its own, reached through the connection alias `tenant_<slug>`
(subscription.aliases), registered on first use with the settings its store gives
(subscription.storage). Only `use_tenant()` selects a company; the router (db_router.py) sends
tenant models to the selected company's alias and refuses to guess when none is selected.
"""

from __future__ import annotations

import contextvars
import sqlite3
import threading
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
    acquire,
    alias_company,
    close_connection,
    close_tenant_connections,
    forget_alias,
    forget_all_aliases,
    is_tenant_alias,
    release,
    tenant_alias,
    validate_slug,
)
from subscription.storage import server_storage, servers

if TYPE_CHECKING:
    from subscription.models import Company


class NoTenantSelected(RuntimeError):
    """A tenant model was used while no company is selected."""

    HOW = (
        "Wrap the code in `with use_tenant(company):` (from subscription.tenancy); requests get one from "
        "TenantMiddleware, threads from run_with_context(), and `manage.py shell` users call use_tenant themselves."
    )

    def __init__(self, model_label: str = "a tenant model", *, why: str = "") -> None:
        super().__init__(f"{why or f'No company is selected, so {model_label} has no database.'} {self.HOW}")


class WrongTenant(RuntimeError):
    """An object of one company was written or related while another company is selected."""


_current: contextvars.ContextVar[Company | None] = contextvars.ContextVar("current_tenant", default=None)


def current_tenant() -> Company | None:
    """Return the selected company, or None."""
    return _current.get()


_depth = threading.local()  # per thread: how many use_tenant blocks of each alias are open


@contextmanager
def lease_tenant_alias(slug: str, server: str = "") -> Iterator[str]:
    """The company's alias, registered for the block; this thread's connection to it closes at the end.

    `server` is where the company's database is (Company.server; empty: the default server). A lease
    with another server than the alias has now (the company moved) re-points it. Blocks of the same
    company nest: the connection closes when the outermost one ends.
    """
    storage = server_storage(server or servers.configured().default)
    alias = acquire(tenant_alias(slug), storage.connection_settings(slug))
    depths = _depth.__dict__.setdefault("open", {})
    depths[alias] = depths.get(alias, 0) + 1
    try:
        yield alias
    finally:
        depths[alias] -= 1
        if not depths[alias]:
            del depths[alias]
            close_connection(alias)
        release(alias)


@contextmanager
def use_tenant(company: Company | None) -> Iterator[Company | None]:
    """Select `company` (or none) for the block, and restore what was selected before."""
    if company is None:
        token = _current.set(None)
        try:
            yield None
        finally:
            _current.reset(token)
        return
    with lease_tenant_alias(company.slug, company.server):
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
    alias = tenant_alias(company.slug)
    if alias not in connections.settings:
        raise NoTenantSelected(
            why=f"{company.slug!r} is selected, but its database is not open to this code: the use_tenant block "
            "that opened it has ended, or this thread never entered one."
        )
    return alias


def tenant_connection():
    """The selected company's database connection (for the rare raw query)."""
    return connections[current_alias()]


def tenant_atomic(savepoint: bool = True):
    """`transaction.atomic()` on the selected company's database."""
    return transaction.atomic(using=current_alias(), savepoint=savepoint)


def tenant_lock(name: str) -> None:
    """Serialise, until the end of the current tenant_atomic() block, every writer that takes the same `name`.

    For check-then-write rules (a plan's last free place): on SQLite the IMMEDIATE transaction already
    serialises writers; on PostgreSQL this takes a transaction-level advisory lock.
    """
    from subscription.storage import transaction_lock

    connection = tenant_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("tenant_lock() holds until the transaction ends: call it inside tenant_atomic().")
    transaction_lock(connection, name)


def run_with_context(func, /, *args, **kwargs):
    """Return a callable that runs `func` in a copy of the caller's context, in the caller's company (for threads).

    The thread takes its own lease on the company's alias, and its connection is closed when `func` returns.
    """
    context = contextvars.copy_context()
    company = _current.get()

    def in_company():
        with use_tenant(company):
            return func(*args, **kwargs)

    return lambda: context.run(in_company)


@receiver(setting_changed)
def _forget_aliases_when_location_changes(*, setting: str, **kwargs) -> None:
    if setting in {"TENANT_DB_DIR", "TENANT_DATABASE_URL", "TENANT_SERVERS", "TENANT_REPLICAS", "TENANT_POOLERS"}:
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
