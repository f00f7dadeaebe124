"""Connection aliases of company databases: their names, and registering them with Django.

A company's alias is `tenant_<slug>`. Aliases are registered lazily, with every key Django's
connection handler expects (filled in by Django's own `configure_settings`), and forgotten again.
Nothing here knows where a database lives (subscription.storage) or which company is selected
(subscription.tenancy).
"""

from __future__ import annotations

import re
import threading

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext_lazy as _

# The apps whose tables live in the master database, and those whose tables every company has.
MASTER_APPS = frozenset(
    # axes: login attempts and lockouts; otp_*: superusers' second-factor devices.
    ["subscription", "auth", "contenttypes", "sessions", "admin", "regions", "master_admin"]
    + ["axes", "otp_totp", "otp_static"]
)
TENANT_APPS = frozenset(["doctors", "patients", "appointments", "sales", "payments", "reports"])
ALIAS_PREFIX = "tenant_"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$")

_register_lock = threading.Lock()
_tenant_aliases: set[str] = set()


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


def is_tenant_alias(alias: str | None) -> bool:
    return alias in _tenant_aliases


def is_registered(alias: str) -> bool:
    return alias in _tenant_aliases


def register_alias(alias: str, config: dict) -> str:
    """Register a tenant connection alias with complete settings (as Django fills them in)."""
    if alias in _tenant_aliases:
        return alias
    with _register_lock:
        if alias not in _tenant_aliases:
            complete = connections.configure_settings(
                {DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS], alias: dict(config)}
            )[alias]
            connections.settings[alias] = complete
            _tenant_aliases.add(alias)
    return alias


def forget_alias(alias: str) -> None:
    """Close this thread's connection to a tenant alias and unregister it."""
    with _register_lock:
        close_connection(alias)
        connections.settings.pop(alias, None)
        _tenant_aliases.discard(alias)


def forget_all_aliases() -> None:
    for alias in list(_tenant_aliases):
        forget_alias(alias)


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
