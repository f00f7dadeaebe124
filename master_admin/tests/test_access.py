"""Who may open every /master-admin/ URL: superusers only; anonymous users log in first."""

import pytest
from django.urls import URLPattern, reverse

from master_admin import urls as master_admin_urls
from master_admin.models import ImpersonationSession
from subscription.backups.catalogue import backup_create

pytestmark = pytest.mark.django_db

REASON = {"reason": "Checking the access matrix"}
MOVE = {"target": "local", "confirm": "on"}  # where it is already: refused, nothing moved


def confirm(company) -> dict:
    return {"code": company.slug}


def every_url(company) -> list[tuple[str, str, str, dict, int]]:
    """(url name, method, url, data, what a superuser gets)."""
    slug = [company.slug]
    restore = reverse("master_admin:company-backup-restore", args=[company.slug, backup_create(company=company).pk])
    return [
        ("company-list", "get", reverse("master_admin:company-list"), {}, 200),
        ("company-detail", "get", reverse("master_admin:company-detail", args=slug), {}, 200),
        ("company-enter", "get", reverse("master_admin:company-enter", args=slug), {}, 200),
        ("company-enter", "post", reverse("master_admin:company-enter", args=slug), REASON, 302),
        ("company-refresh", "post", reverse("master_admin:company-refresh", args=slug), {}, 302),
        ("company-check", "post", reverse("master_admin:company-check", args=slug), {}, 302),
        ("impersonation-exit", "post", reverse("master_admin:impersonation-exit"), {}, 302),
        ("impersonation-list", "get", reverse("master_admin:impersonation-list"), {}, 200),
        ("analytics-dashboard", "get", reverse("master_admin:analytics-dashboard"), {}, 200),
        ("analytics-refresh", "post", reverse("master_admin:analytics-refresh"), {}, 302),
        ("monitoring-dashboard", "get", reverse("master_admin:monitoring-dashboard"), {}, 200),
        ("monitoring-check", "post", reverse("master_admin:monitoring-check"), {}, 302),
        ("job-list", "get", reverse("master_admin:job-list"), {}, 200),
        ("company-backups", "get", reverse("master_admin:company-backups", args=slug), {}, 200),
        ("company-backup-restore", "get", restore, {}, 200),
        ("company-backup-restore", "post", restore, confirm(company), 302),
        ("company-server", "get", reverse("master_admin:company-server", args=slug), {}, 200),
        ("company-move", "post", reverse("master_admin:company-move", args=slug), MOVE, 302),
        ("server-list", "get", reverse("master_admin:server-list"), {}, 200),
        ("server-state", "post", reverse("master_admin:server-state", args=["local"]), {"state": "open"}, 302),
        # Lifecycle steps last, in an order that leaves the company active again.
        ("company-backup", "post", reverse("master_admin:company-backup", args=slug), {}, 302),
        ("company-suspend", "post", reverse("master_admin:company-suspend", args=slug), {}, 302),
        ("company-archive", "get", reverse("master_admin:company-archive", args=slug), {}, 200),
        ("company-archive", "post", reverse("master_admin:company-archive", args=slug), confirm(company), 302),
        ("company-restore", "post", reverse("master_admin:company-restore", args=slug), {}, 302),
        ("company-resume", "post", reverse("master_admin:company-resume", args=slug), {}, 302),
        ("company-delete", "get", reverse("master_admin:company-delete", args=slug), {}, 200),
    ]


def test_the_matrix_covers_every_master_admin_url(acme):
    named = {pattern.name for pattern in master_admin_urls.urlpatterns if isinstance(pattern, URLPattern)}
    assert named == {name for name, *_rest in every_url(acme)}


def test_it_lets_a_superuser_use_every_url(acme, superuser_client):
    for name, method, url, data, expected in every_url(acme):
        response = getattr(superuser_client, method)(url, data)
        assert response.status_code == expected, (name, method, response.status_code)


def test_it_refuses_staff_who_are_not_superusers(acme, staff_client):
    for name, method, url, data, _expected in every_url(acme):
        response = getattr(staff_client, method)(url, data)
        assert response.status_code == 403, (name, method, response.status_code)
    assert not ImpersonationSession.objects.exists()


def test_it_refuses_a_company_owner(acme, globex, client_for):
    owner = client_for("owner", acme)
    for name, method, url, data, _expected in every_url(globex):
        response = getattr(owner, method)(url, data)
        assert response.status_code == 403, (name, method, response.status_code)
    assert not ImpersonationSession.objects.exists()


def test_it_sends_anonymous_users_to_log_in(acme, client):
    for name, method, url, data, _expected in every_url(acme):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (name, method)
        assert response.url.startswith(reverse("login") + "?next="), (name, response.url)
    assert not ImpersonationSession.objects.exists()


def test_post_only_actions_refuse_get(acme, superuser_client):
    for name, method, url, _data, _expected in every_url(acme):
        if method == "post" and name not in ("company-enter", "company-archive", "company-backup-restore"):
            assert superuser_client.get(url).status_code == 405, name


def test_an_unknown_company_is_404(superuser_client):
    for name in ("company-detail", "company-enter"):
        assert superuser_client.get(reverse(f"master_admin:{name}", args=["no-such-co"])).status_code == 404
    assert superuser_client.post(reverse("master_admin:company-check", args=["no-such-co"])).status_code == 404
