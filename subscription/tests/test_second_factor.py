"""With SUPERUSER_2FA on, superusers confirm a TOTP code before /admin/, /master-admin/ and a company.

Codes are computed here from the device's secret with django-otp's own TOTP, as a phone would.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from master_admin.services import IMPERSONATION_SESSION_KEY, impersonation_start

pytestmark = pytest.mark.django_db
GATED = ["/admin/", "/master-admin/", "/master-admin/impersonations/"]


def code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the authenticator shows now (or `steps_ahead` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.SUPERUSER_2FA = True
    # A wrong code slows the device down for a second or more (tested on its own below).
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0


def enrol(client: Client, user) -> list[str]:
    page = client.get(reverse("second-factor-enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("second-factor-enrol"), {"token": code(device), "next": "/admin/"})
    assert response.status_code == 200
    return response.context["codes"]


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", GATED)
def test_a_superuser_without_an_authenticator_is_sent_to_enrol(path, superuser_client):
    response = superuser_client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("second-factor-enrol"))


def test_enrolment_shows_a_qr_code_and_the_secret_and_recovery_codes_once(superuser, superuser_client):
    page = superuser_client.get(reverse("second-factor-enrol"), {"next": "/master-admin/"})
    assert "<svg" in page.text and "<path" in page.text
    device = TOTPDevice.objects.get(user=superuser, confirmed=False)
    secret = page.context["secret"].replace(" ", "")
    assert secret in device.config_url and f'<code id="secret" class="fs-6">{page.context["secret"]}' in page.text

    wrong = superuser_client.post(reverse("second-factor-enrol"), {"token": "000000"})
    assert wrong.context["form"].errors["token"]
    assert superuser_client.get("/admin/").status_code == 302

    done = superuser_client.post(reverse("second-factor-enrol"), {"token": code(device), "next": "/master-admin/"})
    codes = done.context["codes"]
    assert len(codes) == 10 and all(recovery in done.text for recovery in codes)
    assert TOTPDevice.objects.get(user=superuser).confirmed
    for path in GATED:
        assert superuser_client.get(path).status_code == 200
    assert not any(recovery in superuser_client.get("/admin/").text for recovery in codes)


def test_a_new_login_session_confirms_a_code_before_the_admin(superuser, superuser_client):
    enrol(superuser_client, superuser)
    device = TOTPDevice.objects.get(user=superuser)
    later = signed_in(superuser)
    for path in GATED:
        response = later.get(path)
        assert response.status_code == 302 and response.url.startswith(reverse("second-factor-verify"))
    wrong = later.post(reverse("second-factor-verify"), {"token": "123456", "next": "/admin/"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["token"]
    right = later.post(reverse("second-factor-verify"), {"token": code(device, steps_ahead=1), "next": "/admin/"})
    assert right.status_code == 302 and right.url == "/admin/"
    assert later.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(superuser, superuser_client):
    recovery = enrol(superuser_client, superuser)[0]
    first = signed_in(superuser)
    assert first.post(reverse("second-factor-verify"), {"token": recovery, "next": "/admin/"}).status_code == 302
    assert first.get("/admin/").status_code == 200
    second = signed_in(superuser)
    again = second.post(reverse("second-factor-verify"), {"token": recovery, "next": "/admin/"})
    assert again.status_code == 200
    assert second.get("/admin/").status_code == 302
    assert StaticToken.objects.filter(device__user=superuser).count() == 9


def test_a_password_alone_cannot_enrol_another_phone(superuser, superuser_client):
    enrol(superuser_client, superuser)
    thief = signed_in(superuser)
    response = thief.get(reverse("second-factor-enrol"))
    assert response.status_code == 302 and response.url.startswith(reverse("second-factor-verify"))
    assert TOTPDevice.objects.filter(user=superuser).count() == 1


def test_impersonation_needs_the_second_factor(acme, superuser, superuser_client):
    enrol(superuser_client, superuser)
    session = impersonation_start(superuser=superuser, company=acme, reason="Support ticket #7")
    other = signed_in(superuser)
    stored = other.session
    stored[IMPERSONATION_SESSION_KEY] = session.pk
    stored.save()
    response = other.get("/doctors/")
    assert response.status_code == 302 and response.url.startswith(reverse("second-factor-verify"))
    enter = other.post(reverse("master_admin:company-enter", args=[acme.slug]), {"reason": "Support ticket #8"})
    assert enter.status_code == 302 and enter.url.startswith(reverse("second-factor-verify"))
    device = TOTPDevice.objects.get(user=superuser)
    other.post(reverse("second-factor-verify"), {"token": code(device, steps_ahead=1), "next": "/doctors/"})
    assert other.get("/doctors/").status_code == 200


def test_company_users_are_never_asked(acme, role_client):
    client = role_client("owner", acme)
    assert client.get("/").status_code == 200
    assert client.get("/settings/").status_code == 200
    assert client.get(reverse("second-factor-verify")).status_code == 403


def test_with_the_setting_off_the_admin_opens_with_the_password_alone(superuser_client, settings):
    settings.SUPERUSER_2FA = False
    assert superuser_client.get("/admin/").status_code == 200
    assert superuser_client.get("/master-admin/").status_code == 200


def test_after_a_wrong_code_even_the_right_one_waits(superuser, superuser_client, settings):
    enrol(superuser_client, superuser)
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 60
    device = TOTPDevice.objects.get(user=superuser)
    later = signed_in(superuser)
    later.post(reverse("second-factor-verify"), {"token": "000000"})
    throttled = later.post(reverse("second-factor-verify"), {"token": code(device, steps_ahead=1)})
    assert throttled.status_code == 200
    assert "Too many wrong codes" in throttled.text
    assert later.get("/admin/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(superuser, superuser_client):
    old = enrol(superuser_client, superuser)
    assert reverse("second-factor-recovery-codes") in superuser_client.get("/master-admin/").text
    page = superuser_client.post(reverse("second-factor-recovery-codes"), {"next": "/master-admin/"})
    new = page.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    later = signed_in(superuser)
    assert later.post(reverse("second-factor-verify"), {"token": old[1]}).status_code == 200
    assert later.post(reverse("second-factor-verify"), {"token": new[1]}).status_code == 302
    unconfirmed = signed_in(superuser)
    refused = unconfirmed.post(reverse("second-factor-recovery-codes"))
    assert refused.status_code == 302 and refused.url.startswith(reverse("second-factor-verify"))
