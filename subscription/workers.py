"""Forking worker processes safely: who may fork, and what a process closes before it does."""

import multiprocessing
import threading


def can_fork() -> bool:
    """Whether this process may fork workers: only a single-threaded one (a command, never a web worker,
    whose other threads may hold locks that the copy would keep forever)."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def close_before_fork() -> None:
    """Close the connections a forked copy must not share. One inside a transaction stays: the workers
    never use it, and they leave with os._exit, which closes nothing on the parent's behalf."""
    from django.db import connections

    from subscription.storage.postgres import close_admin_connections
    from subscription.tenancy import close_tenant_connections

    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()
    close_tenant_connections()
    close_admin_connections()


def start_forked_worker() -> None:
    """A forked pool worker's first step: the signals as a new process has them.

    The parent may handle SIGTERM its own way (the job worker stops gracefully on it, a test run stops
    its servers): inherited, such a handler would keep a worker alive when its pool terminates it,
    and the pool would wait for it forever.
    """
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
