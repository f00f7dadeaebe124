"""Which server a new company's database goes to.

The servers are in the settings (subscription/storage/servers.py); an operator's decision about each
(open, closed to new companies, draining) is in the master database (TenantServer), set with
`manage.py tenant_servers --open/--close/--drain NAME`. A server without a decision is open, except
`local` where PostgreSQL servers are configured: SQLite files are then the place companies are moved
from, not where new ones go, unless an operator opens it.

Policy: the open server with the fewest companies (ties: by name). An operator or the admin may
name a server: open or closed, never draining or unknown.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from subscription.models import Company
from subscription.scaleout.models import TenantServer
from subscription.storage import ProvisioningError, servers

State = TenantServer.State


def server_states() -> dict[str, str]:
    """Every configured server's state (TenantServer.State), decided or by default."""
    configured = servers.configured()
    decided = dict(TenantServer.objects.filter(name__in=configured.names).values_list("name", "state"))
    has_postgres = any(name != servers.LOCAL for name in configured.names)
    return {
        name: decided.get(name, State.CLOSED if name == servers.LOCAL and has_postgres else State.OPEN)
        for name in configured.names
    }


def set_server_state(name: str, state: str) -> None:
    """Record an operator's decision about a configured server. Raises UnknownServer."""
    servers.configured().url(name)
    TenantServer.objects.update_or_create(name=name, defaults={"state": state})


def companies_per_server() -> dict[str, int]:
    """Companies whose database is (or is being made) on each configured server; deleted ones not counted."""
    configured = servers.configured()
    counts = dict.fromkeys(configured.names, 0)
    # A company not placed yet (the one being placed, say) counts nowhere.
    live = Company.objects.exclude(lifecycle=Company.Lifecycle.DELETED).exclude(server="")
    for row in live.values("server").annotate(n=Count("pk")):
        name = row["server"]
        if name in counts:
            counts[name] += row["n"]
    return counts


def choose_server(requested: str | None = None) -> str:
    """The server a new company goes to; raises ProvisioningError (nothing changed) if none can take it."""
    states = server_states()
    if requested:
        if requested not in states:
            raise ProvisioningError(
                _("There is no database server “%(name)s”; the settings list: %(names)s. Nothing was changed.")
                % {"name": requested, "names": ", ".join(states)}
            )
        if states[requested] == State.DRAINING:
            raise ProvisioningError(
                _("The server “%(name)s” is being drained, so no company is placed on it; nothing was changed.")
                % {"name": requested}
            )
        return requested
    open_servers = [name for name, state in states.items() if state == State.OPEN]
    if not open_servers:
        raise ProvisioningError(
            _(
                "No database server is open to new companies; open one with manage.py tenant_servers --open NAME. "
                "Nothing was changed."
            )
        )
    counts = companies_per_server()
    return min(open_servers, key=lambda name: (counts[name], name))


def place_company(company: Company, requested: str | None = None) -> str:
    """Record where a company without a server goes (a company placed already keeps its server)."""
    if company.server:
        if requested and requested != company.server:
            raise ProvisioningError(
                _(
                    "“%(slug)s” is placed on the server “%(server)s” already; move it with manage.py move_company. "
                    "Nothing was changed."
                )
                % {"slug": company.slug, "server": company.server}
            )
        return company.server
    company.server = choose_server(requested)
    Company.objects.filter(pk=company.pk, server="").update(server=company.server)
    company.server = Company.objects.filter(pk=company.pk).values_list("server", flat=True).first() or company.server
    return company.server
