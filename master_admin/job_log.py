"""The record of every job the worker runs (JobRun), kept by hooks on the queue: /master-admin/jobs/ reads it.

A job that fails is retried as many times as it says; after the last try it is recorded as failed,
logged at ERROR (the monitoring page counts failures of the last day).
"""

from __future__ import annotations

import logging

from django.utils import timezone
from huey.api import PeriodicTask

from master_admin.models import JobRun
from subscription.jobs import huey

logger = logging.getLogger("master_admin.jobs")
Result = JobRun.Result


def _company(task) -> str:
    if getattr(task, "company_job", False) and task.args:
        return str(task.args[0])
    return str((task.kwargs or {}).get("slug", ""))


def job_started(task) -> None:
    tries = type(task).default_retries
    JobRun.objects.create(
        task_id=task.id,
        name=task.name,
        periodic=isinstance(task, PeriodicTask),
        company_slug=_company(task)[:50],
        requested_by=str((task.kwargs or {}).get("by", ""))[:150],
        attempt=max(1, tries - task.retries + 1),
    )


def job_finished(task, value, error) -> None:
    run = JobRun.objects.filter(task_id=task.id, result=Result.RUNNING).order_by("-pk").first()
    if run is None:
        return
    run.finished_at = timezone.now()
    run.duration_ms = round((run.finished_at - run.started_at).total_seconds() * 1000)
    if error is None:
        run.result, run.message = Result.OK, "" if value is None else str(value)[:2000]
    else:
        run.result = Result.RETRYING if task.retries else Result.FAILED
        run.message = f"{type(error).__name__}: {error}"[:4000]
        if run.result == Result.FAILED:
            logger.error("job %s (%s) failed after %d attempt(s): %s", run.name, task.id, run.attempt, run.message)
    run.save(update_fields=["finished_at", "duration_ms", "result", "message"])


def connect() -> None:
    """Hook the record onto the queue (MasterAdminConfig.ready)."""
    huey.pre_execute(name="master_admin.job_started")(job_started)
    huey.post_execute(name="master_admin.job_finished")(job_finished)
