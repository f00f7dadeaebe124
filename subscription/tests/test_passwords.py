"""Passwords: everyone changes their own, resets it by e-mail (in their language), and owners and
superusers set new ones for others."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client

from subscription.tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW = "Kardiomaks-2025!"


def can_log_in(username: str, password: str) -> bool:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def reset_link(message) -> str:
    (url,) = re.findall(r"https?://\S+/accounts/reset/\S+/", message.body)
    return urlparse(url).path


def test_everyone_changes_their_own_password(member, login, acme):
    rep = member("representative", acme, username="rashad", password="old-password")
    client = login(rep)
    assert client.get("/").status_code == 200
    assert 'href="/accounts/password_change/"' in client.get("/").text
    wrong = client.post(
        "/accounts/password_change/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW}
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["old_password"]
    done = client.post(
        "/accounts/password_change/", {"old_password": "old-password", "new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302 and done.url == "/accounts/password_change/done/"
    assert client.get("/").status_code == 200, "the session that changed the password stays signed in"
    assert not can_log_in("rashad", "old-password")
    assert can_log_in("rashad", NEW)


def test_a_password_reset_link_works_once_and_the_old_password_stops(member, acme, client):
    member("manager", acme, username="nigar", email="nigar@example.az", password="old-password")
    page = client.get("/accounts/login/")
    assert 'href="/accounts/password_reset/"' in page.text
    sent = client.post("/accounts/password_reset/", {"email": "NIGAR@example.az"})
    assert sent.status_code == 302 and sent.url == "/accounts/password_reset/done/"
    (message,) = mail.outbox
    assert message.to == ["nigar@example.az"]
    assert "nigar" in message.body

    form_page = client.get(reset_link(message), follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done.url == "/accounts/reset/done/"
    assert not can_log_in("nigar", "old-password")
    assert can_log_in("nigar", NEW)

    again = Client().get(reset_link(message), follow=True)
    assert not again.context["validlink"]
    assert "invalid" in again.text


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, db):
    sent = client.post("/accounts/password_reset/", {"email": "nobody@example.az"})
    assert sent.status_code == 302 and sent.url == "/accounts/password_reset/done/"
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("az", ["Növbəti səhifəyə keçid alın və yeni şifrəni seçin", "İstifadəçi adı"]),
        ("ru", ["Пожалуйста, перейдите на эту страницу и введите новый пароль", "Имя пользователя"]),
        ("en", ["Please go to the following page and choose a new password", "Username"]),
    ],
)
def test_the_reset_mail_speaks_the_users_profile_language(language, words, acme, client):
    user = UserFactory(username="leyla", email="leyla@example.az")
    ProfileFactory(user=user, company=acme, role="viewer", language=language)
    client.post("/accounts/password_reset/", {"email": "leyla@example.az"}, HTTP_ACCEPT_LANGUAGE="en")
    (message,) = mail.outbox
    for word in words:
        assert word in message.body


def test_a_superuser_sets_anyones_password_in_the_admin(member, acme, superuser_client):
    user = member("viewer", acme, username="samir", password="old-password")
    page = superuser_client.get(f"/admin/auth/user/{user.pk}/password/")
    assert page.status_code == 200
    data = {"password1": NEW, "password2": NEW, "usable_password": "true"}
    response = superuser_client.post(f"/admin/auth/user/{user.pk}/password/", data)
    assert response.status_code == 302
    assert not can_log_in("samir", "old-password")
    assert can_log_in("samir", NEW)
