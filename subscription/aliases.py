"""Connection aliases of company databases: their names, and lending them to the code that uses them.

A company's alias is `tenant_<slug>` (a replica's `tenant_<slug>__<name>`, a database under
construction `tenant__build_<id>`). An alias is in Django's `connections.settings` only while
something holds a lease on it (a `use_tenant` block, a build): a process that has served a
thousand companies has in that mapping just the aliases in use right now, so Django's per-request
loops over it (`close_old_connections`, `connections.all`) cost the same as with one company.
Completed settings of recently used aliases are kept in a small cache (TENANT_ALIAS_CACHE), so a
lease costs a dictionary copy, not Django's `configure_settings`.

The mapping is never changed in place: a new one is swapped in under a lock, so a thread iterating
the old one never sees it change size. Nothing here knows where a database lives
(subscription.storage) or which company is selected (subscription.tenancy).
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict

from django.conf import settings
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
# A slug has no underscore, so "__" parts a company's alias from a qualifier (a replica's name).
QUALIFIER = "__"

_lock = threading.Lock()
_configs: OrderedDict[str, dict] = OrderedDict()  # completed settings, most recently used last
_leases: Counter[str] = Counter()  # open leases per alias, all threads together
_local = threading.local()  # .touched: the aliases this thread has used since its last close


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


def tenant_alias(slug: str, qualifier: str = "") -> str:
    """The alias of a company's database (`qualifier`: of one of its replicas)."""
    alias = f"{ALIAS_PREFIX}{validate_slug(slug)}"
    return f"{alias}{QUALIFIER}{qualifier}" if qualifier else alias


def is_tenant_alias(alias: str | None) -> bool:
    """Whether `alias` names a company database or one under construction (by its name alone)."""
    return isinstance(alias, str) and alias.startswith(ALIAS_PREFIX)


def alias_company(alias: str | None) -> str | None:
    """The slug of the company whose database `alias` names (a replica's too); None for any other alias.

    The wrong-company guard compares these: an object read through an alias belongs to that company,
    whether the alias is registered now or not.
    """
    if not is_tenant_alias(alias):
        return None
    slug = alias[len(ALIAS_PREFIX) :].split(QUALIFIER, 1)[0]
    return slug if SLUG_RE.fullmatch(slug) else None


# --- Leases ------------------------------------------------------------------------------------------
def _cache_size() -> int:
    return max(1, getattr(settings, "TENANT_ALIAS_CACHE", 64))


def _completed(alias: str, config: dict) -> dict:
    """Django's full settings for `config`, from the cache when the same config was completed before."""
    cached = _configs.get(alias)
    if cached is not None and cached["_raw"] == config:
        _configs.move_to_end(alias)
        return cached["settings"]
    complete = connections.configure_settings(
        {DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS], alias: dict(config)}
    )[alias]
    _configs[alias] = {"_raw": dict(config), "settings": complete}
    while len(_configs) > _cache_size():
        _configs.popitem(last=False)
    return complete


def _swap_settings(**changes: dict | None) -> None:
    """Replace Django's alias mapping by a copy with `changes` (None removes an alias). Call under _lock."""
    mapping = dict(connections.settings)
    for alias, value in changes.items():
        if value is None:
            mapping.pop(alias, None)
        else:
            mapping[alias] = value
    connections.settings = mapping


def acquire(alias: str, config: dict) -> str:
    """Lease `alias` with `config`: it is in Django's mapping until every lease on it is released.

    A lease with a config that differs from the registered one (the company moved) replaces it;
    this thread's open connection to the old place is closed first.
    """
    with _lock:
        complete = _completed(alias, config)
        if connections.settings.get(alias) is not complete:
            _swap_settings(**{alias: complete})
        _leases[alias] += 1
    held = getattr(connections._connections, alias, None)
    if held is not None and held.settings_dict is not complete:
        close_connection(alias)
    _touched().add(alias)
    return alias


def release(alias: str) -> None:
    """End a lease; the alias leaves Django's mapping when no lease is left (its settings stay cached)."""
    with _lock:
        if _leases[alias] > 1:
            _leases[alias] -= 1
            return
        _leases.pop(alias, None)
        _swap_settings(**{alias: None})


def leased_aliases() -> list[str]:
    with _lock:
        return list(_leases)


def forget_alias(alias: str) -> None:
    """Close this thread's connection to `alias` and drop its cached settings (its place may have changed)."""
    close_connection(alias)
    with _lock:
        _configs.pop(alias, None)
        if not _leases[alias]:
            _leases.pop(alias, None)
            _swap_settings(**{alias: None})


def forget_all_aliases() -> None:
    """Close this thread's tenant connections and drop every cached setting (the settings changed)."""
    close_tenant_connections()
    with _lock:
        _configs.clear()


# --- Connections -------------------------------------------------------------------------------------
def _touched() -> set[str]:
    touched = getattr(_local, "touched", None)
    if touched is None:
        touched = _local.touched = set()
    return touched


def close_connection(alias: str) -> None:
    """Close this thread's connection to `alias` and drop its wrapper."""
    conn = getattr(connections._connections, alias, None)
    if conn is None:
        return
    try:
        conn.close()
    finally:
        del connections[alias]


def close_tenant_connections() -> None:
    """Close every tenant connection this thread has used (end of a request, a command, a test).

    The cost is that of the aliases this thread used since it last closed them, not of every
    company the process has served.
    """
    touched = _touched()
    while touched:
        close_connection(touched.pop())
