"""Platform analytics: per-company figures counted into snapshots, summed without opening databases."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from master_admin.models import TenantStatsSnapshot
from master_admin.selectors import month_key, platform_analytics
from master_admin.services import platform_stats_refresh
from sales.models import Sale
from sales.tests.factories import SaleFactory
from subscription.models import Subscription, SubscriptionPlan
from subscription.storage.sqlite import tenant_database_path
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_companies(company_factory):
    """Three companies with different amounts of activity, this month and earlier."""
    companies = [company_factory(name=f"Analytics {n}") for n in range(3)]
    earlier = timezone.now() - datetime.timedelta(days=62)
    for n, company in enumerate(companies):
        with use_tenant(company):
            doctors = DoctorFactory.create_batch(n + 2)
            DoctorFactory(is_active=False)
            for doctor in doctors:
                AppointmentFactory(doctor=doctor, planned_start=timezone.now())
            AppointmentFactory.create_batch(n, doctor=doctors[0], planned_start=earlier)
            SaleFactory.create_batch(n + 1, quantity=n + 3)
            SaleFactory(date=earlier.date(), quantity=5)
            SaleFactory(currency="USD", quantity=100)  # not AZN: counted as a line, not in the AZN sum
    return companies


def counted_directly(companies) -> dict:
    """The figures, summed straight from each company's database."""
    totals = {"doctors": 0, "visits": 0, "sales": 0, "sales_amount": Decimal("0"), "visits_this_month": 0}
    this_month = timezone.localdate().replace(day=1)
    for company in companies:
        with use_tenant(company):
            totals["doctors"] += Doctor.objects.count()
            totals["visits"] += Appointment.objects.count()
            totals["visits_this_month"] += Appointment.objects.filter(planned_start__date__gte=this_month).count()
            totals["sales"] += Sale.objects.count()
            totals["sales_amount"] += Sale.objects.filter(currency="AZN").aggregate(s=Sum("amount"))["s"] or 0
    return totals


def test_the_figures_equal_the_sums_of_the_company_databases(three_companies, superuser_client):
    probes = platform_stats_refresh(jobs=3)
    assert all(probe.ok for probe in probes) and len(probes) == 3

    expected = counted_directly(three_companies)
    figures = platform_analytics()
    assert figures.doctors == expected["doctors"]
    assert figures.visits == expected["visits"]
    assert figures.sales == expected["sales"]
    assert figures.sales_amount == expected["sales_amount"]
    assert figures.visits_by_month[-1] == expected["visits_this_month"]
    assert sum(figures.visits_by_month) == expected["visits"]
    assert sum(figures.sales_by_month) == expected["sales_amount"]
    assert sum(figures.new_doctors) == expected["doctors"]

    page = superuser_client.get(reverse("master_admin:analytics-dashboard"))
    assert page.status_code == 200
    assert f'id="total-doctors">{expected["doctors"]}<' in page.text
    assert f'id="total-visits">{expected["visits"]}<' in page.text
    assert "<svg" in page.text


def test_serial_and_parallel_refreshes_agree(three_companies):
    platform_stats_refresh(jobs=1)
    serial = {
        s.company_id: (s.doctors, s.visits, s.sales, s.sales_amount, s.monthly)
        for s in TenantStatsSnapshot.objects.all()
    }
    platform_stats_refresh(jobs=3)
    parallel = {
        s.company_id: (s.doctors, s.visits, s.sales, s.sales_amount, s.monthly)
        for s in TenantStatsSnapshot.objects.all()
    }
    assert serial == parallel
    assert all(getattr(connections._connections, c.database_alias, None) is None for c in three_companies)


def test_companies_by_plan_status_and_recurring_revenue(company_factory):
    starter = SubscriptionPlan.objects.create(code="starter", name="Starter", price_monthly=Decimal("49.00"))
    business = SubscriptionPlan.objects.create(code="biz", name="Biz", price_monthly=Decimal("199.00"))
    company_factory(plan=starter, status=Subscription.Status.ACTIVE)
    company_factory(plan=business, status=Subscription.Status.ACTIVE)
    company_factory(plan=business, status=Subscription.Status.TRIAL)
    company_factory(plan=business, status=Subscription.Status.PAST_DUE)
    company_factory(plan=business, status=Subscription.Status.ACTIVE, is_active=False)
    ended = company_factory(plan=starter, status=Subscription.Status.ACTIVE)
    Subscription.objects.filter(company=ended).update(ends_on=timezone.localdate() - datetime.timedelta(days=1))

    figures = platform_analytics()
    assert figures.mrr == Decimal("49.00") + Decimal("199.00")
    assert figures.mrr_by_plan == {"Starter": Decimal("49.00"), "Biz": Decimal("199.00")}
    assert figures.by_plan == {"Starter": 2, "Biz": 4}
    assert figures.by_status == {"Active": 4, "Trial": 1, "Past due": 1}
    assert figures.by_plan_and_status[("Biz", "Active")] == 2
    assert (figures.companies, figures.active_companies) == (6, 5)
    assert figures.total_companies[-1] == 6
    assert figures.snapshots_missing == 6  # nothing counted yet


def test_a_broken_company_keeps_its_last_figures_and_does_not_stop_the_others(three_companies):
    platform_stats_refresh(jobs=2)
    broken = three_companies[0]
    before = TenantStatsSnapshot.objects.get(company=broken)
    tenant_database_path(broken.slug).unlink()

    probes = platform_stats_refresh(jobs=2)
    assert sorted(probe.ok for probe in probes) == [False, True, True]
    after = TenantStatsSnapshot.objects.get(company=broken)
    assert "missing" in after.error and after.failed_at is not None
    assert (after.doctors, after.taken_at) == (before.doctors, before.taken_at)
    assert platform_analytics().snapshots_failed == 1


def test_the_command_prints_progress_and_fails_when_a_company_fails(three_companies):
    out = io.StringIO()
    call_command("refresh_platform_stats", "--tenant", three_companies[1].slug, stdout=out)
    assert f"[1/1] {three_companies[1].slug} ... ok" in out.getvalue()
    assert TenantStatsSnapshot.objects.filter(taken_at__isnull=False).count() == 1

    out = io.StringIO()
    call_command("refresh_platform_stats", "--jobs", "2", stdout=out)
    assert "3 ok, 0 failed" in out.getvalue()

    tenant_database_path(three_companies[2].slug).unlink()
    with pytest.raises(CommandError, match=three_companies[2].slug):
        call_command("refresh_platform_stats", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No company with the code: nope"):
        call_command("refresh_platform_stats", "--tenant", "nope")
    with pytest.raises(CommandError, match="--jobs"):
        call_command("refresh_platform_stats", "--jobs", "0")


def test_the_refresh_button_counts_every_company(three_companies, superuser_client):
    response = superuser_client.post(reverse("master_admin:analytics-refresh"))
    assert response.status_code == 302
    assert TenantStatsSnapshot.objects.filter(taken_at__isnull=False, error="").count() == 3


def test_the_pages_never_open_company_databases(company_factory, superuser_client, count_queries):
    """Analytics and the company list cost the same number of queries for one company or many."""
    first = company_factory()
    platform_stats_refresh(companies=[first])
    urls = [reverse("master_admin:analytics-dashboard"), reverse("master_admin:company-list")]
    superuser_client.get(urls[0])  # warm up the session

    def queries(url):
        with count_queries() as counter:
            assert superuser_client.get(url).status_code == 200
        return counter.count

    few = [queries(url) for url in urls]
    platform_stats_refresh(companies=[company_factory(), company_factory(), company_factory()])
    assert [queries(url) for url in urls] == few


def test_month_keys_cover_the_last_year():
    from master_admin.selectors import last_months

    assert last_months(datetime.date(2026, 2, 10), 3) == ["2025-12", "2026-01", "2026-02"]
    assert month_key(datetime.date(2026, 2, 10)) == "2026-02"


@pytest.mark.django_db
def test_worker_processes_count_the_same_figures_as_one_process(three_companies):
    from master_admin.tenant_probe import for_each_tenant, tenant_figures
    from subscription.workers import can_fork

    if not can_fork():
        pytest.skip("this process runs other threads, so it never forks")
    by_one = {probe.company.slug: probe.value for probe in for_each_tenant(three_companies, tenant_figures)}
    by_two = {
        probe.company.slug: probe.value
        for probe in for_each_tenant(three_companies, tenant_figures, jobs=2, processes=True)
    }
    assert by_two == by_one and len(by_one) == 3
