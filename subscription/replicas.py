"""Heavy reading from a company's replica: reports, the dashboard's figures, exports, the platform's counting.

    @replica_reads                      # a view that only reads
    def report(request): ...

    with reading_from_replica():        # code already inside use_tenant()
        figures = count(...)

Inside such a block the router (db_router.py) sends the company's reads to the streaming replica of
its server (TENANT_REPLICAS), as the alias `tenant_<slug>__replica`, when:

- its server has a replica whose replay lag is under REPLICA_MAX_LAG_S (measured at most once a
  second per server and process; a replica that does not answer counts as too far behind);
- the reader has not written in the last REPLICA_READ_YOUR_WRITES_S seconds (a cookie set after
  each write the user makes: they see what they wrote);
- nothing has been written in the block and no transaction is open on the primary (a read inside
  a write goes where the write goes).

Otherwise, and everywhere else, reads go to the primary. No view names a database.
"""

from __future__ import annotations

import contextvars
import functools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings

from subscription.aliases import acquire, close_connection, release, tenant_alias
from subscription.storage import replica_storage, server_of
from subscription.tenancy import current_tenant

REPLICA = "replica"  # the alias qualifier
WROTE_COOKIE = "medrep_wrote"
LAG_CHECK_EVERY_S = 1.0


@dataclass
class _Reading:
    alias: str
    pinned: bool = False  # something was written in the block: the rest reads from the primary


_reading: contextvars.ContextVar[_Reading | None] = contextvars.ContextVar("replica_reading", default=None)
wrote_recently: contextvars.ContextVar[bool] = contextvars.ContextVar("wrote_recently", default=False)
_lags: dict[str, tuple[float, bool]] = {}  # server → (checked at, close enough)
_lags_lock = threading.Lock()


def replica_close_enough(server: str, store) -> bool:
    """Whether `server`'s replica is within REPLICA_MAX_LAG_S now (cached for a second)."""
    now = time.monotonic()
    known = _lags.get(server)
    if known is not None and now - known[0] < LAG_CHECK_EVERY_S:
        return known[1]
    try:
        close = store.replay_lag() <= settings.REPLICA_MAX_LAG_S
    except Exception:  # noqa: BLE001 - a replica that does not answer is not read from
        close = False
    with _lags_lock:
        _lags[server] = (now, close)
    return close


def forget_lags() -> None:
    with _lags_lock:
        _lags.clear()


@contextmanager
def reading_from_replica() -> Iterator[bool]:
    """Read the selected company from its replica in the block, when it may (see the module); yields whether."""
    company = current_tenant()
    if company is None or _reading.get() is not None or wrote_recently.get():
        yield False
        return
    server = server_of(company)
    store = replica_storage(server)
    if store is None or not replica_close_enough(server, store):
        yield False
        return
    alias = acquire(tenant_alias(company.slug, REPLICA), store.connection_settings(company.slug))
    token = _reading.set(_Reading(alias))
    try:
        yield True
    finally:
        _reading.reset(token)
        close_connection(alias)
        release(alias)


def read_alias(primary: str, connections) -> str | None:
    """The replica alias a read goes to now, or None for the primary (the router asks)."""
    reading = _reading.get()
    if reading is None or reading.pinned or connections[primary].in_atomic_block:
        return None
    return reading.alias


def pin_to_primary() -> None:
    """A write happened in the block: every later read of it goes to the primary (the router calls this)."""
    reading = _reading.get()
    if reading is not None:
        reading.pinned = True


def replica_reads(view):
    """Run a view that only reads with its company's reads on the replica (streamed bodies too)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with reading_from_replica():
            response = view(request, *args, **kwargs)
        if getattr(response, "streaming", False):
            response.streaming_content = streamed_from_replica(response.streaming_content)
        return response

    return wrapped


def streamed_from_replica(content):
    """A streamed body whose reads go to the replica (the company is selected again while it streams)."""
    with reading_from_replica():
        yield from content


# --- Read your writes (subscription/middleware.py) -------------------------------------------------------
def request_started(request) -> contextvars.Token:
    return wrote_recently.set(WROTE_COOKIE in request.COOKIES)


def remember_write(request, response) -> None:
    """After a write the user made, their reads go to the primary for a while (a cookie says so)."""
    if settings.TENANT_REPLICAS and request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
        response.set_cookie(
            WROTE_COOKIE,
            "1",
            max_age=max(1, round(settings.REPLICA_READ_YOUR_WRITES_S)),
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
