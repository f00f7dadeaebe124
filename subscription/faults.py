"""One company's broken or busy database must not stall the others.

Three guards, per process, around every request that uses a company's database:

- a gate: at most TENANT_REQUEST_SLOTS requests of one company are inside its database at once,
  and at most TENANT_REQUEST_QUEUE more wait (up to TENANT_REQUEST_WAIT_S) for a place; the rest are
  told at once that the company is busy. A company whose database hangs can hold only that many of
  the server's threads;
- short lock waits: inside a request, a company connection waits at most TENANT_LOCK_TIMEOUT_S for a
  lock (SQLite's busy timeout, PostgreSQL's lock_timeout), not the 20 s a command may wait;
- a breaker: a database found missing, corrupt, locked or unreachable is marked unavailable for
  TENANT_FAULT_COOLDOWN_S, during which its requests get the "temporarily unavailable" page without
  touching it. The fault is recorded in the master database, where monitoring shows it.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils import timezone

from subscription.aliases import alias_company

logger = logging.getLogger(__name__)

# Reasons that pass by themselves and say nothing about the database's health: no breaker, no record.
# "moving": the company's database is being moved to another server (subscription/scaleout/moves.py).
TRANSIENT = frozenset(["moving"])

# Set for the length of a request: how long a company connection opened now may wait for a lock.
lock_wait: contextvars.ContextVar[float | None] = contextvars.ContextVar("tenant_lock_wait", default=None)


class Gate:
    """Places for one company's requests inside its database, with a short, bounded queue."""

    def __init__(self, slots: int, queue: int) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._queue = queue
        self._waiting = 0
        self._lock = threading.Lock()
        self.inside = 0

    def enter(self, timeout: float) -> bool:
        """Take a place, waiting up to `timeout` if the queue has room; False when refused."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self._queue:
                    return False
                self._waiting += 1
            try:
                if not self._slots.acquire(timeout=timeout):
                    return False
            finally:
                with self._lock:
                    self._waiting -= 1
        with self._lock:
            self.inside += 1
        return True

    def leave(self) -> None:
        with self._lock:
            self.inside -= 1
        self._slots.release()

    @property
    def idle(self) -> bool:
        with self._lock:
            return not self.inside and not self._waiting


@dataclass
class Fault:
    reason: str  # "locked", "missing", "corrupt", "unreachable"
    until: float


_lock = threading.Lock()
_gates: OrderedDict[str, Gate] = OrderedDict()
_faults: dict[str, Fault] = {}


def gate_for(slug: str) -> Gate:
    """The company's gate in this process (idle gates of companies not seen lately are dropped)."""
    with _lock:
        gate = _gates.get(slug)
        if gate is None:
            gate = _gates[slug] = Gate(settings.TENANT_REQUEST_SLOTS, settings.TENANT_REQUEST_QUEUE)
            if len(_gates) > settings.TENANT_ALIAS_CACHE:
                for old in [key for key, value in _gates.items() if value.idle][: len(_gates) // 2]:
                    del _gates[old]
        else:
            _gates.move_to_end(slug)
        return gate


def _key(company) -> str:
    """A fault belongs to a company's database where it is now: a move to another server leaves it behind."""
    return f"{company.slug}@{company.server}"


def current_fault(company) -> Fault | None:
    """The fault that makes the company's database unavailable right now, if any."""
    key = _key(company)
    fault = _faults.get(key)
    if fault is not None and fault.until < time.monotonic():
        with _lock:
            _faults.pop(key, None)
        return None
    return fault


def report_fault(company, reason: str, error: Exception) -> Fault:
    """Mark the company unavailable for a while, and record why (once per cool-down) for monitoring."""
    with _lock:
        known = _faults.get(_key(company))
        fault = _faults[_key(company)] = Fault(reason, time.monotonic() + settings.TENANT_FAULT_COOLDOWN_S)
    if known is None or known.reason != reason:
        logger.warning("company %s: database unavailable (%s): %s", company.slug, reason, error)
        from subscription.models import TenantSchemaState

        TenantSchemaState.objects.filter(company=company).update(
            last_fault=f"{reason}: {' '.join(str(error).split())[:500]}", last_fault_at=timezone.now()
        )
    return fault


def clear_faults() -> None:
    with _lock:
        _faults.clear()
        _gates.clear()


@receiver(connection_created)
def _limit_lock_waits(sender, connection, **kwargs) -> None:
    """Inside a request, a company connection waits briefly for locks (see the module's docstring)."""
    seconds = lock_wait.get()
    if seconds is None or alias_company(connection.alias) is None:
        return
    from subscription.storage import limit_lock_waits

    limit_lock_waits(connection, seconds)
