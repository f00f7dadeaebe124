"""/master-admin/: a company's backups (back up now, restore with the typed code, audited), the jobs page,
and monitoring's backup alerts."""

import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from master_admin.backup_views import PENDING_KEY
from master_admin.models import JobRun
from subscription.backups.catalogue import backup_create
from subscription.lifecycle import company_archive, company_suspend
from subscription.models import TenantBackup
from subscription.tests.backup_helpers import delete_doctors, doctor_names, fill

pytestmark = pytest.mark.django_db


def detail(company) -> str:
    return reverse("master_admin:company-detail", args=[company.slug])


def restore_url(backup) -> str:
    return reverse("master_admin:company-backup-restore", args=[backup.company.slug, backup.pk])


def test_back_up_now_shows_the_backup_on_the_company_page(acme, globex, superuser, superuser_client):
    response = superuser_client.post(reverse("master_admin:company-backup", args=[acme.slug]), follow=True)
    backup = TenantBackup.objects.get(company=acme)
    assert backup.how == TenantBackup.How.MANUAL and backup.made_by == superuser.get_username()
    assert backup.file_name in response.text
    run = JobRun.objects.get(name="backup_now")
    assert (run.company_slug, run.result, run.requested_by) == (acme.slug, "ok", superuser.get_username())
    assert not TenantBackup.objects.filter(company=globex).exists()
    assert globex.slug not in superuser_client.get(detail(acme)).text.split('id="backups"', 1)[1].split("</table>")[0]


def test_restore_needs_the_typed_code_and_is_audited(acme, globex, member, superuser, superuser_client, caplog):
    fill(acme, "Acme", staff=member("manager", acme))
    fill(globex, "Globex", staff=member("manager", globex))
    backup = backup_create(company=acme)
    delete_doctors(acme)
    page = superuser_client.get(restore_url(backup))
    assert page.status_code == 200 and backup.file_name in page.text and 'name="code"' in page.text
    wrong = superuser_client.post(restore_url(backup), {"code": globex.slug})
    assert wrong.status_code == 200 and "not this company" in wrong.text
    assert doctor_names(acme) == []
    with caplog.at_level(logging.INFO):
        done = superuser_client.post(restore_url(backup), {"code": acme.slug}, follow=True)
    assert done.status_code == 200 and "read-only until that is done" in done.text
    assert doctor_names(acme) == ["Acmeov0", "Acmeov1", "Acmeov2"]
    assert doctor_names(globex) == ["Globexov0", "Globexov1", "Globexov2"]
    run = JobRun.objects.get(name="restore_now")
    assert (run.company_slug, run.result, run.requested_by) == (acme.slug, "ok", superuser.get_username())
    logged = [record.getMessage() for record in caplog.records]
    assert any(
        f"restore from backup {backup.pk}" in line and f"asked by {superuser.get_username()}" in line for line in logged
    )
    assert TenantBackup.objects.filter(company=acme, how=TenantBackup.How.SAFETY).count() == 1


def test_restore_is_refused_for_an_archived_company_and_for_another_companys_backup(acme, globex, superuser_client):
    acme_backup, globex_backup = backup_create(company=acme), backup_create(company=globex)
    wrong_company = reverse("master_admin:company-backup-restore", args=[acme.slug, globex_backup.pk])
    assert superuser_client.get(wrong_company).status_code == 404
    company_suspend(company=acme)
    company_archive(company=acme)
    page = superuser_client.get(restore_url(acme_backup))
    assert "only a company whose database is in service" in page.text and 'name="code"' not in page.text
    superuser_client.post(restore_url(acme_backup), {"code": acme.slug})
    assert not JobRun.objects.filter(name="restore_now").exists()


def test_the_backup_card_polls_while_a_backup_job_is_under_way(acme, superuser_client):
    card = reverse("master_admin:company-backups", args=[acme.slug])
    assert "hx-get" not in superuser_client.get(card).text
    session = superuser_client.session
    session[PENDING_KEY % acme.slug] = timezone.now().isoformat()  # asked, the worker has not started it yet
    session.save()
    polling = superuser_client.get(card).text
    assert f'hx-get="{card}"' in polling and 'hx-trigger="every 2s"' in polling
    backup_create(company=acme)
    JobRun.objects.create(task_id="t", name="backup_now", company_slug=acme.slug, result="ok")
    done = superuser_client.get(card).text
    assert "hx-get" not in done and "-manual.db" in done


def test_the_jobs_page_lists_the_periodic_jobs_with_their_last_run(superuser_client):
    JobRun.objects.create(
        task_id="a", name="scheduled_backups", periodic=True, result="failed", message="acme: disk full", duration_ms=12
    )
    page = superuser_client.get(reverse("master_admin:job-list")).text
    for name in ("scheduled_backups", "restore_drill_job", "refresh_platform_stats", "job_files_cleanup"):
        assert name in page
    assert "BACKUP_SCHEDULE" in page and "acme: disk full" in page
    monitoring = superuser_client.get(reverse("master_admin:monitoring-dashboard")).text
    assert "1 job failed in the last 24 hours." in monitoring


def test_monitoring_names_companies_without_a_recent_good_backup(acme, globex, superuser_client, settings):
    settings.BACKUP_MAX_AGE_HOURS = 24
    fresh, old = backup_create(company=acme), backup_create(company=globex)
    TenantBackup.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=30))
    section = superuser_client.get(reverse("master_admin:monitoring-dashboard")).text.split('id="backup-health"')[1]
    section = section.split("</div></div>")[0]
    assert globex.name in section and "older than 24 hours" in section
    assert acme.name not in section
    TenantBackup.objects.filter(pk=fresh.pk).update(verified_ok=False, verify_result="doctors_doctor: missing")
    section = superuser_client.get(reverse("master_admin:monitoring-dashboard")).text.split('id="backup-health"')[1]
    assert acme.name in section.split("</div></div>")[0] and "failed verification" in section
