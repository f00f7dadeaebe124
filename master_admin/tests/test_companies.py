"""The company list and detail pages of the master admin."""

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory
from master_admin.services import platform_stats_refresh
from subscription.models import Subscription, SubscriptionPlan
from subscription.storage.sqlite import tenant_database_path
from subscription.tenancy import use_tenant
from subscription.tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(acme, globex):
    with use_tenant(acme):
        for doctor in DoctorFactory.create_batch(3):
            AppointmentFactory(doctor=doctor, planned_start=timezone.now())
    for _n in range(2):
        ProfileFactory(company=acme, user=UserFactory(password="!"))
    platform_stats_refresh()
    return acme


def row_of(text: str, name: str) -> str:
    start = text.index(f">{name}</a>")
    return text[start : text.index("</tr>", start)]


def test_it_lists_every_company_with_its_figures(counted, globex, superuser_client):
    page = superuser_client.get(reverse("master_admin:company-list"))
    assert page.status_code == 200
    acme_row = row_of(page.text, "Acme Pharma")
    for text in ("Business", "Active", ">2<", ">3<", "up to date"):
        assert text in acme_row, text
    assert "KB" in acme_row  # the database size
    assert "Globex Medical" in page.text


def test_it_shows_each_schema_state(company_factory, superuser_client):
    current, behind, missing, failed = (
        company_factory(name=name) for name in ("Current", "Behind", "Missing", "Failed")
    )
    behind.schema_state.tenant_migration_key = "an-older-state"
    behind.schema_state.save()
    tenant_database_path(missing.slug).unlink()
    failed.schema_state.last_error = "OperationalError: disk I/O error"
    failed.schema_state.save()

    page = superuser_client.get(reverse("master_admin:company-list")).text
    assert "up to date" in row_of(page, "Current")
    assert "behind" in row_of(page, "Behind")
    assert "missing" in row_of(page, "Missing")
    assert "error" in row_of(page, "Failed")
    only_behind = superuser_client.get(reverse("master_admin:company-list"), {"state": "behind"}).text
    assert "Behind" in only_behind and "Current" not in only_behind


def test_it_searches_and_filters(company_factory, superuser_client):
    starter = SubscriptionPlan.objects.create(code="starter", name="Starter", price_monthly=49)
    company_factory(name="Şəki Farm", plan=starter, status=Subscription.Status.TRIAL)
    company_factory(name="Bakı Med", is_active=False)
    url = reverse("master_admin:company-list")

    def names(**params):
        text = superuser_client.get(url, params).text
        return {name for name in ("Şəki Farm", "Bakı Med") if f">{name}</a>" in text}

    assert names(q="şəki") == {"Şəki Farm"}
    assert names(plan="starter") == {"Şəki Farm"}
    assert names(status="trial") == {"Şəki Farm"}
    assert names(status="active") == {"Bakı Med"}
    assert names(active="no") == {"Bakı Med"}
    assert names(sort="-name") == {"Şəki Farm", "Bakı Med"}


def test_bad_filters_are_a_form_error_not_a_500(acme, superuser_client):
    response = superuser_client.get(
        reverse("master_admin:company-list"), {"plan": "no-such-plan", "state": "melted", "sort": "x", "page": "abc"}
    )
    assert response.status_code == 200
    assert "Acme Pharma" in response.text
    assert "were not understood" in response.text


def test_the_detail_page_shows_the_company(counted, superuser_client):
    page = superuser_client.get(reverse("master_admin:company-detail", args=[counted.slug]))
    assert page.status_code == 200
    for text in ("Acme Pharma", "Enter company system", "Business", "up to date", "<svg"):
        assert text in page.text, text
    assert reverse("master_admin:company-enter", args=[counted.slug]) in page.text


def test_the_detail_page_card_shows_the_plan_and_end_of_subscription(company_factory, superuser_client):
    starter = SubscriptionPlan.objects.create(code="starter", name="Starter", price_monthly=49)
    company = company_factory(name="Şəki Farm", plan=starter)
    company.subscriptions.update(ends_on=timezone.localdate().replace(year=2031, month=3, day=31))
    page = superuser_client.get(reverse("master_admin:company-detail", args=[company.slug])).text
    card = page[page.index(">Company</h2>") : page.index("</dl>")]
    assert '<dd class="col-7">Starter</dd>' in card
    assert "until 31.03.2031" in card


def test_recounting_one_company_updates_its_figures(acme, superuser_client):
    platform_stats_refresh(companies=[acme])
    with use_tenant(acme):
        DoctorFactory.create_batch(2)
    response = superuser_client.post(reverse("master_admin:company-refresh", args=[acme.slug]))
    assert response.status_code == 302
    acme.stats_snapshot.refresh_from_db()
    assert acme.stats_snapshot.doctors == 2
