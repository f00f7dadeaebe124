"""Reads of the master admin about database servers: where a company's database is, its moves, each server."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, FloatField, QuerySet
from django.utils import timezone

from master_admin.models import JobRun
from subscription.models import Company
from subscription.scaleout.models import CompanyMove, TenantServer
from subscription.scaleout.overview import ServerRow, server_overview
from subscription.scaleout.placement import server_states
from subscription.storage import server_of, server_storage
from subscription.storage.servers import UnknownServer

MOVE_JOB = "move_now"
State = TenantServer.State


@dataclass(frozen=True)
class CompanyServer:
    name: str
    engine: str  # '' when the settings no longer list the server
    state_label: str

    @property
    def configured(self) -> bool:
        return bool(self.engine)


def company_server(company: Company) -> CompanyServer:
    """The server the company's database is on, its engine and its state."""
    name = server_of(company)
    try:
        engine = server_storage(name).engine
    except UnknownServer:
        return CompanyServer(name, "", "")
    return CompanyServer(name, engine, State(server_states()[name]).label)


def company_moves(company: Company, limit: int = 10) -> list[CompanyMove]:
    """The company's latest moves, newest first, with `read_only_seconds`."""
    seconds = ExpressionWrapper(F("read_only_ms") / 1000.0, output_field=FloatField())
    return list(CompanyMove.objects.filter(company=company).annotate(read_only_seconds=seconds)[:limit])


def move_targets(company: Company) -> list[tuple[str, str]]:
    """(name, label) of the servers the company may be moved to: configured, not its own, not draining."""
    own = server_of(company)
    return [
        (name, f"{name} ({server_storage(name).engine})")
        for name, state in server_states().items()
        if name != own and state != State.DRAINING
    ]


def move_under_way(company: Company, since: datetime.datetime | None) -> bool:
    """Whether a move of the company is unfinished, or one asked at `since` has not run yet."""
    if CompanyMove.objects.filter(company=company).exclude(step__in=CompanyMove.FINISHED).exists():
        return True
    runs = JobRun.objects.filter(company_slug=company.slug, name=MOVE_JOB)
    if runs.filter(result=JobRun.Result.RUNNING).exists():
        return True
    if since is None or timezone.now() - since > datetime.timedelta(minutes=5):
        return False
    return not runs.filter(started_at__gte=since).exclude(result=JobRun.Result.RUNNING).exists()


def failed_move_job(company: Company) -> JobRun | None:
    """The company's last move job if it failed (a move refused by the worker leaves no CompanyMove)."""
    last = JobRun.objects.filter(company_slug=company.slug, name=MOVE_JOB).order_by("-started_at", "-pk").first()
    return last if last is not None and last.result == JobRun.Result.FAILED else None


def server_lines() -> list[tuple[ServerRow, str]]:
    """Every configured server (subscription.scaleout.overview) with its state's label."""
    return [(row, State(row.state).label) for row in server_overview()]


def unfinished_moves() -> QuerySet[CompanyMove]:
    return CompanyMove.objects.exclude(step__in=CompanyMove.FINISHED).select_related("company")
