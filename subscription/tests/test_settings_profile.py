"""The company profile and the subscription page of the settings."""

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


@pytest.fixture
def owner_client(acme, member):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member("owner", acme))
    return client


def test_the_owner_changes_the_company_profile(acme, owner_client):
    response = owner_client.post(reverse("settings:company-edit"), PROFILE)

    assert response.status_code == 302
    stored = Company.objects.get(pk=acme.pk)
    assert {field: getattr(stored, field) for field in PROFILE} == PROFILE
    assert "Acme Pharma MMC" in owner_client.get(reverse("settings:company-edit")).text


def test_the_code_cannot_be_changed_here(acme, owner_client):
    owner_client.post(reverse("settings:company-edit"), {**PROFILE, "slug": "hijacked"})
    assert Company.objects.get(pk=acme.pk).slug == acme.slug


def test_bad_values_are_form_errors(acme, owner_client):
    response = owner_client.post(
        reverse("settings:company-edit"), {**PROFILE, "name": "", "contact_email": "nope", "contact_phone": "123"}
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
    assert owner_client.post(reverse("settings:company-edit"), PROFILE).status_code == 403
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
