"""Moving a company's database to another server, without losing a row and never with two writable copies.

    move_company(company, "pg2")      # manage.py move_company SLUG --to pg2, /master-admin/ "Move to…"

The steps, each recorded in the master database (CompanyMove) before the next begins:

1. started: the company is held read-only (Company.lifecycle_pending = "move"; its users see a banner,
   writes get a polite refusal). Nothing else on the platform notices.
2. fenced: the source database itself refuses writes (PostgreSQL: read-only sessions, open ones ended;
   SQLite: triggers in the file), so a request that read the company before the hold cannot write either.
3. copied: an empty, migrated database is made on the target and every table is copied into it in one
   target transaction (storage.copies: COPY into PostgreSQL, binary COPY between PostgreSQL servers,
   batched inserts into SQLite; sequences set past the highest ids).
4. verified: every table's row count and checksum, computed the same way on both sides, agree.
5. switched: the company's server changes in one master transaction. Every process reads the server
   with the company at its next request, so from here on the target is where it is used.
6. done: the source is kept aside, still fenced (or dropped with drop_source), and the hold ends.

A failure before the switch rolls back: the target copy is dropped, the fence removed, the hold
ended, and the company is where it was, writable. A move killed at any step is finished by running
it again (any command that moves the company first deals with its unfinished move): before the
switch it is rolled back, after the switch completed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subscription import access
from subscription.models import Company, TenantSchemaState
from subscription.scaleout.models import CompanyMove, TenantServer
from subscription.schema import tenant_migration_key
from subscription.storage import ProvisioningError, server_of, server_storage, servers
from subscription.storage.base import build_alias
from subscription.storage.copies import copy_tenant_data, verify_copy
from subscription.tenancy import forget_alias, tenant_alias

logger = logging.getLogger(__name__)
Step = CompanyMove.Step
# Called after each step is recorded (progress output; tests stop a move there as a crash would).
OnStep = Callable[[CompanyMove], None]
Progress = Callable[[str, int], None]


class MoveError(ProvisioningError):
    """A move could not be made; the message says why, and that the company stayed where it was."""


def unfinished_move(company: Company) -> CompanyMove | None:
    return CompanyMove.objects.filter(company=company).exclude(step__in=CompanyMove.FINISHED).first()


def move_company(
    company: Company,
    target: str,
    *,
    by: str = "",
    drop_source: bool = False,
    on_step: OnStep | None = None,
    progress: Progress | None = None,
) -> CompanyMove:
    """Move `company`'s database to the server `target`; return the finished move.

    Raises MoveError (the company stays where it was, writable) if the move cannot be made or its
    copy differs from the source, and UnknownServer for a name the settings do not list.
    """
    finished = finish_unfinished_move(company, on_step=on_step)
    if finished is not None and finished.step == Step.DONE and finished.target == target:
        return finished  # the rerun of a move killed after its switch: now complete
    company.refresh_from_db()
    source = server_of(company)
    servers.configured().url(target)
    _check_can_move(company, source, target)
    try:
        with transaction.atomic():
            move = CompanyMove.objects.create(
                company=company, source=source, target=target, by=by, drop_source=drop_source
            )
    except IntegrityError:
        raise MoveError(_("“%(slug)s” is being moved already; nothing was changed.") % {"slug": company.slug}) from None
    started = time.perf_counter()
    held = Company.objects.filter(pk=company.pk, lifecycle_pending="").update(lifecycle_pending=access.MOVING)
    if not held:
        _finish(move, Step.ROLLED_BACK, _("Another step of this company is unfinished."))
        raise MoveError(
            _("“%(slug)s” has an unfinished step; finish it first. Nothing was changed.") % {"slug": company.slug}
        )
    logger.info("company %s: move %s → %s started by %s; read-only meanwhile", company.slug, source, target, by)
    _record(move, Step.STARTED, on_step)
    try:
        source_storage, target_storage = server_storage(source), server_storage(target)
        source_storage.fence(company.slug)
        _record(move, Step.FENCED, on_step)
        with target_storage.creation_lock():
            target_storage.remove_leftovers()
            target_storage.create(company.slug)
        move.rows = _copy_and_verify(company, source, target, progress, move, on_step)
    except Exception as error:  # anything before the switch: the company stays where it was
        rollback(move, " ".join(str(error).split()) or type(error).__name__)
        raise MoveError(
            _("Moving “%(slug)s” to %(target)s failed, so it stays on %(source)s, writable: %(error)s")
            % {"slug": company.slug, "target": target, "source": source, "error": error}
        ) from error
    _switch(move, on_step)
    complete(move, on_step=on_step, started=started)
    return move


def _check_can_move(company: Company, source: str, target: str) -> None:
    if source == target:
        raise MoveError(
            _("“%(slug)s” is on %(server)s already; nothing was changed.") % {"slug": company.slug, "server": target}
        )
    if not company.has_live_database:
        raise MoveError(
            _("“%(slug)s” has no database in service (it is archived or deleted); nothing was changed.")
            % {"slug": company.slug}
        )
    if TenantServer.objects.filter(name=target, state=TenantServer.State.DRAINING).exists():
        raise MoveError(
            _("The server %(server)s is being drained, so no company is moved onto it; nothing was changed.")
            % {"server": target}
        )
    state = TenantSchemaState.objects.filter(company=company).first()
    if state is None or state.tenant_migration_key != tenant_migration_key():
        raise MoveError(
            _(
                "“%(slug)s” is not up to date with the migrations: run manage.py migrate_tenants first. Nothing was changed."
            )
            % {"slug": company.slug}
        )
    if server_storage(target).exists(company.slug):
        raise MoveError(
            _(
                "The server %(server)s has a database for “%(slug)s” already (%(where)s): check what it is and drop "
                "it first. Nothing was changed."
            )
            % {"server": target, "slug": company.slug, "where": server_storage(target).location(company.slug)}
        )


def _copy_and_verify(company, source, target, progress, move, on_step) -> int:
    slug = company.slug
    with (
        build_alias(server_storage(source).direct_settings(slug)) as source_alias,
        build_alias(server_storage(target).direct_settings(slug)) as target_alias,
    ):
        copied = copy_tenant_data(source_alias, target_alias, progress)
        move.rows = sum(copied.values())
        _record(move, Step.COPIED, on_step)
        verify_copy(source_alias, target_alias)
    _record(move, Step.VERIFIED, on_step)
    return move.rows


def _switch(move: CompanyMove, on_step: OnStep | None) -> None:
    """Point the company at the target, and record it, in one master transaction."""
    with transaction.atomic():
        Company.objects.filter(pk=move.company_id).update(server=move.target)
        move.step = Step.SWITCHED
        move.save(update_fields=["step", "rows"])
    forget_alias(tenant_alias(move.company.slug))
    logger.info("company %s: now on %s", move.company.slug, move.target)
    if on_step is not None:
        on_step(move)


def complete(move: CompanyMove, *, on_step: OnStep | None = None, started: float | None = None) -> None:
    """After the switch: keep (or drop) the fenced source, end the hold. Repeatable."""
    slug = move.company.slug
    source = server_storage(move.source)
    if move.drop_source:
        source.drop(slug)
        move.kept_source = ""
    else:
        move.kept_source = source.keep_moved(slug)
    Company.objects.filter(pk=move.company_id, lifecycle_pending=access.MOVING).update(lifecycle_pending="")
    if started is not None:
        move.read_only_ms = round((time.perf_counter() - started) * 1000)
    _finish(move, Step.DONE, "")
    logger.info("company %s: move to %s done", slug, move.target)
    if on_step is not None:
        on_step(move)


def rollback(move: CompanyMove, why: str) -> None:
    """Before the switch: drop the target copy, lift the fence, end the hold. Repeatable."""
    slug = move.company.slug
    forget_alias(tenant_alias(slug))
    server_storage(move.target).drop(slug)
    source = server_storage(move.source)
    if source.exists(slug):
        source.unfence(slug)
    Company.objects.filter(pk=move.company_id, lifecycle_pending=access.MOVING).update(lifecycle_pending="")
    _finish(move, Step.ROLLED_BACK, why)
    logger.warning("company %s: move to %s rolled back: %s", slug, move.target, why)


def finish_unfinished_move(company: Company, *, on_step: OnStep | None = None) -> CompanyMove | None:
    """Finish a move that was killed: roll it back before its switch, complete it after. None if there is none."""
    move = unfinished_move(company)
    if move is None:
        return None
    move.company = company
    if move.step == Step.SWITCHED:
        complete(move, on_step=on_step)
    else:
        rollback(move, _("The move was interrupted at the step “%(step)s”.") % {"step": move.get_step_display()})
    company.refresh_from_db()
    return move


def drop_kept_sources(older_than_days: int) -> list[CompanyMove]:
    """Drop the kept source databases of moves finished more than `older_than_days` ago; return those moves."""
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    dropped = []
    for move in CompanyMove.objects.filter(step=Step.DONE, finished_at__lt=cutoff).exclude(kept_source=""):
        if move.source in servers.configured().urls:
            server_storage(move.source).drop_moved(move.company.slug)
        move.kept_source, move.drop_source = "", True
        move.save(update_fields=["kept_source", "drop_source"])
        dropped.append(move)
    return dropped


def _record(move: CompanyMove, step: str, on_step: OnStep | None) -> None:
    move.step = step
    move.save(update_fields=["step", "rows"])
    if on_step is not None:
        on_step(move)


def _finish(move: CompanyMove, step: str, message: str) -> None:
    move.step, move.message, move.finished_at = step, message, timezone.now()
    move.save(update_fields=["step", "message", "finished_at", "kept_source", "read_only_ms", "rows"])


def move_refusal(company: Company) -> str:
    """Why `company` cannot be moved now ('' if it can), for the master admin's form."""
    if not company.has_live_database:
        return _("It has no database in service.")
    if company.lifecycle_pending:
        return _("Another step is unfinished.")
    return ""
