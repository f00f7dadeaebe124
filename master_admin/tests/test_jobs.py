"""Background jobs: a company job runs inside its own company, through a real worker on SQLite and on Redis;
a failing job is retried, then reported; the scheduler runs the periodic backups."""

import logging
import os
import uuid

import pytest
from huey.storage import RedisStorage, SqliteStorage

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from master_admin.models import JobRun
from master_admin.tests.worker import running_worker
from subscription.jobs import CompanyGone, company_task
from subscription.lifecycle import company_archive, company_suspend
from subscription.models import TenantBackup
from subscription.tenancy import close_tenant_connections, current_tenant, use_tenant

# Database 7 (8, 9... for the workers of a parallel run), so that two workers never share a queue.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{7 + _WORKER}")
ATTEMPTS: list[str] = []


@company_task()
def add_marked_doctor(company, marker: str) -> str:
    """Writes into the selected company's database and says which company that was."""
    DoctorFactory(code=marker[:20], last_name=marker, first_name="Job")
    return current_tenant().slug


@company_task(retries=2, retry_delay=0)
def always_fails(company, marker: str) -> None:
    ATTEMPTS.append(f"{company.slug}:{marker}")
    raise RuntimeError(f"broken on purpose ({marker})")


def markers_in(company) -> list[str]:
    with use_tenant(company):
        names = sorted(Doctor.objects.filter(first_name="Job").values_list("last_name", flat=True))
    close_tenant_connections()
    return names


# --- In the caller (immediate mode) --------------------------------------------------------------------
@pytest.mark.django_db
def test_a_company_job_runs_inside_its_own_company_whatever_is_selected_around_it(acme, globex):
    with use_tenant(globex):  # a request of Globex queues a job for Acme
        add_marked_doctor.enqueue(acme, "for-acme")
        assert current_tenant() == globex
    with use_tenant(None):
        add_marked_doctor.enqueue(globex, "for-globex")
    assert markers_in(acme) == ["for-acme"]
    assert markers_in(globex) == ["for-globex"]
    runs = JobRun.objects.filter(name="add_marked_doctor").order_by("pk")
    assert [(run.company_slug, run.result) for run in runs] == [(acme.slug, "ok"), (globex.slug, "ok")]
    assert runs[0].message == acme.slug


@pytest.mark.django_db
def test_a_company_job_cannot_be_queued_without_a_company_nor_run_for_one_out_of_service(acme, globex):
    with pytest.raises(TypeError, match="works inside a company"):
        add_marked_doctor.enqueue(None, "nowhere")
    with pytest.raises(TypeError, match="works inside a company"):
        add_marked_doctor.enqueue(acme.slug, "a bare code")
    company_suspend(company=acme)
    company_archive(company=acme)
    with pytest.raises(CompanyGone):
        add_marked_doctor.call_local(acme, "archived")
    assert markers_in(globex) == []


# --- Through a real worker ---------------------------------------------------------------------------
def redis_storage():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but Redis at {REDIS_URL} is unreachable: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {error}")
    return RedisStorage(name=f"medrep-test-{uuid.uuid4().hex[:8]}", url=REDIS_URL)


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, tmp_path):
    if request.param == "redis":
        return redis_storage()
    return SqliteStorage(name="medrep-test", filename=str(tmp_path / "huey.db"))


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_each_job_inside_its_own_company(queue, acme, globex):
    with running_worker(queue) as worker:
        for number in range(3):
            add_marked_doctor.enqueue(acme, f"acme-{number}")
            add_marked_doctor.enqueue(globex, f"globex-{number}")
        worker.wait("add_marked_doctor", count=6)
    assert markers_in(acme) == ["acme-0", "acme-1", "acme-2"]
    assert markers_in(globex) == ["globex-0", "globex-1", "globex-2"]
    for run in JobRun.objects.filter(name="add_marked_doctor"):
        assert run.message == run.company_slug and run.duration_ms is not None


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_retried_then_reported(acme, tmp_path, caplog):
    ATTEMPTS.clear()
    queue = SqliteStorage(name="medrep-test", filename=str(tmp_path / "huey.db"))
    with caplog.at_level(logging.ERROR, logger="master_admin.jobs"), running_worker(queue) as worker:
        always_fails.enqueue(acme, "x")
        worker.wait("always_fails", outcome="failed")
    runs = list(JobRun.objects.filter(name="always_fails").order_by("pk"))
    assert [(run.attempt, run.result) for run in runs] == [(1, "retrying"), (2, "retrying"), (3, "failed")]
    assert ATTEMPTS == [f"{acme.slug}:x"] * 3
    assert "broken on purpose (x)" in runs[-1].message
    assert any(
        "always_fails" in record.getMessage() and "3 attempt" in record.getMessage() for record in caplog.records
    )


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_runs_the_periodic_backups(acme, globex, tmp_path, settings):
    never = "0 0 31 2 *"  # 31 February
    settings.BACKUP_SCHEDULE = "* * * * *"
    settings.STATS_SCHEDULE = settings.DRILL_SCHEDULE = settings.JOB_FILES_CLEANUP_SCHEDULE = never
    settings.MOVED_CLEANUP_SCHEDULE = never
    queue = SqliteStorage(name="medrep-test", filename=str(tmp_path / "huey.db"))
    with running_worker(queue, periodic=True) as worker:
        worker.wait("scheduled_backups")
    run = JobRun.objects.get(name="scheduled_backups")
    assert run.periodic and run.result == "ok", run.message
    made = TenantBackup.objects.filter(how=TenantBackup.How.SCHEDULED, made_by="schedule")
    assert sorted(made.values_list("company__slug", flat=True)) == sorted([acme.slug, globex.slug])
    assert not JobRun.objects.exclude(name="scheduled_backups").exists()


@pytest.mark.django_db
def test_old_job_runs_are_forgotten(settings):
    import datetime

    from django.utils import timezone

    from master_admin.tasks import job_runs_cleanup

    settings.JOB_RUNS_DAYS = 30
    old = JobRun.objects.create(task_id="old", name="x", started_at=timezone.now() - datetime.timedelta(days=31))
    recent = JobRun.objects.create(task_id="new", name="x", started_at=timezone.now() - datetime.timedelta(days=29))
    job_runs_cleanup()  # a periodic job run in the caller, as the scheduler's worker would run it
    assert set(JobRun.objects.filter(name="x").values_list("task_id", flat=True)) == {recent.task_id}
    assert not JobRun.objects.filter(pk=old.pk).exists()
