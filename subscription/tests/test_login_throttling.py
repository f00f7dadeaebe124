"""Login throttling: a username, and an address, are locked out after LOGIN_FAILURE_LIMIT failures."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from subscription.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
LIMIT = settings.LOGIN_FAILURE_LIMIT


def attempt(username: str, password: str, *, ip: str = "10.0.0.1", client: Client | None = None, **extra):
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def fail(username: str, times: int = LIMIT, **kwargs) -> None:
    """`times` wrong passwords: form errors, until the one that reaches the limit gets the lockout page."""
    for number in range(1, times + 1):
        response = attempt(username, "wrong", **kwargs)
        assert response.status_code == (429 if number == LIMIT else 200)


@pytest.fixture
def nigar():
    return UserFactory(username="nigar", password="right-password")


def test_the_limit_and_the_cool_off_come_from_the_settings():
    assert settings.AXES_FAILURE_LIMIT == settings.LOGIN_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    assert settings.LOGIN_LOCKOUT_MINUTES == 15


def test_it_locks_a_username_out_after_the_limit_even_with_the_right_password(nigar):
    fail("nigar", LIMIT - 1)
    assert logged_in(attempt("nigar", "right-password")), "under the limit the right password works"
    assert attempt("nigar", "wrong").status_code == 429, "a success in between does not wipe the count"
    refused = attempt("nigar", "right-password")
    assert refused.status_code == 429
    assert not logged_in(refused)
    assert "Too many failed logins" in refused.text
    assert "Try again after" in refused.text
    assert settings.LOGIN_LOCKOUT_MINUTES * 60 - 5 <= int(refused["Retry-After"]) <= settings.LOGIN_LOCKOUT_MINUTES * 60
    # The username is locked from any address.
    assert attempt("nigar", "right-password", ip="10.9.9.9").status_code == 429


def test_the_lockout_ends_after_the_cool_off(nigar):
    fail("nigar")
    assert attempt("nigar", "right-password").status_code == 429
    past = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    for row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=row.pk).update(attempt_time=row.attempt_time - past)
    assert logged_in(attempt("nigar", "right-password"))


def test_an_address_is_locked_out_whatever_the_usernames(nigar):
    UserFactory(username="accomplice", password="own-password")
    for number in range(LIMIT):
        attempt(f"guess{number}", "wrong", ip="10.6.6.6")
        if number == 1:
            # A login of one's own account between guesses does not clear the address.
            assert logged_in(attempt("accomplice", "own-password", ip="10.6.6.6"))
    assert attempt("nigar", "right-password", ip="10.6.6.6").status_code == 429
    assert logged_in(attempt("nigar", "right-password", ip="10.7.7.7"))


def test_a_superuser_unlocks_from_the_admin(nigar, superuser_client):
    fail("nigar")
    assert attempt("nigar", "right-password").status_code == 429
    listing = superuser_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "nigar" in listing.text
    ids = list(AccessAttempt.objects.filter(username="nigar").values_list("pk", flat=True))
    unlock = superuser_client.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert unlock.status_code == 302
    assert logged_in(attempt("nigar", "right-password"))


def test_behind_the_proxy_the_address_is_the_one_the_proxy_added(nigar, settings):
    settings.BEHIND_PROXY = True
    for number in range(LIMIT):
        # The client claims another address in front; the proxy (127.0.0.1) appends the real one.
        attempt("someone", "wrong", ip="127.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 203.0.113.7")
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").exists()
    locked = attempt("nigar", "right-password", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked.status_code == 429
    assert logged_in(attempt("nigar", "right-password", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8"))


def test_without_the_proxy_setting_a_forwarded_address_is_ignored(nigar):
    for number in range(LIMIT):
        attempt(f"guess{number}", "wrong", ip="10.6.6.6", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.6.6.6"}
    assert attempt("nigar", "right-password", ip="10.6.6.6", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_failed_logins_are_logged_with_the_username_and_the_address(nigar, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        attempt("nigar", "wrong-password-1", ip="10.4.4.4")
    (line,) = [record.getMessage() for record in caplog.records if record.name.startswith("axes")]
    assert "login failure" in line
    assert '"nigar"' in line and '"10.4.4.4"' in line
    assert "wrong-password-1" not in caplog.text
