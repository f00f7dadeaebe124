"""Time of the doctor list pages and exports with 10,000 doctors, against a 100-doctor company.

    .venv/bin/python bench/doctor_list.py [--doctors 10000] [--baseline 100] [--rounds 5]

Runs on a throw-away master database and tenant folder; requests go through the Django test
Client (the whole middleware stack, the company's router and the templates) as a manager. Prints
the median of each page or export, the queries of the list page, and the ratio big / baseline.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LAST_NAMES = ["Məmmədov", "Əliyev", "Hüseynov", "Həsənov", "Quliyev", "İsmayılov", "Rzayev", "Cəfərov", "Abbasov"]
FIRST_NAMES = ["Elçin", "Rəşad", "Tural", "Orxan", "Vüqar", "Aynur", "Günel", "Leyla", "Nərgiz", "Şəbnəm"]


class QueryCounter:
    """Queries on every connection opened while counting (the middleware opens the company's per request)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def _wrap(self, sender, connection, **kwargs) -> None:
        connection.execute_wrappers.append(self)

    def __enter__(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        self.count = 0
        for connection in connections.all(initialized_only=True):
            connection.execute_wrappers.append(self)
        connection_created.connect(self._wrap)
        return self

    def __exit__(self, *exc) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        connection_created.disconnect(self._wrap)
        for connection in connections.all(initialized_only=True):
            if self in connection.execute_wrappers:
                connection.execute_wrappers.remove(self)


def make_company(slug: str, doctors: int, plan, rng: random.Random):
    """A company with a manager, two representatives and `doctors` doctors spread over the reference data."""
    from doctors.models import Doctor
    from subscription.models import Subscription, UserProfile
    from subscription.services import company_create, user_create
    from subscription.tenancy import tenant_atomic, use_tenant

    company = company_create(name=slug, slug=slug, plan=plan, status=Subscription.Status.ACTIVE)
    manager = user_create(username=f"{slug}-manager", password="bench", company=company, role=UserProfile.Role.MANAGER)
    reps = [
        user_create(username=f"{slug}-rep{n}", password="bench", company=company, role=UserProfile.Role.REPRESENTATIVE)
        for n in range(2)
    ]
    with use_tenant(company), tenant_atomic():
        Doctor.objects.bulk_create(doctor_rows(doctors, manager, reps, rng), batch_size=1000)
    return company, manager


def doctor_rows(doctors: int, manager, reps: list, rng: random.Random) -> list:
    from doctors.models import Doctor
    from regions.models import City, Clinic, Specialization

    specializations = list(Specialization.objects.all())
    cities = list(City.objects.all())
    clinics: dict[int, list] = {}
    for clinic in Clinic.objects.all():
        clinics.setdefault(clinic.city_id, []).append(clinic)
    rows = []
    for number in range(1, doctors + 1):
        city = rng.choice(cities)
        rows.append(
            Doctor(
                code=f"D{number:05d}",
                last_name=rng.choice(LAST_NAMES),
                first_name=rng.choice(FIRST_NAMES),
                specialization=rng.choice(specializations),
                category=rng.choice("ABC"),
                region_id=city.region_id,
                city=city,
                clinic=rng.choice(clinics[city.pk]) if city.pk in clinics else None,
                mobile_phone=f"+994 50 {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                representative=rng.choice([manager, *reps]),
                is_kol=rng.random() < 0.1,
                is_active=rng.random() < 0.95,
                created_by=manager,
            )
        )
    return rows


def timed_get(client, url: str) -> tuple[float, int]:
    """Seconds to get `url` and read its whole body (a streamed export too), and the body's size."""
    started = time.perf_counter()
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doctors", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-doctor-list-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'master.db'}",
        TENANT_DB_DIR=str(workdir / "tenants"),
        TENANT_DATABASE_URL="",
        DEBUG="True",
        ENV_FILE="",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from regions.models import Region
    from subscription.models import SubscriptionPlan
    from subscription.provisioning import tenant_database_drop

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    plan = SubscriptionPlan.objects.create(code="bench", name="Bench", price_monthly=0)
    rng = random.Random(42)
    region = Region.objects.order_by("pk").first()
    cases = {
        "first page": "/doctors/",
        "search 'məmməd'": "/doctors/?q=m%C9%99mm%C9%99d",
        "filtered (region, A, active)": f"/doctors/?region={region.pk}&category=A&is_active=yes",
        "sorted by city": "/doctors/?sort=city",
        "last page": "/doctors/?page=last",
        "CSV export": "/doctors/?export=csv",
        "XLSX export": "/doctors/?export=xlsx",
    }
    sizes = {"baseline": args.baseline, "big": args.doctors}
    medians: dict[str, dict[str, float]] = {}
    queries: dict[str, int] = {}
    companies = []
    try:
        for label, count in sizes.items():
            started = time.perf_counter()
            company, manager = make_company(f"bench-{label}", count, plan, rng)
            companies.append(company)
            print(f"{label}: {count} doctors made in {time.perf_counter() - started:.1f} s", flush=True)
            client = Client()
            client.force_login(manager)
            timed_get(client, "/doctors/")  # warm-up: templates, translations, the company's alias
            with QueryCounter() as counter:
                client.get("/doctors/")
            queries[label] = counter.count
            for case, url in cases.items():
                runs = [timed_get(client, url)[0] for _round in range(args.rounds)]
                medians.setdefault(case, {})[label] = statistics.median(runs)
    finally:
        for company in companies:
            tenant_database_drop(company)
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nSQLite, median of {args.rounds} runs, Django test Client as a manager, 50 doctors a page")
    print(f"{'':30} {args.baseline:>10,} {args.doctors:>10,}   ratio")
    for case, by_size in medians.items():
        small, big = by_size["baseline"], by_size["big"]
        print(f"{case:30} {small * 1000:8.1f}ms {big * 1000:8.1f}ms {big / small:7.1f}x")
    print(f"{'queries of the list page':30} {queries['baseline']:10} {queries['big']:10}")
    for case in ("CSV export", "XLSX export"):
        per_doctor = medians[case]["big"] / args.doctors * 1e6
        print(f"{case}, per doctor at {args.doctors:,}: {per_doctor:.0f} µs (exports grow with the rows)")


if __name__ == "__main__":
    main()
