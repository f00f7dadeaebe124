"""The interface speaks Azerbaijani (the default) and Russian, with no English left on the main pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from doctors.tests.factories import DoctorFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
PAGES = [
    "/",
    "/doctors/",
    "/doctors/add/",
    "/patients/",
    "/appointments/",
    "/appointments/upcoming/",
    "/sales/",
    "/sales/products/",
    "/sales/import/",
    "/payments/",
    "/reports/",
    "/settings/",
]
ENGLISH_LEFTOVERS = ["Doctors", "Patients", "Payments", "Reports", "Settings", "Log out", "Search", "Dashboard"]


def untranslated(language: str) -> list[str]:
    text = Path(settings.BASE_DIR, "locale", language, "LC_MESSAGES", "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    return [entry for entry in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', entry, re.MULTILINE)]


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_message_is_translated(language):
    assert untranslated(language) == []
    assert Path(settings.BASE_DIR, "locale", language, "LC_MESSAGES", "django.mo").exists()


@pytest.mark.parametrize("path", PAGES)
def test_main_pages_render_in_azerbaijani_without_english_leftovers(path, client_for, acme):
    with use_tenant(acme):
        DoctorFactory(last_name="Əliyev")
    client = client_for("owner", acme)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "az"
    response = client.get(path)
    assert response.status_code == 200
    assert 'lang="az"' in response.text
    assert "Həkimlər" in response.text
    text = re.sub(r"<[^>]+>", " ", response.text)
    assert [word for word in ENGLISH_LEFTOVERS if re.search(rf"\b{word}\b", text)] == []


def test_a_page_switches_to_russian(client_for, acme):
    client = client_for("manager", acme)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get("/doctors/")
    assert "Врачи" in response.text


def test_a_user_gets_their_profile_language_until_they_pick_another(member, client, acme):
    user = member("manager", acme)
    user.profile.language = "ru"
    user.profile.save()
    client.force_login(user)
    assert "Врачи" in client.get("/doctors/", HTTP_ACCEPT_LANGUAGE="en").text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "az"
    assert "Həkimlər" in client.get("/doctors/", HTTP_ACCEPT_LANGUAGE="en").text
