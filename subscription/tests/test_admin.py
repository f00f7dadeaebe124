"""The Django admin: master data only, for superusers only; companies get their database on creation."""

import datetime

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from subscription.models import Company, Subscription, SubscriptionPlan, TenantSchemaState
from subscription.provisioning import tenant_database_drop
from subscription.storage.sqlite import tenant_database_path
from subscription.tenancy import MASTER_APPS, TENANT_APPS
from subscription.tests.factories import PlanFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def company_form(slug: str, plan: SubscriptionPlan, **overrides) -> dict:
    prefix = "subscriptions"
    return {
        "name": "Xəzər Farma",
        "slug": slug,
        "is_active": "on",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "address": "",
        "tax_id": "",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-plan": str(plan.pk),
        f"{prefix}-0-status": "active",
        f"{prefix}-0-starts_on": datetime.date.today().isoformat(),
        f"{prefix}-0-ends_on": "",
        **overrides,
    }


def test_no_tenant_model_is_registered():
    labels = {model._meta.app_label for model in admin.site._registry}
    assert not labels & TENANT_APPS
    assert labels <= MASTER_APPS


def test_only_superusers_may_use_the_admin(superuser_client):
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=False))
    assert staff.get(reverse("admin:index")).status_code == 302  # to the admin's login
    assert staff.get(reverse("admin:subscription_company_changelist")).status_code == 302
    assert superuser_client.get(reverse("admin:index")).status_code == 200


def test_creating_a_company_in_the_admin_makes_its_database(superuser_client, django_capture_on_commit_callbacks):
    plan = PlanFactory()
    slug = "xezer-farma"
    try:
        # The database is built when the admin's master transaction commits.
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = superuser_client.post(reverse("admin:subscription_company_add"), company_form(slug, plan))
        assert response.status_code == 302, response.context["errors"] if response.context else response
        assert len(callbacks) == 1
        company = Company.objects.get(slug=slug)
        assert company.lifecycle == Company.Lifecycle.ACTIVE
        assert tenant_database_path(slug).exists()
        assert TenantSchemaState.objects.filter(company=company).exists()
        assert Subscription.objects.get(company=company).plan == plan
        listing = superuser_client.get(reverse("admin:subscription_company_changelist"))
        assert "up to date" in listing.text
    finally:
        company = Company.objects.filter(slug=slug).first()
        if company is not None:
            tenant_database_drop(company)


def test_a_company_code_whose_database_exists_is_refused(acme, superuser_client):
    response = superuser_client.post(
        reverse("admin:subscription_company_add"), company_form(acme.slug, PlanFactory(), name="Copy")
    )
    assert response.status_code == 200
    assert Company.objects.filter(slug=acme.slug).count() == 1


def test_a_bad_company_code_is_a_form_error(superuser_client):
    response = superuser_client.post(reverse("admin:subscription_company_add"), company_form("../etc", PlanFactory()))
    assert response.status_code == 200
    assert not Company.objects.filter(slug="../etc").exists()


def test_the_company_list_shows_each_database_state(company_factory, superuser_client):
    company_factory(name="Ready Co")
    gone = company_factory(name="Gone Co")
    tenant_database_path(gone.slug).unlink()
    behind = company_factory(name="Behind Co")
    behind.schema_state.tenant_migration_key = "old"
    behind.schema_state.save()
    text = superuser_client.get(reverse("admin:subscription_company_changelist")).text

    def row(name):
        start = text.index(name)
        return text[start : text.index("</tr>", start)]

    assert "up to date" in row("Ready Co") and "KB" in row("Ready Co")
    assert "no file" in row("Gone Co") and "missing" in row("Gone Co")
    assert "behind" in row("Behind Co")
    assert "Business" in row("Ready Co")  # the current plan


def test_a_company_is_deactivated_not_deleted(acme, superuser_client):
    response = superuser_client.get(reverse("admin:subscription_company_delete", args=[acme.pk]))
    assert response.status_code == 403
    assert tenant_database_path(acme.slug).exists()


def test_users_are_edited_with_their_profile(acme, superuser_client):
    profile = ProfileFactory(company=acme, role="manager")
    page = superuser_client.get(reverse("admin:auth_user_change", args=[profile.user.pk]))
    assert page.status_code == 200
    assert 'name="profile-0-company"' in page.text and 'name="profile-0-role"' in page.text
    listing = superuser_client.get(reverse("admin:auth_user_changelist"))
    assert "Acme Pharma" in listing.text


def test_plans_are_listed(superuser_client):
    PlanFactory(name="Enterprise", code="enterprise")
    assert "Enterprise" in superuser_client.get(reverse("admin:subscription_subscriptionplan_changelist")).text
