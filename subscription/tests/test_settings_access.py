"""Settings are the owner's: other roles get 403, anonymous visitors log in, outsiders see their own company."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "settings:company-edit",
    "settings:user-list",
    "settings:user-create",
    "settings:subscription-detail",
    "export:data-export",
]


@pytest.fixture
def login(member):
    def make(role, company):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(member(role, company))
        return client

    return make


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["manager", "representative", "viewer"])
def test_only_the_owner_may_open_settings(acme, login, role):
    client = login(role, acme)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.post(reverse("settings:company-edit"), {"name": "Taken over"}).status_code == 403
    assert "/settings/" not in client.get("/").text


def test_the_owner_opens_every_settings_page(acme, login):
    client = login("owner", acme)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    assert 'href="/settings/"' in client.get("/").text


@pytest.mark.parametrize("name", PAGES[:-1])
def test_settings_pages_render_in_azerbaijani(acme, member, client, name):
    client.force_login(member("owner", acme))
    client.cookies["django_language"] = "az"
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert 'lang="az"' in response.text


def test_the_profile_page_shows_the_owners_own_company(acme, globex, login):
    page = login("owner", globex).get(reverse("settings:company-edit"))
    assert 'value="Globex Medical"' in page.text
    assert "Acme Pharma" not in page.text
