"""Platform analytics with many companies: refreshing the figures (serial vs parallel) and the pages
that read them from the snapshot.

    .venv/bin/python bench/analytics.py [--tenants 200] [--jobs 2 4] [--rounds 3] [--renders 20]

Runs on a throw-away master database and tenant folder (company databases are template copies);
each company gets a few doctors, visits and sales. Prints the medians and the ratios.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def median_time(func, rounds: int) -> float:
    timings = []
    for _round in range(rounds):
        started = time.perf_counter()
        func()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[2, 4], help="workers of the parallel refreshes")
    parser.add_argument("--rounds", type=int, default=3, help="refreshes timed each way")
    parser.add_argument("--renders", type=int, default=20, help="page renders timed")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'master.db'}",
        TENANT_DB_DIR=str(workdir / "tenants"),
        TENANT_DATABASE_URL="",
        DEBUG="True",
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from appointments.models import Appointment
    from doctors.models import Doctor
    from master_admin.selectors import platform_analytics
    from master_admin.services import platform_stats_refresh
    from regions.models import City, Clinic, Region, Specialization
    from sales.models import Product, Sale
    from subscription.models import Company, Subscription, SubscriptionPlan
    from subscription.provisioning import tenant_database_drop
    from subscription.services import company_create
    from subscription.tenancy import close_tenant_connections, tenant_atomic, use_tenant

    call_command("migrate", verbosity=0)
    plan = SubscriptionPlan.objects.create(code="business", name="Business", price_monthly=Decimal("199.00"))
    region = Region.objects.create(code="baki", name_az="Bakı")
    city = City.objects.create(code="baki-city", name_az="Bakı", region=region)
    clinic = Clinic.objects.create(code="clinic-1", name_az="Klinika 1", city=city)
    specialization = Specialization.objects.create(code="terapiya", name_az="Terapiya")
    staff = get_user_model().objects.create_user("bench-rep", password=None)
    admin = get_user_model().objects.create_superuser("bench-admin", password=None)

    started = time.perf_counter()
    companies = [
        company_create(name=f"Bench {n:03d}", slug=f"bench-{n:03d}", plan=plan, status=Subscription.Status.ACTIVE)
        for n in range(args.tenants)
    ]
    created = time.perf_counter() - started
    now = timezone.now()
    started = time.perf_counter()
    for n, company in enumerate(companies):
        with use_tenant(company), tenant_atomic():
            doctors = Doctor.objects.bulk_create(
                Doctor(
                    code=f"D{i}",
                    last_name=f"Məmmədov{i}",
                    first_name="Elçin",
                    specialization=specialization,
                    region=region,
                    city=city,
                    clinic=clinic,
                )
                for i in range(3 + n % 5)
            )
            Appointment.objects.bulk_create(
                Appointment(
                    doctor=doctors[i % len(doctors)], staff=staff, planned_start=now - datetime.timedelta(days=i * 9)
                )
                for i in range(10)
            )
            product = Product.objects.create(code="P1", name="Kardiomaks", price=Decimal("12.50"))
            Sale.objects.bulk_create(
                Sale(
                    date=(now - datetime.timedelta(days=i * 20)).date(),
                    product=product,
                    quantity=i + 1,
                    unit_price=product.price,
                    amount=product.price * (i + 1),
                )
                for i in range(5)
            )
        close_tenant_connections()
    filled = time.perf_counter() - started

    platform_stats_refresh(jobs=1)  # warm-up: first connections, compiled queries
    serial = median_time(lambda: platform_stats_refresh(jobs=1), args.rounds)
    parallel = {
        jobs: median_time(lambda jobs=jobs: platform_stats_refresh(jobs=jobs), args.rounds) for jobs in args.jobs
    }

    client = Client()
    client.force_login(admin)
    pages = {}
    for name, url in (("analytics page", "/master-admin/analytics/"), ("company list page", "/master-admin/")):
        assert client.get(url).status_code == 200
        pages[name] = median_time(lambda url=url: client.get(url), args.renders)
    summing = median_time(platform_analytics, args.renders)
    figures = platform_analytics()
    assert figures.companies == args.tenants and figures.snapshots == args.tenants

    print(f"tenants: {args.tenants} (SQLite), CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    print(f"setup: {args.tenants} company databases by template copy in {created:.2f}s, filled in {filled:.2f}s")
    print(
        f"figures: {figures.doctors} doctors, {figures.visits} visits, {figures.sales} sale lines, "
        f"{figures.sales_amount} AZN, MRR {figures.mrr} AZN"
    )
    print(
        f"refresh, serial (baseline), median of {args.rounds}:   {serial * 1000:9.1f} ms "
        f"({serial / args.tenants * 1000:.2f} ms per company)"
    )
    for jobs, seconds in parallel.items():
        print(
            f"refresh, {jobs} threads, median of {args.rounds}:          {seconds * 1000:9.1f} ms "
            f"(serial / this: {serial / seconds:.2f}x)"
        )
    print(f"platform_analytics() from the snapshots:      {summing * 1000:9.1f} ms")
    for name, seconds in pages.items():
        print(
            f"{name} render from the snapshots:  {seconds * 1000:9.1f} ms "
            f"(serial recount / render: {serial / seconds:.0f}x)"
        )

    for company in Company.objects.all():
        tenant_database_drop(company)


if __name__ == "__main__":
    main()
