"""An owner sets a new password for a user of their company; never for another company's user."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
NEW = "Kardiomaks-2025!"


def url(user_or_pk) -> str:
    return reverse("settings:user-password", args=[getattr(user_or_pk, "pk", user_or_pk)])


def can_log_in(username: str, password: str) -> bool:
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


def password_of(user) -> str:
    return get_user_model().objects.get(pk=user.pk).password


def test_it_sets_a_members_password_and_ends_their_sessions(acme, member, role_client):
    owner = role_client("owner", acme)
    rep = member("representative", acme, username="rashad", password="old-password")
    rep_session = Client()
    rep_session.force_login(rep)
    assert rep_session.get("/").status_code == 200

    users = owner.get(reverse("settings:user-list"))
    assert url(rep) in users.text
    response = owner.post(url(rep), {"password1": NEW, "password2": NEW}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("settings:user-list")
    assert "has a new password" in response.text
    assert not can_log_in("rashad", "old-password")
    assert can_log_in("rashad", NEW)
    assert rep_session.get("/").status_code == 302, "the member's open session has ended"


def test_another_companys_user_is_not_found_and_keeps_their_password(acme, globex, member, role_client):
    outsider = member("manager", globex, username="outsider", password="old-password")
    before = password_of(outsider)
    owner = role_client("owner", acme)
    assert owner.get(url(outsider)).status_code == 404
    assert owner.post(url(outsider), {"password1": NEW, "password2": NEW}).status_code == 404
    assert password_of(outsider) == before
    assert can_log_in("outsider", "old-password")


@pytest.mark.parametrize("role", ["manager", "representative", "viewer"])
def test_only_owners_set_passwords(role, acme, member, role_client):
    victim = member("viewer", acme)
    before = password_of(victim)
    client = role_client(role, acme)
    assert client.get(url(victim)).status_code == 403
    assert client.post(url(victim), {"password1": NEW, "password2": NEW}).status_code == 403
    assert password_of(victim) == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password1": "12345678", "password2": "12345678"}, "password1"),  # common and numeric
        ({"password1": NEW, "password2": NEW + "x"}, "password2"),
        ({"password1": "", "password2": ""}, "password1"),
    ],
)
def test_a_weak_or_mistyped_password_is_a_form_error(data, field, acme, member, role_client):
    victim = member("viewer", acme)
    before = password_of(victim)
    response = role_client("owner", acme).post(url(victim), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert password_of(victim) == before


def test_an_owner_changes_their_own_password_on_the_password_change_page(acme, member, login):
    owner = member("owner", acme)
    before = password_of(owner)
    response = login(owner).post(url(owner), {"password1": NEW, "password2": NEW})
    assert response.status_code == 200
    assert "Change password" in response.context["form"].non_field_errors()[0]
    assert password_of(owner) == before


@pytest.mark.parametrize("pk", ["9223372036854775808", "9" * 40, "0"])
def test_an_id_no_database_holds_is_not_found(pk, acme, role_client):
    owner = role_client("owner", acme)
    for action in ("password", "role", "deactivate", "reactivate"):
        path = f"/settings/users/{pk}/{action}/"
        assert owner.get(path).status_code in (404, 405)
        assert owner.post(path).status_code == 404
