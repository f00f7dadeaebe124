"""The master admin's server actions: a company's database moved to another server (queued for the worker),
a server opened, closed or drained; each audited (the `master_admin.services` logger, the job run log)."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from subscription.models import Company
from subscription.scaleout.models import TenantServer
from subscription.scaleout.moves import move_refusal
from subscription.scaleout.placement import server_states, set_server_state
from subscription.storage import server_of
from subscription.tasks import move_now

logger = logging.getLogger("master_admin.services")
State = TenantServer.State


def move_target_refusal(company: Company, target: str) -> str:
    """Why `company` cannot be moved to the server `target` now; '' when it can."""
    refusal = move_refusal(company)
    if refusal:
        return _("%(company)s cannot be moved now: %(reason)s Nothing was changed.") % {
            "company": company.name,
            "reason": refusal,
        }
    states = server_states()
    if target not in states:
        return _("There is no database server “%(name)s”; the settings list: %(names)s. Nothing was changed.") % {
            "name": target,
            "names": ", ".join(states),
        }
    if target == server_of(company):
        return _("“%(slug)s” is on %(server)s already; nothing was changed.") % {
            "slug": company.slug,
            "server": target,
        }
    if states[target] == State.DRAINING:
        return _("The server %(server)s is being drained, so no company is moved onto it; nothing was changed.") % {
            "server": target
        }
    return ""


def move_request(*, superuser: AbstractBaseUser, company: Company, target: str, drop_source: bool = False) -> None:
    """Queue the move of `company`'s database to the server `target`. Raises ValidationError if it cannot be made."""
    refusal = move_target_refusal(company, target)
    if refusal:
        logger.warning("company %s: move to %r by %s refused: %s", company.slug, target, superuser, refusal)
        raise ValidationError(refusal, code="refused")
    logger.warning(
        "company %s: move from %s to %s%s asked by %s",
        company.slug,
        server_of(company),
        target,
        " (dropping the old database)" if drop_source else "",
        superuser.get_username(),
    )
    move_now(slug=company.slug, target=target, by=superuser.get_username(), drop_source=drop_source)


def server_state_change(*, superuser: AbstractBaseUser, name: str, state: str) -> None:
    """Record whether the server `name` takes new companies (open, closed, draining). Raises ValidationError."""
    if state not in State.values:
        raise ValidationError(_("“%(state)s” is not a state of a server.") % {"state": state}, code="invalid")
    if name not in server_states():
        raise ValidationError(_("There is no database server “%(name)s”.") % {"name": name}, code="unknown")
    set_server_state(name, state)
    logger.warning("server %s: %s, by %s", name, state, superuser.get_username())
