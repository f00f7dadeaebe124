"""Monitoring: each company database's health, the master database and the disk."""

import pytest
from django.urls import reverse
from django.utils import timezone

from master_admin.models import TenantIntegrityCheck
from subscription.storage.sqlite import tenant_database_path

pytestmark = pytest.mark.django_db


def test_it_shows_the_platforms_health(acme, superuser_client, settings):
    settings.APP_VERSION = "9.8.7"
    page = superuser_client.get(reverse("master_admin:monitoring-dashboard"))
    assert page.status_code == 200
    assert 'id="app-version">9.8.7<' in page.text
    acme.schema_state.refresh_from_db()
    last_migrated = timezone.localtime(acme.schema_state.migrated_at).strftime("%d.%m.%Y %H:%M")
    assert last_migrated in page.text  # the last migrate_tenants
    for text in ("Master database", "Disk free", "Acme Pharma", "up to date", "not checked"):
        assert text in page.text, text


def test_it_names_the_pending_migrations_of_a_company_behind(acme, superuser_client):
    state = acme.schema_state
    state.tenant_migration_key = "an-older-state"
    state.latest_migrations = {**state.latest_migrations, "doctors": "0000_older"}
    state.save()
    page = superuser_client.get(reverse("master_admin:monitoring-dashboard")).text
    assert "behind" in page
    assert "doctors: 0000_older → " in page


def test_a_missing_database_is_shown_as_missing(acme, superuser_client):
    tenant_database_path(acme.slug).unlink()
    page = superuser_client.get(reverse("master_admin:monitoring-dashboard")).text
    assert "missing" in page


def test_quick_check_of_one_company_is_recorded(acme, superuser_client):
    url = reverse("master_admin:company-check", args=[acme.slug])
    response = superuser_client.post(url, {"next": reverse("master_admin:monitoring-dashboard")})
    assert response.status_code == 302
    assert response.url == reverse("master_admin:monitoring-dashboard")
    check = TenantIntegrityCheck.objects.get(company=acme)
    assert (check.ok, check.result) == (True, "ok")
    assert "passed" in superuser_client.get(response.url).text


def test_a_foreign_next_address_is_ignored(acme, superuser_client):
    response = superuser_client.post(
        reverse("master_admin:company-check", args=[acme.slug]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("master_admin:company-detail", args=[acme.slug])


def test_check_all_records_every_company_and_reports_a_damaged_one(acme, globex, superuser_client):
    tenant_database_path(globex.slug).write_bytes(b"this is not a database" * 100)
    response = superuser_client.post(reverse("master_admin:monitoring-check"), follow=True)
    assert response.status_code == 200
    assert TenantIntegrityCheck.objects.get(company=acme).ok
    damaged = TenantIntegrityCheck.objects.get(company=globex)
    assert not damaged.ok and damaged.result
    assert "1 of 2 company databases passed the check." in response.text
