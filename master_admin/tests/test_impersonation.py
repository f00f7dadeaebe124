"""Entering a company's system as a superuser: audited, scoped to one company, and ended on exit,
switch, expiry or logout."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from master_admin.models import ImpersonationSession
from master_admin.services import IMPERSONATION_SESSION_KEY
from subscription.models import Subscription
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctors(acme, globex):
    with use_tenant(acme):
        DoctorFactory(last_name="Acmeyev")
    with use_tenant(globex):
        DoctorFactory(last_name="Globexov")


def open_sessions():
    return ImpersonationSession.objects.filter(ended_at__isnull=True)


def test_it_enters_a_company_and_shows_only_its_data(acme, globex, doctors, superuser, superuser_client, enter):
    response = enter(superuser_client, acme, REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Firefox/140")
    assert response.status_code == 302
    assert response.url == "/"

    home = superuser_client.get("/")
    assert home.status_code == 200
    assert "Acme Pharma" in home.text
    assert "Globex Medical" not in home.text
    assert "Exit impersonation" in home.text
    doctor_list = superuser_client.get(reverse("doctors:doctor-list"))
    assert doctor_list.status_code == 200
    assert "Acmeyev" in doctor_list.text
    assert "Globexov" not in doctor_list.text

    session = ImpersonationSession.objects.get()
    assert (session.superuser, session.company) == (superuser, acme)
    assert session.reason == "Support ticket #42: doctors list looks wrong"
    assert session.ip_address == "10.1.2.3"
    assert session.user_agent == "Firefox/140"
    assert session.expires_at - session.started_at == datetime.timedelta(minutes=60)
    assert session.ended_at is None and not session.read_only
    assert superuser_client.session[IMPERSONATION_SESSION_KEY] == session.pk


def test_a_superuser_inside_a_company_works_as_its_owner(acme, superuser_client, enter):
    enter(superuser_client, acme)
    assert superuser_client.get(reverse("doctors:doctor-create")).status_code == 200
    assert "/settings/" in superuser_client.get("/").text  # the owner's menu


def test_exit_ends_the_session_and_leaves_the_company(acme, doctors, superuser_client, enter):
    enter(superuser_client, acme)
    response = superuser_client.post(reverse("master_admin:impersonation-exit"))
    assert response.status_code == 302
    assert response.url == reverse("master_admin:company-list")

    session = ImpersonationSession.objects.get()
    assert session.end_reason == "exit"
    assert session.ended_at is not None and session.ended_at >= session.started_at
    assert IMPERSONATION_SESSION_KEY not in superuser_client.session
    assert superuser_client.get("/").url == "/master-admin/"
    doctor_list = superuser_client.get(reverse("doctors:doctor-list"))
    assert doctor_list.status_code == 403
    assert "Acmeyev" not in doctor_list.text
    assert "/master-admin/" in doctor_list.text


def test_entering_another_company_ends_the_first_session_as_switched(acme, globex, doctors, superuser_client, enter):
    enter(superuser_client, acme)
    enter(superuser_client, globex, reason="Ticket 43: check Globex's visits")

    doctor_list = superuser_client.get(reverse("doctors:doctor-list"))
    assert "Globexov" in doctor_list.text
    assert "Acmeyev" not in doctor_list.text
    first, second = ImpersonationSession.objects.order_by("started_at", "pk")
    assert (first.company, first.end_reason) == (acme, "switched")
    assert first.ended_at is not None
    assert (second.company, second.ended_at) == (globex, None)
    assert list(open_sessions()) == [second]


def test_an_expired_session_ends_by_itself(acme, doctors, superuser_client, enter):
    enter(superuser_client, acme)
    expired_at = timezone.now() - datetime.timedelta(minutes=1)
    ImpersonationSession.objects.update(expires_at=expired_at)

    assert superuser_client.get("/").url == "/master-admin/"
    doctor_list = superuser_client.get(reverse("doctors:doctor-list"))
    assert "Acmeyev" not in doctor_list.text
    session = ImpersonationSession.objects.get()
    assert (session.end_reason, session.ended_at) == ("expired", expired_at)


def test_logging_out_ends_the_session(acme, superuser_client, enter):
    enter(superuser_client, acme)
    superuser_client.post(reverse("logout"))
    assert ImpersonationSession.objects.get().end_reason == "logout"


def test_every_session_is_logged_with_reason_start_and_end(acme, globex, superuser, superuser_client, enter):
    enter(superuser_client, acme, reason="First look at Acme")
    enter(superuser_client, globex, reason="Then Globex")
    superuser_client.post(reverse("master_admin:impersonation-exit"))

    log = superuser_client.get(reverse("master_admin:impersonation-list"))
    assert log.status_code == 200
    for text in ("First look at Acme", "Then Globex", "Switched to another company", "Exited"):
        assert text in log.text
    assert escape(superuser.get_full_name()) in log.text, "superusers are named, not shown by their login"
    assert all(session.started_at and session.ended_at for session in ImpersonationSession.objects.all())
    only_acme = superuser_client.get(reverse("master_admin:impersonation-list"), {"company": acme.slug})
    assert "First look at Acme" in only_acme.text and "Then Globex" not in only_acme.text
    by_someone_else = superuser_client.get(reverse("master_admin:impersonation-list"), {"superuser": "999999"})
    assert by_someone_else.status_code == 200  # an unknown filter is a form error, not a 500


def test_entering_needs_a_post_with_a_csrf_token(acme, superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    url = reverse("master_admin:company-enter", args=[acme.slug])

    form = client.get(url)
    assert form.status_code == 200
    assert 'name="reason"' in form.text and "csrfmiddlewaretoken" in form.text
    assert not ImpersonationSession.objects.exists()
    assert client.post(url, {"reason": "No token here"}).status_code == 403
    assert not ImpersonationSession.objects.exists()

    token = client.cookies["csrftoken"].value
    response = client.post(url, {"reason": "With a token", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ImpersonationSession.objects.get().reason == "With a token"


def test_a_reason_is_required(acme, superuser_client, enter):
    response = enter(superuser_client, acme, reason="   ")
    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert not ImpersonationSession.objects.exists()
    assert IMPERSONATION_SESSION_KEY not in superuser_client.session


@pytest.mark.parametrize("suspend", ["deactivate", "block"])
def test_a_suspended_company_is_entered_read_only(suspend, acme, doctors, superuser_client, enter):
    if suspend == "deactivate":
        acme.is_active = False
        acme.save()
    else:
        Subscription.objects.filter(company=acme).update(
            status=Subscription.Status.CANCELLED, ends_on=datetime.date.today() - datetime.timedelta(days=90)
        )
    assert enter(superuser_client, acme).status_code == 302
    assert ImpersonationSession.objects.get().read_only

    assert "Acme Pharma" in superuser_client.get("/").text
    assert "Acmeyev" in superuser_client.get(reverse("doctors:doctor-list")).text
    refused = superuser_client.post(reverse("doctors:doctor-create"), {"code": "NEW-1", "last_name": "Yeni"})
    assert refused.status_code == 403
    assert "read-only" in refused.text
    with use_tenant(acme):
        assert not Doctor.objects.filter(code="NEW-1").exists()


def test_the_company_turning_inactive_during_a_session_makes_it_read_only(acme, superuser_client, enter):
    enter(superuser_client, acme)
    acme.is_active = False
    acme.save()
    assert superuser_client.get("/").status_code == 200
    assert superuser_client.post(reverse("doctors:doctor-create"), {"code": "X"}).status_code == 403


def test_a_company_user_cannot_borrow_an_impersonation_session(
    acme, globex, doctors, superuser_client, client_for, enter
):
    enter(superuser_client, acme)
    session_id = ImpersonationSession.objects.get().pk
    owner = client_for("owner", globex)
    stored = owner.session
    stored[IMPERSONATION_SESSION_KEY] = session_id
    stored.save()
    doctor_list = owner.get(reverse("doctors:doctor-list"))
    assert "Globexov" in doctor_list.text
    assert "Acmeyev" not in doctor_list.text


def test_a_page_left_open_for_the_previous_company_cannot_post_into_the_next(acme, globex, doctors, superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)

    def enter_company(company):
        url = reverse("master_admin:company-enter", args=[company.slug])
        client.get(url)
        token = client.cookies["csrftoken"].value
        return client.post(url, {"reason": f"Look at {company.name}", "csrfmiddlewaretoken": token})

    assert enter_company(acme).status_code == 302
    with use_tenant(acme):
        doctor = Doctor.objects.get()
    edit_url = reverse("doctors:doctor-update", args=[doctor.pk])
    client.get(edit_url)
    acme_page_token = client.cookies["csrftoken"].value  # the token in the Acme form a tab keeps open
    assert enter_company(globex).status_code == 302
    response = client.post(edit_url, {"last_name": "Stale tab", "csrfmiddlewaretoken": acme_page_token})
    assert response.status_code == 403
    with use_tenant(globex):
        assert not Doctor.objects.filter(last_name="Stale tab").exists()
