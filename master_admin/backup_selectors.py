"""Reads of the master admin about backups and jobs: a company's backups, the periodic jobs and their runs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from master_admin.models import JobRun
from subscription.backups.drill import BackupHealth, backup_health
from subscription.jobs import huey
from subscription.models import Company, TenantBackup

BACKUP_JOBS = ("backup_now", "restore_now")


def company_backups(company: Company) -> QuerySet[TenantBackup]:
    return TenantBackup.objects.filter(company=company, pruned_at__isnull=True).order_by("-created_at", "-pk")


def backup_jobs_running(company: Company, since: datetime.datetime | None) -> bool:
    """Whether a backup or restore of the company asked at `since` (or any one now running) has not ended."""
    runs = JobRun.objects.filter(company_slug=company.slug, name__in=BACKUP_JOBS)
    if runs.filter(result=JobRun.Result.RUNNING).exists():
        return True
    if since is None or timezone.now() - since > datetime.timedelta(minutes=5):
        return False
    return not runs.filter(started_at__gte=since).exclude(result=JobRun.Result.RUNNING).exists()


@dataclass
class PeriodicJob:
    name: str
    schedule: str
    setting: str
    last: JobRun | None


def periodic_jobs() -> list[PeriodicJob]:
    """Every periodic job the worker runs, with its schedule and its last run."""
    import master_admin.tasks  # noqa: F401 - the jobs register when their modules are imported
    import subscription.tasks  # noqa: F401

    found = []
    for task_class in huey._registry._periodic_tasks:
        setting = getattr(task_class, "schedule_setting", "")
        short = task_class.__name__
        last = JobRun.objects.filter(name=short).order_by("-started_at", "-pk").first()
        found.append(PeriodicJob(short, str(getattr(settings, setting, "")) if setting else "", setting, last))
    return sorted(found, key=lambda job: job.name)


def job_runs(*, failed_only: bool = False) -> QuerySet[JobRun]:
    runs = JobRun.objects.order_by("-started_at", "-pk")
    return runs.filter(result=JobRun.Result.FAILED) if failed_only else runs


def failed_jobs_since(hours: int = 24) -> int:
    since = timezone.now() - datetime.timedelta(hours=hours)
    return JobRun.objects.filter(result=JobRun.Result.FAILED, started_at__gte=since).count()


def backup_problems() -> list[BackupHealth]:
    """Companies in service whose last good backup is too old, or whose latest backup failed verification."""
    return [health for health in backup_health() if health.stale or health.failed]
