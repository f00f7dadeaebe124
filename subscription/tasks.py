"""The platform's jobs: scheduled backups with retention, the daily restore drill, a backup, a restore or a
move to another server asked for in /master-admin/, and the removal of old job files (the worker imports
this module)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from subscription.backups.catalogue import backup_create, backups_prune
from subscription.backups.drill import restore_drill
from subscription.backups.restore import pick_backup, restore_in_place
from subscription.jobs import periodic_job, platform_task
from subscription.jobs.user_jobs import remove_old_job_files, run_user_job  # noqa: F401 - registers the job
from subscription.models import Company, TenantBackup
from subscription.provisioning import provisioning_error_message
from subscription.scaleout.moves import move_company
from subscription.scaleout.tasks import refill_spares  # noqa: F401 - registers the job

logger = logging.getLogger("subscription.backups")


class JobProblems(Exception):
    """A job that did part of its work: the message lists what failed (the run is recorded as failed)."""


def back_up(companies, *, how: str, by: str = "") -> str:
    """Back up and prune each company; a summary line. Raises JobProblems naming the companies that failed."""
    failed, done = [], 0
    for company in companies:
        try:
            backup = backup_create(company=company, how=how, by=by or None)
            backups_prune(company=company)
        except Exception as error:  # noqa: BLE001 - one broken company must not stop the others
            failed.append(f"{company.slug}: {provisioning_error_message(error)}")
            continue
        if backup.copy_error:
            failed.append(f"{company.slug}: {backup.copy_error}")
        done += 1
    if failed:
        raise JobProblems("\n".join(failed))
    return _("%(count)d backed up") % {"count": done}


@periodic_job("BACKUP_SCHEDULE", retries=1, retry_delay=300)
def scheduled_backups() -> str:
    """Every active company's backup, then pruning by the retention rules."""
    companies = Company.objects.filter(lifecycle=Company.Lifecycle.ACTIVE).order_by("slug")
    return back_up(companies, how=TenantBackup.How.SCHEDULED, by="schedule")


@periodic_job("DRILL_SCHEDULE")
def restore_drill_job() -> str:
    """Each company's latest backup restored into a scratch database and compared with the catalogue."""
    outcomes = restore_drill()
    failed = [f"{outcome.company.slug}: {outcome.message}" for outcome in outcomes if not outcome.ok]
    if failed:
        raise JobProblems("\n".join(failed))
    return _("%(count)d backups verified") % {"count": len(outcomes)}


@periodic_job("JOB_FILES_CLEANUP_SCHEDULE")
def job_files_cleanup() -> str:
    return _("%(count)d old files removed") % {"count": remove_old_job_files()}


@platform_task()
def backup_now(*, slug: str, by: str) -> str:
    """A backup asked for in /master-admin/ ("Back up now")."""
    return back_up([Company.objects.get(slug=slug)], how=TenantBackup.How.MANUAL, by=by)


@platform_task()
def restore_now(*, slug: str, backup_id: int, by: str) -> str:
    """A restore into place asked for in /master-admin/ (after the typed confirmation)."""
    company = Company.objects.get(slug=slug)
    backup = pick_backup(company, backup_id)
    restored = restore_in_place(company=company, backup=backup, by=by)
    return _("restored from %(file)s; safety backup %(safety)s") % {
        "file": backup.file_name,
        "safety": restored.safety.file_name if restored.safety else "—",
    }


@platform_task()
def move_now(*, slug: str, target: str, by: str, drop_source: bool = False) -> str:
    """A move to another server asked for in /master-admin/ ("Move to…"); a MoveError fails the run with its message."""
    move = move_company(Company.objects.get(slug=slug), target, by=by, drop_source=drop_source)
    summary = _("moved to %(target)s: %(rows)d rows, read-only %(seconds).1f s") % {
        "target": move.target,
        "rows": move.rows,
        "seconds": (move.read_only_ms or 0) / 1000,
    }
    if move.kept_source:
        summary += "; " + _("the old database is kept as %(where)s") % {"where": move.kept_source}
    return summary
