"""The company profile and the subscription page of the settings."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from doctors.tests.factories import DoctorFactory
from subscription.models import Company, Subscription
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Acme Pharma MMC",
    "contact_name": "Leyla Həsənova",
    "contact_email": "office@acme.az",
    "contact_phone": "+994 12 555 44 33",
    "address": "Bakı, Nizami küç. 10",
    "tax_id": "1234567891",
}
SETTINGS = {
    "currency_display": "symbol",
    "owner_approval_above": "",
    "doctor_code_prefix": "D",
    "doctor_code_digits": "4",
}


@pytest.fixture
def owner_client(acme, member):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member("owner", acme))
    return client


def test_the_owner_changes_the_company_profile(acme, owner_client):
    response = owner_client.post(reverse("settings:company-edit"), {**PROFILE, **SETTINGS})

    assert response.status_code == 302
    stored = Company.objects.get(pk=acme.pk)
    assert {field: getattr(stored, field) for field in PROFILE} == PROFILE
    assert "Acme Pharma MMC" in owner_client.get(reverse("settings:company-edit")).text


def test_the_code_cannot_be_changed_here(acme, owner_client):
    owner_client.post(reverse("settings:company-edit"), {**PROFILE, **SETTINGS, "slug": "hijacked"})
    assert Company.objects.get(pk=acme.pk).slug == acme.slug


def test_bad_values_are_form_errors(acme, owner_client):
    response = owner_client.post(
        reverse("settings:company-edit"),
        {**PROFILE, **SETTINGS, "name": "", "contact_email": "nope", "contact_phone": "123"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "contact_email", "contact_phone"}
    assert Company.objects.get(pk=acme.pk).name == "Acme Pharma"
    assert "Acme Pharma" in response.text  # the navigation still names the stored company


def test_a_read_only_company_shows_the_profile_without_saving(acme, owner_client):
    Subscription.objects.filter(company=acme).update(status=Subscription.Status.PAST_DUE)
    page = owner_client.get(reverse("settings:company-edit"))
    assert page.status_code == 200
    assert "<fieldset disabled>" in page.text
    assert owner_client.post(reverse("settings:company-edit"), {**PROFILE, **SETTINGS}).status_code == 403
    assert Company.objects.get(pk=acme.pk).name == "Acme Pharma"


def test_the_subscription_page_shows_plan_dates_limits_and_usage(acme, member, owner_client):
    member("manager", acme)
    member("viewer", acme, is_active=False)
    with use_tenant(acme):
        DoctorFactory.create_batch(3)
        DoctorFactory(is_active=False)
    subscription = acme.current_subscription()

    page = owner_client.get(reverse("settings:subscription-detail"))

    usage = {entry.limit.key: (entry.in_use, entry.cap) for entry in page.context["usage"]}
    assert usage == {
        "users": (2, subscription.plan.max_users),
        "doctors": (3, subscription.plan.max_doctors),
    }
    assert subscription.plan.name in page.text
    assert "Active" in page.text
    assert page.context["subscription"] == subscription


@pytest.mark.parametrize(
    ("typed", "stored"), [("1 500,50", Decimal("1500.50")), ("1500.50", Decimal("1500.50")), ("", None)]
)
def test_the_owner_sets_the_company_settings(acme, owner_client, typed, stored):
    changes = {
        "currency_display": "code",
        "owner_approval_above": typed,
        "doctor_code_prefix": "hk-",
        "doctor_code_digits": "5",
    }
    response = owner_client.post(reverse("settings:company-edit"), {**PROFILE, **changes})

    assert response.status_code == 302
    company = Company.objects.get(pk=acme.pk)
    assert (company.currency_display, company.owner_approval_above) == ("code", stored)
    assert (company.doctor_code_prefix, company.doctor_code_digits) == ("HK-", 5)


@pytest.mark.parametrize(
    ("field", "value"),
    [("owner_approval_above", "1,500,50"), ("doctor_code_prefix", "D 1"), ("doctor_code_digits", "12")],
)
def test_a_bad_setting_is_a_form_error_and_changes_nothing(acme, owner_client, field, value):
    response = owner_client.post(reverse("settings:company-edit"), {**PROFILE, **SETTINGS, field: value})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}
    assert Company.objects.get(pk=acme.pk).name == "Acme Pharma"
