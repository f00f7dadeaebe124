"""Background jobs: the worker's queue (Huey) and the two kinds of job the project has.

A *platform job* works on the master database (figures of every company, backups of every company);
a *company job* carries the company's code, and the worker runs it inside `use_tenant(company)`, so
it can neither run without its company nor under another one. The queue is a SQLite file by default
(no server to run for `make run`) and Redis when REDIS_URL is set; `manage.py run_huey` is the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from huey import crontab
from huey.api import TaskWrapper
from huey.contrib.djhuey import HUEY as huey
from huey.contrib.djhuey import close_db

from subscription.tenancy import WrongTenant, current_tenant, use_tenant, validate_slug

logger = logging.getLogger(__name__)

__all__ = [
    "CompanyGone",
    "CompanyTask",
    "company_task",
    "huey",
    "periodic_job",
    "platform_task",
    "schedule_from_setting",
]


class CompanyGone(Exception):
    """A company job's company no longer has a database in service; the job is not run."""


def _name(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__name__}"


def platform_task(**options) -> Callable[[Callable], TaskWrapper]:
    """A job on the master database (no company selected while it runs). `options`: Huey's (retries, ...)."""

    def decorator(fn: Callable) -> TaskWrapper:
        @wraps(fn)
        def run(*args, **kwargs):
            with use_tenant(None):
                return fn(*args, **kwargs)

        return huey.task(**options)(close_db(run))

    return decorator


def schedule_from_setting(setting: str) -> Callable:
    """A periodic job's clock: the cron line (minute hour day month weekday, UTC) in settings.`setting`.

    Read at every tick, so a changed setting (or a test) takes effect without re-registering the job.
    """

    def due(moment) -> bool:
        fields = str(getattr(settings, setting)).split()
        if len(fields) != 5:
            raise ValueError(f"{setting} must be a cron line of 5 fields, e.g. '30 22 * * *'; it is {fields!r}.")
        return crontab(*fields)(moment)

    due.setting = setting
    return due


def periodic_job(setting: str, **options) -> Callable[[Callable], TaskWrapper]:
    """A platform job the worker's scheduler runs by the cron line in settings.`setting`."""

    def decorator(fn: Callable) -> TaskWrapper:
        @wraps(fn)
        def run():
            with use_tenant(None):
                return fn()

        # `schedule_setting` stays on the task class: /master-admin/jobs/ shows the schedule.
        return huey.periodic_task(schedule_from_setting(setting), schedule_setting=setting, **options)(close_db(run))

    return decorator


class CompanyTask:
    """A job that works inside one company. Enqueue with `.enqueue(company, ...)`; it runs in `use_tenant`."""

    def __init__(self, fn: Callable, task: TaskWrapper) -> None:
        self.fn = fn
        self.task = task
        self.name = task.name

    def enqueue(self, company, *args, **kwargs):
        """Queue the job for `company` (a Company, never None). Raises TypeError without one."""
        slug = getattr(company, "slug", None)
        if slug is None:
            raise TypeError(f"The job {self.name} works inside a company: pass the Company as the first argument.")
        return self.task(validate_slug(slug), *args, **kwargs)

    def call_local(self, company, *args, **kwargs) -> Any:
        """Run the job now, in this thread, inside `company`."""
        return _run_in_company(self.fn, company.slug, args, kwargs)


def _run_in_company(fn: Callable, slug: str, args, kwargs) -> Any:
    from subscription.models import Company

    company = Company.objects.select_related("schema_state").filter(slug=slug).first()
    if company is None or not company.has_live_database:
        raise CompanyGone(f"Company {slug!r} has no database in service now; the job {_name(fn)} was not run.")
    with use_tenant(company):
        selected = current_tenant()
        if selected is None or selected.slug != slug:  # never: use_tenant selects it; stated for the reader
            raise WrongTenant(f"The job {_name(fn)} for {slug!r} would run under {selected!r}.")
        return fn(company, *args, **kwargs)


def company_task(**options) -> Callable[[Callable], CompanyTask]:
    """Make `fn(company, *args)` a company job: it carries the company's code and runs inside its database."""

    def decorator(fn: Callable) -> CompanyTask:
        def run(slug: str, *args, **kwargs):
            return _run_in_company(fn, slug, args, kwargs)

        run.__name__ = fn.__name__
        run.__module__ = fn.__module__
        # `company_job` marks the task class: its first argument is the company's code (the run log reads it).
        task = huey.task(company_job=True, **options)(close_db(run))
        return CompanyTask(fn, task)

    return decorator
