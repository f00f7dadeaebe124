"""The lifecycle buttons of /master-admin/companies/<slug>/: superusers only, POST with CSRF, the
company's code typed to archive or delete, every action in the page's messages and in the log."""

import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from master_admin.models import ImpersonationSession, TenantStatsSnapshot
from subscription.backups.catalogue import backup_path
from subscription.lifecycle import company_archive, company_suspend
from subscription.models import Company, TenantBackup
from subscription.storage.sqlite import tenant_archive_path, tenant_database_path
from subscription.tenancy import close_tenant_connections, use_tenant

pytestmark = pytest.mark.django_db

Lifecycle = Company.Lifecycle


def url(name: str, company: Company) -> str:
    return reverse(f"master_admin:{name}", args=[company.slug])


def state_of(company: Company) -> str:
    return Company.objects.get(pk=company.pk).lifecycle


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def doctors(acme, globex):
    with use_tenant(acme):
        DoctorFactory(last_name="Acmeyev")
    with use_tenant(globex):
        DoctorFactory(last_name="Globexov")
    close_tenant_connections()


def assert_globex_untouched(globex: Company) -> None:
    assert state_of(globex) == Lifecycle.ACTIVE
    assert tenant_database_path(globex.slug).exists()
    with use_tenant(globex):
        assert list(Doctor.objects.values_list("last_name", flat=True)) == ["Globexov"]
    close_tenant_connections()


def test_it_suspends_and_resumes_from_the_company_page(acme, globex, doctors, superuser, superuser_client, caplog):
    page = superuser_client.get(url("company-detail", acme))
    assert url("company-suspend", acme) in page.text
    assert url("company-resume", acme) not in page.text

    with caplog.at_level(logging.INFO, logger="subscription.lifecycle"):
        response = superuser_client.post(url("company-suspend", acme), follow=True)
    assert response.redirect_chain == [(url("company-detail", acme), 302)]
    assert state_of(acme) == Lifecycle.SUSPENDED
    assert any("Acme Pharma is suspended" in message for message in page_messages(response))
    assert f"company {acme.slug}: suspend by {superuser.username}" in caplog.text
    assert url("company-resume", acme) in response.text
    assert url("company-archive", acme) in response.text
    assert url("company-suspend", acme) not in response.text

    response = superuser_client.post(url("company-resume", acme), follow=True)
    assert state_of(acme) == Lifecycle.ACTIVE
    assert any("Acme Pharma is active again" in message for message in page_messages(response))
    assert_globex_untouched(globex)


def test_archive_asks_for_the_company_code(acme, globex, doctors, superuser_client):
    company_suspend(company=acme)
    form = superuser_client.get(url("company-archive", acme))
    assert form.status_code == 200
    assert f"Type {acme.slug} to confirm" in form.text

    wrong = superuser_client.post(url("company-archive", acme), {"code": "globex"})
    assert wrong.status_code == 200
    assert "is-invalid" in wrong.text and "not this company&#x27;s code" in wrong.text
    missing = superuser_client.post(url("company-archive", acme), {})
    assert missing.status_code == 200
    assert state_of(acme) == Lifecycle.SUSPENDED
    assert tenant_database_path(acme.slug).exists()

    response = superuser_client.post(url("company-archive", acme), {"code": f" {acme.slug} "}, follow=True)
    assert state_of(acme) == Lifecycle.ARCHIVED
    assert not tenant_database_path(acme.slug).exists()
    assert tenant_archive_path(acme.slug).exists()
    assert any("Acme Pharma is archived" in message for message in page_messages(response))
    assert str(tenant_archive_path(acme.slug)) in response.text  # the page says where the database is
    assert_globex_untouched(globex)


def test_restore_then_delete_with_the_code_keeps_a_final_backup(acme, globex, doctors, superuser_client, caplog):
    company_suspend(company=acme)
    company_archive(company=acme)
    response = superuser_client.post(url("company-restore", acme), follow=True)
    assert state_of(acme) == Lifecycle.SUSPENDED
    assert any("restored" in message for message in page_messages(response))
    with use_tenant(acme):
        assert list(Doctor.objects.values_list("last_name", flat=True)) == ["Acmeyev"]
    close_tenant_connections()

    company_archive(company=acme)
    form = superuser_client.get(url("company-delete", acme))
    assert form.status_code == 200
    assert "final backup" in form.text
    assert superuser_client.post(url("company-delete", acme), {"code": "acme-pharma"}).status_code == 200
    assert state_of(acme) == Lifecycle.ARCHIVED

    with caplog.at_level(logging.INFO, logger="subscription.lifecycle"):
        response = superuser_client.post(url("company-delete", acme), {"code": acme.slug}, follow=True)
    acme.refresh_from_db()
    assert acme.lifecycle == Lifecycle.DELETED
    backup = Path(acme.final_backup)
    assert backup.exists()
    assert not tenant_archive_path(acme.slug).exists()
    assert any(acme.final_backup in message for message in page_messages(response))
    assert f"company {acme.slug}: delete by" in caplog.text
    assert "Final backup" in response.text
    assert url("company-backup", acme) not in response.text  # nothing left to back up
    assert_globex_untouched(globex)


def test_a_step_from_a_wrong_state_is_a_message_not_a_500(acme, superuser_client, caplog):
    with caplog.at_level(logging.WARNING, logger="master_admin.services"):
        response = superuser_client.post(url("company-resume", acme), follow=True)
    assert response.status_code == 200
    assert any("Only a suspended company can be resumed" in message for message in page_messages(response))
    assert f"company {acme.slug}: resume by" in caplog.text and "refused" in caplog.text

    response = superuser_client.post(url("company-archive", acme), {"code": acme.slug}, follow=True)
    assert any("Do this first: Suspend." in message for message in page_messages(response))
    assert state_of(acme) == Lifecycle.ACTIVE

    confirm = superuser_client.get(url("company-delete", acme))
    assert confirm.status_code == 200
    assert "Only an archived company can be deleted" in confirm.text
    assert 'name="code"' not in confirm.text  # no form to fill in for a step that cannot be taken


def test_the_backup_button_writes_a_backup(acme, superuser_client):
    response = superuser_client.post(url("company-backup", acme), follow=True)
    (message,) = page_messages(response)
    assert "is being made" in message
    backup = TenantBackup.objects.get(company=acme)  # the job ran at once (tests run jobs in the caller)
    assert backup_path(backup).exists() and backup_path(backup).name.startswith(f"{acme.slug}-")
    assert backup.file_name in response.text
    assert state_of(acme) == Lifecycle.ACTIVE


LIFECYCLE_URLS = [
    ("company-suspend", "post", {}),
    ("company-resume", "post", {}),
    ("company-archive", "get", {}),
    ("company-archive", "post", {"code": "{slug}"}),
    ("company-restore", "post", {}),
    ("company-delete", "get", {}),
    ("company-delete", "post", {"code": "{slug}"}),
    ("company-backup", "post", {}),
]


def try_every_action(client, company: Company) -> list[tuple[str, str, int]]:
    codes = []
    for name, method, data in LIFECYCLE_URLS:
        data = {key: value.format(slug=company.slug) for key, value in data.items()}
        codes.append((name, method, getattr(client, method)(url(name, company), data).status_code))
    return codes


@pytest.mark.parametrize("state", [Lifecycle.ACTIVE, Lifecycle.SUSPENDED])
def test_staff_and_company_users_are_refused_every_action(state, acme, globex, staff_client, client_for):
    if state == Lifecycle.SUSPENDED:
        company_suspend(company=acme)
    for client in (staff_client, client_for("owner", acme), client_for("owner", globex)):
        for name, method, status in try_every_action(client, acme):
            assert status == 403, (name, method, status)
    assert state_of(acme) == state
    assert tenant_database_path(acme.slug).exists()
    assert not TenantBackup.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(acme, client):
    for name, method, status in try_every_action(client, acme):
        assert status == 302, (name, method)
    assert state_of(acme) == Lifecycle.ACTIVE


def test_the_actions_need_post(acme, superuser_client):
    for name in ("company-suspend", "company-resume", "company-restore", "company-backup"):
        assert superuser_client.get(url(name, acme)).status_code == 405, name
    assert state_of(acme) == Lifecycle.ACTIVE


def test_the_actions_need_the_csrf_token(acme, superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    assert client.post(url("company-suspend", acme)).status_code == 403
    company_suspend(company=acme)
    assert client.post(url("company-archive", acme), {"code": acme.slug}).status_code == 403
    assert state_of(acme) == Lifecycle.SUSPENDED

    client.get(url("company-archive", acme))
    token = client.cookies["csrftoken"].value
    response = client.post(url("company-archive", acme), {"code": acme.slug, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert state_of(acme) == Lifecycle.ARCHIVED


# --- Entering a company ----------------------------------------------------------------------------
def test_a_suspended_company_is_entered_read_only(acme, doctors, superuser_client, enter):
    company_suspend(company=acme)
    assert enter(superuser_client, acme).status_code == 302
    assert ImpersonationSession.objects.get().read_only
    assert "Acmeyev" in superuser_client.get(reverse("doctors:doctor-list")).text
    assert superuser_client.post(reverse("doctors:doctor-create"), {"code": "NEW-1"}).status_code == 403


def test_an_archived_or_deleted_company_cannot_be_entered_and_the_form_says_why(acme, superuser_client, enter):
    company_suspend(company=acme)
    company_archive(company=acme)
    form = superuser_client.get(url("company-enter", acme))
    assert form.status_code == 200
    assert "Acme Pharma is archived" in form.text and "Restore it first" in form.text
    assert 'name="reason"' not in form.text
    refused = enter(superuser_client, acme)
    assert refused.status_code == 200
    assert "Acme Pharma is archived" in refused.text
    assert not ImpersonationSession.objects.exists()

    call_command("delete_company", acme.slug, "--yes", stdout=None)
    form = superuser_client.get(url("company-enter", acme))
    assert "Acme Pharma is deleted" in form.text
    assert enter(superuser_client, acme).status_code == 200
    assert not ImpersonationSession.objects.exists()


def test_a_session_inside_a_company_that_gets_archived_meets_the_archived_page(acme, doctors, superuser_client, enter):
    enter(superuser_client, acme)
    company_suspend(company=acme)
    company_archive(company=acme)
    for path in ("/", reverse("doctors:doctor-list")):
        response = superuser_client.get(path)
        assert response.status_code == 403, path
        assert "Company data archived" in response.text
        assert "Exit impersonation" in response.text  # the way out is still there


# --- Pages and commands that read every company ----------------------------------------------------
def test_archived_companies_are_labelled_and_left_out_of_monitoring(acme, globex, superuser_client):
    company_suspend(company=acme)
    company_archive(company=acme)
    listing = superuser_client.get(reverse("master_admin:company-list")).text
    start = listing.index(">Acme Pharma</a>")
    row = listing[start : listing.index("</tr>", start)]
    assert "Archived" in row and "archived" in row  # the lifecycle and the schema badge
    monitoring = superuser_client.get(reverse("master_admin:monitoring-dashboard")).text
    assert "Globex Medical" in monitoring and "Acme Pharma" not in monitoring
    checked = superuser_client.post(reverse("master_admin:monitoring-check"), follow=True)
    assert "1 of 1 company databases passed" in checked.text  # the last check's outcome, shown on the page


def test_refresh_platform_stats_skips_archived_and_deleted_companies(acme, globex, company_factory):
    import io

    gone = company_factory(name="Gone")
    for company in (acme, gone):
        company_suspend(company=company)
        company_archive(company=company)
    call_command("delete_company", gone.slug, "--yes", stdout=None)
    out = io.StringIO()
    call_command("refresh_platform_stats", stdout=out)
    output = out.getvalue()
    assert f"[1/1] {globex.slug} ... ok" in output
    assert "Skipping 2 archived or deleted company(ies)" in output
    assert "1 ok, 0 failed" in output
    assert list(TenantStatsSnapshot.objects.values_list("company__slug", flat=True)) == [globex.slug]
