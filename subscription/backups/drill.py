"""The restore drill (verify_backups, and the daily job): each company's latest backup, proven to restore;
and what monitoring says about backups (failed verifications, companies without a recent good backup)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from subscription.backups.catalogue import latest_backup
from subscription.backups.restore import verify_backup
from subscription.models import Company, TenantBackup


@dataclass
class Outcome:
    company: Company
    ok: bool
    message: str
    backup: TenantBackup | None = None


def restore_drill(
    *, companies: Iterable[Company] | None = None, progress: Callable[[int, int, Outcome], None] | None = None
) -> list[Outcome]:
    """Verify the latest backup of each company (by default every company whose database is in service)."""
    chosen = list(Company.objects.with_live_database().order_by("slug") if companies is None else companies)
    outcomes = []
    for index, company in enumerate(chosen, start=1):
        backup = latest_backup(company)
        if backup is None:
            outcome = Outcome(company, False, _("no backup to verify"))
        else:
            backup = verify_backup(backup)
            outcome = Outcome(company, bool(backup.verified_ok), f"{backup.file_name}: {backup.verify_result}", backup)
        outcomes.append(outcome)
        if progress is not None:
            progress(index, len(chosen), outcome)
    return outcomes


@dataclass
class BackupHealth:
    company: Company
    last_good_at: datetime.datetime | None
    latest: TenantBackup | None

    @property
    def stale(self) -> bool:
        limit = timezone.now() - datetime.timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
        return self.last_good_at is None or self.last_good_at < limit

    @property
    def failed(self) -> bool:
        return self.latest is not None and self.latest.verified_ok is False


def backup_health(companies: Iterable[Company] | None = None) -> list[BackupHealth]:
    """For each company in service: when its last good backup (not failed verification) was made, its latest."""
    chosen = list(Company.objects.with_live_database().order_by("slug") if companies is None else companies)
    good = dict(
        TenantBackup.objects.filter(company__in=chosen, pruned_at__isnull=True)
        .filter(Q(verified_ok__isnull=True) | Q(verified_ok=True))
        .values_list("company")
        .annotate(last=Max("created_at"))
    )
    latest = {}
    for backup in TenantBackup.objects.filter(company__in=chosen, pruned_at__isnull=True).order_by(
        "company", "-created_at", "-pk"
    ):
        latest.setdefault(backup.company_id, backup)
    return [BackupHealth(company, good.get(company.pk), latest.get(company.pk)) for company in chosen]
