"""The master admin's jobs: platform figures on a schedule and on the analytics button, and the integrity
check of every company database from the monitoring page (the worker imports this module)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from master_admin.models import JobRun
from master_admin.services import database_check, platform_stats_refresh
from subscription.jobs import periodic_job, platform_task
from subscription.models import Company
from subscription.tasks import JobProblems


def _recount() -> str:
    probes = platform_stats_refresh()
    failed = [f"{probe.company.slug}: {probe.error}" for probe in probes if not probe.ok]
    if failed:
        raise JobProblems("\n".join(failed))
    return _("%(count)d companies counted") % {"count": len(probes)}


@periodic_job("STATS_SCHEDULE")
def refresh_platform_stats() -> str:
    """Every company's figures, counted in its own database, for the platform pages."""
    return _recount()


@platform_task()
def recount_now(*, by: str) -> str:
    """The analytics page's "Recount" button."""
    return _recount()


@platform_task()
def check_all_databases(*, by: str) -> str:
    """The monitoring page's "Check all databases" button."""
    checks = database_check(companies=Company.objects.with_live_database().order_by("slug"))
    failed = [f"{check.company.slug}: {check.result}" for check in checks if not check.ok]
    # A damaged database is the check's finding, not the job's failure: the monitoring page lists it.
    return "\n".join(
        [
            _("%(ok)d of %(total)d company databases passed the check.")
            % {"ok": len(checks) - len(failed), "total": len(checks)},
            *failed,
        ]
    )


@periodic_job("JOB_FILES_CLEANUP_SCHEDULE")
def job_runs_cleanup() -> str:
    """Forget job runs older than JOB_RUNS_DAYS (the log of the worker's work is not kept for ever)."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.JOB_RUNS_DAYS)
    deleted, _by_model = JobRun.objects.filter(started_at__lt=cutoff).delete()
    return _("%(count)d old job runs removed") % {"count": deleted}
