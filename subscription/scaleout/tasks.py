"""Jobs of the servers: refilling a PostgreSQL server's spare databases after a company took one, and
dropping the old databases that moves kept aside once TENANT_MOVE_KEEP_DAYS have passed."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from subscription.jobs import periodic_job, platform_task
from subscription.storage import server_storage


@platform_task()
def refill_spares(*, server: str) -> str:
    """Make spare databases on `server` until TENANT_SPARE_DATABASES are ready."""
    made = server_storage(server).refill_spares(settings.TENANT_SPARE_DATABASES)
    return _("%(count)d spare databases made on %(server)s") % {"count": made, "server": server}


def refill_soon(server: str) -> None:
    """Ask the worker to refill `server`'s spares (a server without spares, SQLite, needs none)."""
    if settings.TENANT_SPARE_DATABASES > 0 and server_storage(server).engine == "postgresql":
        refill_spares(server=server)


@periodic_job("MOVED_CLEANUP_SCHEDULE")
def moved_cleanup() -> str:
    """Drop the old databases of moves finished more than TENANT_MOVE_KEEP_DAYS ago."""
    from subscription.scaleout.moves import drop_kept_sources

    dropped = drop_kept_sources(settings.TENANT_MOVE_KEEP_DAYS)
    return _("%(count)d old databases of moved companies dropped") % {"count": len(dropped)}
