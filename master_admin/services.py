"""Writes of the master admin: impersonation sessions, company figures and integrity checks."""

from __future__ import annotations

import datetime
import ipaddress
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from master_admin.models import ImpersonationSession, TenantIntegrityCheck, TenantStatsSnapshot
from master_admin.tenant_probe import Probe, TenantFigures, for_each_tenant, tenant_figures, tenant_quick_check
from subscription import lifecycle
from subscription.access import impersonation_is_read_only
from subscription.models import Company
from subscription.provisioning import ProvisioningError, provisioning_error_message
from subscription.storage import max_probe_jobs

logger = logging.getLogger(__name__)
Progress = Callable[[int, int, Probe], None]


def default_jobs() -> int:
    """How many companies to read at once by default: the store's own figure (bench/analytics.py)."""
    return max_probe_jobs()


# --- Impersonation -----------------------------------------------------------------------------------
IMPERSONATION_SESSION_KEY = "impersonation_id"  # in the superuser's session: the open ImpersonationSession's id


def impersonation_refusal(company: Company) -> str:
    """Why nobody can enter `company`'s system (its database is archived or deleted); '' if one can."""
    if company.lifecycle == Company.Lifecycle.ARCHIVED:
        return _(
            "%(company)s is archived: its database is out of service, so there is nothing to enter. Restore it "
            "first (it comes back suspended, and can then be entered read-only)."
        ) % {"company": company.name}
    if company.lifecycle == Company.Lifecycle.DELETED:
        return _("%(company)s is deleted: its database was removed after a final backup (%(path)s).") % {
            "company": company.name,
            "path": company.final_backup or "—",
        }
    return ""


def _valid_ip(value: str | None) -> str | None:
    """The client's address if it is one (behind a unix socket REMOTE_ADDR may be empty or odd)."""
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:
        return None


def _end_open_sessions(superuser: AbstractBaseUser, *, reason: str, now: datetime.datetime) -> int:
    ended = 0
    for session in ImpersonationSession.objects.select_for_update().filter(superuser=superuser, ended_at__isnull=True):
        if session.expires_at <= now:
            session.ended_at, session.end_reason = session.expires_at, ImpersonationSession.EndReason.EXPIRED
        else:
            session.ended_at, session.end_reason = now, reason
        session.save(update_fields=["ended_at", "end_reason"])
        ended += 1
    return ended


def impersonation_start(
    *,
    superuser: AbstractBaseUser,
    company: Company,
    reason: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> ImpersonationSession:
    """Open a session of `superuser` inside `company`, ending the one they had open ("switched").

    Raises ValidationError if the user is not a superuser, gives no reason, or the company is archived or deleted.
    """
    if not getattr(superuser, "is_superuser", False):
        raise ValidationError(_("Only a superuser can enter a company's system."), code="not_superuser")
    refusal = impersonation_refusal(company)
    if refusal:
        raise ValidationError(refusal, code="archived")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why you are entering this company's system.")}, code="required")
    now = timezone.now()
    session = ImpersonationSession(
        superuser=superuser,
        company=company,
        reason=reason,
        started_at=now,
        expires_at=now + datetime.timedelta(minutes=settings.IMPERSONATION_MINUTES),
        ip_address=_valid_ip(ip_address),
        user_agent=(user_agent or "")[:500],
        read_only=impersonation_is_read_only(company),
    )
    session.full_clean()
    with transaction.atomic():
        _end_open_sessions(superuser, reason=ImpersonationSession.EndReason.SWITCHED, now=now)
        session.save()
    return session


def impersonation_expire(session: ImpersonationSession) -> None:
    """Record that a session ran out (it ended when it expired, whenever that is noticed)."""
    session.ended_at = session.expires_at
    session.end_reason = ImpersonationSession.EndReason.EXPIRED
    session.save(update_fields=["ended_at", "end_reason"])


def impersonation_end(*, superuser: AbstractBaseUser, reason: str = ImpersonationSession.EndReason.EXIT) -> int:
    """End every open session of `superuser` (exit, logout); return how many were open."""
    with transaction.atomic():
        return _end_open_sessions(superuser, reason=reason, now=timezone.now())


# --- Company figures -----------------------------------------------------------------------------------
FIGURES = ("doctors", "active_doctors", "patients", "visits", "sales", "sales_amount", "last_change_at")
SNAPSHOT_FIELDS = (*FIGURES, "database_size", "monthly", "taken_at", "duration_ms", "error", "failed_at")
STORE_EVERY = 50


def _snapshot(probe: Probe, now: datetime.datetime) -> TenantStatsSnapshot:
    figures: TenantFigures = probe.value
    return TenantStatsSnapshot(
        company=probe.company,
        **{name: getattr(figures, name) for name in FIGURES},
        database_size=figures.database_size,
        monthly=figures.monthly,
        taken_at=now,
        duration_ms=round(probe.seconds * 1000),
        error="",
        failed_at=None,
    )


def _store_snapshots(snapshots: list[TenantStatsSnapshot]) -> None:
    """Insert or update many snapshots in one statement."""
    TenantStatsSnapshot.objects.bulk_create(
        snapshots, update_conflicts=True, unique_fields=["company"], update_fields=SNAPSHOT_FIELDS
    )
    snapshots.clear()


def _store_failure(probe: Probe, now: datetime.datetime) -> None:
    # Keep the last good figures; the error says why they are old.
    TenantStatsSnapshot.objects.update_or_create(
        company=probe.company,
        defaults={"error": probe.error, "failed_at": now, "duration_ms": round(probe.seconds * 1000)},
    )


def platform_stats_refresh(
    *,
    companies: Iterable[Company] | None = None,
    jobs: int | None = None,
    processes: bool = False,
    progress: Progress | None = None,
) -> list[Probe]:
    """Count each company's figures in its own database (`jobs` at a time, in worker processes if `processes`)
    and store them as snapshots.

    One company's failure is recorded on its snapshot and does not stop the others. By default every
    company whose database is in service (archived and deleted ones have none).
    """
    companies = list(Company.objects.with_live_database().order_by("slug") if companies is None else companies)
    done: list[Probe] = []
    pending: list[TenantStatsSnapshot] = []
    for probe in for_each_tenant(companies, tenant_figures, jobs=jobs or default_jobs(), processes=processes):
        if probe.ok:
            pending.append(_snapshot(probe, timezone.now()))
        else:
            _store_failure(probe, timezone.now())
        if len(pending) >= STORE_EVERY:
            _store_snapshots(pending)
        done.append(probe)
        if progress is not None:
            progress(len(done), len(companies), probe)
    if pending:
        _store_snapshots(pending)
    return done


# --- Integrity -----------------------------------------------------------------------------------------
def _store_check(probe: Probe) -> TenantIntegrityCheck:
    ok, result = probe.value if probe.ok else (False, probe.error)
    check, _created = TenantIntegrityCheck.objects.update_or_create(
        company=probe.company,
        defaults={
            "ok": ok,
            "result": result,
            "checked_at": timezone.now(),
            "duration_ms": round(probe.seconds * 1000),
        },
    )
    return check


def database_check(*, companies: Iterable[Company], jobs: int | None = None) -> list[TenantIntegrityCheck]:
    """Check the integrity of each company's database (`PRAGMA quick_check` on SQLite) and record it."""
    probes = for_each_tenant(companies, tenant_quick_check, jobs=jobs or default_jobs())
    return [_store_check(probe) for probe in probes]


# --- Lifecycle -----------------------------------------------------------------------------------------
LIFECYCLE_STEPS = {
    "suspend": lifecycle.company_suspend,
    "resume": lifecycle.company_resume,
    "archive": lifecycle.company_archive,
    "restore": lifecycle.company_restore,
    "delete": lifecycle.company_delete,
}


def _log_refusal(superuser: AbstractBaseUser, company: Company, action: str, error: Exception) -> None:
    logger.warning(
        "company %s: %s by %s refused: %s",
        company.slug,
        action,
        superuser.get_username(),
        provisioning_error_message(error),
    )


def company_lifecycle_change(*, superuser: AbstractBaseUser, company: Company, action: str) -> Company:
    """Take `company` one lifecycle step (`action`: suspend, resume, archive, restore, delete), logged either way.

    Raises ValidationError from a wrong state, ProvisioningError if the database cannot be moved or backed up.
    """
    try:
        return LIFECYCLE_STEPS[action](company=company, by=superuser)
    except (ValidationError, ProvisioningError) as error:
        _log_refusal(superuser, company, action, error)
        raise


def company_backup(*, superuser: AbstractBaseUser, company: Company) -> Path:
    """Back up `company`'s database now; return the backup's path. Raises ValidationError or ProvisioningError."""
    try:
        return lifecycle.tenant_database_backup(company=company, by=superuser)
    except (ValidationError, ProvisioningError) as error:
        _log_refusal(superuser, company, "backup", error)
        raise
