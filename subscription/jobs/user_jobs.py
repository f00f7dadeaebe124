"""Long work a user asks for (a full export, a large import, a long report), run by the worker.

A view calls `job_start(kind=..., company=..., user=...)` and sends the user to the job's page, which
polls its progress (htmx) and offers the file when done. Each kind is a handler an app registers in
its AppConfig.ready(); the handler runs inside the job's company and reports progress as it goes.
"""

from __future__ import annotations

import datetime
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from subscription.jobs import company_task
from subscription.models import Company, Job

logger = logging.getLogger(__name__)
State = Job.State


class JobFailed(Exception):
    """A job's handler stopped for a reason the user can act on; the message is shown on the job's page."""


class Reporter:
    """What a handler is given: the job, progress reports (stored at most twice a second), and its file."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._stored = 0.0

    def progress(self, done: int, total: int, message: str = "") -> None:
        job = self.job
        job.done, job.total = done, total
        if message:
            job.message = message[:500]
        now = time.monotonic()
        if now - self._stored >= 0.5 or done >= total:
            Job.objects.filter(pk=job.pk).update(done=done, total=total, message=job.message)
            self._stored = now

    def file(self, suffix: str, download_name: str) -> Path:
        """Where the handler writes its file (the job's page offers it as `download_name`)."""
        folder = job_files_dir() / self.job.company.slug
        folder.mkdir(parents=True, exist_ok=True)
        self.job.file_name = f"{self.job.company.slug}/{self.job.pk}{suffix}"
        self.job.download_name = download_name
        return job_files_dir() / self.job.file_name


Handler = Callable[[Job, Reporter], None]
KINDS: dict[str, tuple[Handler, str]] = {}


def register_job_kind(kind: str, handler: Handler, title: str) -> None:
    """Let `job_start(kind=...)` run `handler(job, reporter)`; `title` names the kind on its page."""
    KINDS[kind] = (handler, title)


def job_title(job: Job) -> str:
    return str(KINDS[job.kind][1]) if job.kind in KINDS else job.kind


def job_files_dir() -> Path:
    """JOB_FILES_DIR, or TENANT_DB_DIR/job-files: the files jobs made, kept JOB_FILES_HOURS."""
    return Path(settings.JOB_FILES_DIR or Path(settings.TENANT_DB_DIR) / "job-files").resolve()


def job_file(job: Job) -> Path | None:
    path = job_files_dir() / job.file_name if job.file_name else None
    return path if path is not None and path.is_file() else None


def job_input_path(job: Job) -> Path:
    return job_files_dir() / job.company.slug / f"{job.pk}.input.json"


def read_job_input(job: Job) -> Any:
    """What the view gave the job to work on (`job_start(payload=...)`)."""
    return json.loads(job_input_path(job).read_text())


def job_start(*, kind: str, company: Company, user, params: dict | None = None, payload: Any = None) -> Job:
    """Record the job and queue it for the worker (it runs inside `company`). Raises KeyError for an unknown kind.

    `payload`: what the job works on (an uploaded table's rows, say), kept in a file beside its result
    until the job ends; `params`: a few small settings, kept with the job.
    """
    if kind not in KINDS:
        raise KeyError(f"No job kind {kind!r}; register it with register_job_kind().")
    job = Job.objects.create(kind=kind, company=company, user=user, params=params or {})
    if payload is not None:
        path = job_input_path(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, ensure_ascii=False))
    run_user_job.enqueue(company, str(job.pk))
    return job


@company_task()
def run_user_job(company: Company, job_id: str) -> None:
    """Run one user job inside its company: a job of another company is never found here."""
    job = Job.objects.select_related("company", "user").filter(pk=job_id, company=company).first()
    if job is None or job.finished:
        return
    Job.objects.filter(pk=job.pk).update(state=State.RUNNING, started_at=timezone.now())
    handler, _title = KINDS[job.kind]
    try:
        handler(job, Reporter(job))
    except Exception as error:
        job_input_path(job).unlink(missing_ok=True)
        message = str(error) if isinstance(error, JobFailed) else _("The job failed; the platform's team is told.")
        job.state, job.message, job.finished_at = State.FAILED, message[:500], timezone.now()
        job.save(update_fields=["state", "message", "finished_at", "result", "file_name"])
        if not isinstance(error, JobFailed):
            raise  # the worker's log and /master-admin/ jobs show it
        return
    job_input_path(job).unlink(missing_ok=True)
    job.state, job.finished_at = State.DONE, timezone.now()
    job.save(update_fields=["state", "finished_at", "done", "total", "message", "result", "file_name", "download_name"])


def remove_old_job_files() -> int:
    """Delete the files of jobs finished more than JOB_FILES_HOURS ago; return how many."""
    cutoff = timezone.now() - datetime.timedelta(hours=settings.JOB_FILES_HOURS)
    removed = 0
    for job in Job.objects.filter(finished_at__lt=cutoff).exclude(file_name=""):
        path = job_file(job)
        if path is not None:
            path.unlink(missing_ok=True)
            removed += 1
        Job.objects.filter(pk=job.pk).update(file_name="")
    return removed
