"""The database servers company databases are placed on, by name, as the settings list them.

    TENANT_SERVERS=pg1=postgres://app@db1:5432/tenant_{slug},pg2=postgres://app@db2:5432/tenant_{slug}

Each name leads to a store (subscription.storage): `local` is the SQLite folder TENANT_DB_DIR, always
present unless TENANT_SERVERS says `local=off`; every other name is a PostgreSQL server whose URL has
`{slug}` where the database name takes the company's code. `TENANT_DATABASE_URL` is the one-server
shorthand: it is the server `main`. TENANT_REPLICAS pairs a server's name with the URL (same form) of
its streaming replica, TENANT_POOLERS the URL of a PgBouncer in front of a server. Which company is on which server is recorded in the master database
(Company.server); which servers take new companies, by subscription.placement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import environ
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LOCAL = "local"  # the SQLite folder
SHORTHAND = "main"  # the server TENANT_DATABASE_URL names
NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,29}$")


class UnknownServer(LookupError):
    """A server name that the settings do not list."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"There is no database server named {name!r}; the settings list: {', '.join(known)}.")
        self.name = name


@dataclass(frozen=True)
class Servers:
    """The configured servers: name → URL template ('' for the SQLite folder), and their replicas."""

    urls: dict[str, str]
    replicas: dict[str, str] = field(default_factory=dict)
    poolers: dict[str, str] = field(default_factory=dict)  # PgBouncer (transaction pooling) in front of a server

    @property
    def names(self) -> list[str]:
        return sorted(self.urls)

    def url(self, name: str) -> str:
        try:
            return self.urls[name]
        except KeyError:
            raise UnknownServer(name, self.names) from None

    @property
    def default(self) -> str:
        """Where a company with no recorded server is: the shorthand server, else `local`, else the first."""
        if SHORTHAND in self.urls:
            return SHORTHAND
        return LOCAL if LOCAL in self.urls else self.names[0]

    def replica(self, name: str) -> str:
        """The URL template of `name`'s replica, '' if it has none."""
        return self.replicas.get(name, "")


def _pairs(setting: str, text: str) -> dict[str, str]:
    """`NAME=URL,NAME=URL` → {NAME: URL}; raises ImproperlyConfigured with one line saying what is wrong."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, equals, url = item.partition("=")
        name, url = name.strip(), url.strip()
        if not equals or not NAME_RE.fullmatch(name):
            raise ImproperlyConfigured(
                f"{setting}: {item!r} is not NAME=URL with NAME of lower-case letters, digits and hyphens "
                f"(e.g. {setting}=pg1=postgres://app@db1:5432/tenant_{{slug}})."
            )
        if name in pairs:
            raise ImproperlyConfigured(f"{setting}: the name {name!r} is given twice.")
        pairs[name] = url
    return pairs


def _check_url(setting: str, name: str, url: str) -> None:
    if "{slug}" not in url:
        raise ImproperlyConfigured(f"{setting}: the URL of {name!r} has no {{slug}} for the database name.")
    try:
        engine = environ.Env.db_url_config(url.replace("{slug}", "x"))["ENGINE"]
    except Exception as error:  # noqa: BLE001 - any parse failure is a configuration error
        raise ImproperlyConfigured(f"{setting}: the URL of {name!r} cannot be read ({error}).") from error
    if "postgresql" not in engine:
        raise ImproperlyConfigured(f"{setting}: {name!r} must be a PostgreSQL URL (postgres://...).")


@lru_cache(maxsize=8)
def parse(servers: str, shorthand: str, replicas: str, poolers: str = "") -> Servers:
    """The servers the three settings describe; raises ImproperlyConfigured (one line) on a mistake."""
    urls = _pairs("TENANT_SERVERS", servers)
    if shorthand:
        if SHORTHAND in urls:
            raise ImproperlyConfigured(
                f"TENANT_DATABASE_URL is the server {SHORTHAND!r}, and TENANT_SERVERS names one too: keep one of them."
            )
        urls[SHORTHAND] = shorthand
    local = urls.pop(LOCAL, None)
    if local not in (None, "off"):
        raise ImproperlyConfigured(
            "TENANT_SERVERS: `local` is the SQLite folder (TENANT_DB_DIR); only local=off is allowed."
        )
    for name, url in urls.items():
        _check_url("TENANT_SERVERS" if name != SHORTHAND or not shorthand else "TENANT_DATABASE_URL", name, url)
    if local is None:
        urls[LOCAL] = ""
    if not urls:
        raise ImproperlyConfigured("TENANT_SERVERS: with local=off, name at least one PostgreSQL server.")
    replica_urls = _pairs("TENANT_REPLICAS", replicas)
    for name, url in replica_urls.items():
        if name not in urls or name == LOCAL:
            raise ImproperlyConfigured(f"TENANT_REPLICAS: {name!r} is not a PostgreSQL server of TENANT_SERVERS.")
        _check_url("TENANT_REPLICAS", name, url)
    pooler_urls = _pairs("TENANT_POOLERS", poolers)
    for name, url in pooler_urls.items():
        if name not in urls or name == LOCAL:
            raise ImproperlyConfigured(f"TENANT_POOLERS: {name!r} is not a PostgreSQL server of TENANT_SERVERS.")
        _check_url("TENANT_POOLERS", name, url)
    return Servers(urls, replica_urls, pooler_urls)


def configured() -> Servers:
    """The servers as the settings configure them now."""
    return parse(
        getattr(settings, "TENANT_SERVERS", ""),
        settings.TENANT_DATABASE_URL,
        getattr(settings, "TENANT_REPLICAS", ""),
        getattr(settings, "TENANT_POOLERS", ""),
    )
