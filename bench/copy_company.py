"""Time of copying a big company database between engines, verification by checksums included.

    .venv/bin/python bench/copy_company.py [--doctors 10000] [--visits 50000] [--pg1 URL --pg2 URL]

A company with 10,000 doctors and 50,000 visits (plus products, visit-product links, patients,
sales, payments and reports) is made in a SQLite file, then copied SQLite → PostgreSQL (COPY),
PostgreSQL → PostgreSQL (binary COPY streamed between servers, and pg_dump | pg_restore) and back
to SQLite; each copy is verified by per-table fingerprints. The copy plus the verification is the
read-only window of a move (target ≤ 10 s SQLite → PostgreSQL). Without --pg1/--pg2 (server URLs
such as postgres://postgres@127.0.0.1:5432) it starts two throw-away servers of its own
(subscription/tests/pgservers.py: fsync off, which flatters writes a little).
"""

import argparse
import contextlib
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_company(slug: str, doctors: int, visits: int, rng: random.Random, *, server: str = ""):
    """A company database with `doctors` doctors and `visits` visits (bulk inserts), on `server` (by
    default where a company without one is: the SQLite folder when no PostgreSQL server is configured)."""
    from appointments.models import Appointment
    from doctors.models import Doctor
    from patients.models import Patient
    from payments.models import Payment
    from regions.models import City, Clinic, Specialization
    from reports.models import Report
    from sales.models import Product, Sale
    from subscription.models import Company
    from subscription.provisioning import tenant_database_create
    from subscription.tenancy import tenant_atomic, use_tenant

    company = Company.objects.create(name=slug, slug=slug, server=server)
    tenant_database_create(company)
    specializations = list(Specialization.objects.values_list("pk", flat=True))
    cities = list(City.objects.values_list("pk", "region_id"))
    clinics = list(Clinic.objects.values_list("pk", flat=True))
    now = datetime.datetime(2025, 6, 1, 9, tzinfo=datetime.UTC)
    with use_tenant(company), tenant_atomic():
        rows = []
        for number in range(1, doctors + 1):
            city, region = rng.choice(cities)
            rows.append(
                Doctor(
                    code=f"D{number:05d}",
                    last_name=rng.choice(["Məmmədov", "Əliyev", "Hüseynov", "Quliyev", "İsmayılov"]),
                    first_name=rng.choice(["Elçin", "Rəşad", "Aynur", "Günel", "Şəbnəm"]),
                    specialization_id=rng.choice(specializations),
                    region_id=region,
                    city_id=city,
                    clinic_id=rng.choice(clinics),
                    category=rng.choice("ABC"),
                    mobile_phone=f"+994 50 {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    is_kol=rng.random() < 0.1,
                    notes="Qəbul günləri: çərşənbə\tcümə" if number % 7 == 0 else "",
                )
            )
        Doctor.objects.bulk_create(rows, batch_size=2000)
        doctor_ids = list(Doctor.objects.values_list("pk", flat=True))
        products = Product.objects.bulk_create(
            Product(code=f"P{n:03d}", name=f"Kardiomaks {n}", price=Decimal("12.50") + n) for n in range(20)
        )
        Patient.objects.bulk_create(
            (
                Patient(last_name=f"Səfərova{n}", first_name="Leyla", doctor_id=rng.choice(doctor_ids))
                for n in range(1000)
            ),
            batch_size=2000,
        )
        Appointment.objects.bulk_create(
            (
                Appointment(
                    doctor_id=rng.choice(doctor_ids),
                    staff_id=1,
                    planned_start=now - datetime.timedelta(minutes=37 * n, microseconds=n),
                    status=rng.choice(["planned", "done", "cancelled"]),
                    outcome="Nümunələr verildi" if n % 3 == 0 else "",
                )
                for n in range(visits)
            ),
            batch_size=2000,
        )
        links = Appointment.products.through
        visit_ids = list(Appointment.objects.values_list("pk", flat=True))
        links.objects.bulk_create(
            (links(appointment_id=visit, product_id=rng.choice(products).pk) for visit in visit_ids[::2]),
            batch_size=5000,
        )
        Sale.objects.bulk_create(
            (
                Sale(
                    date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 150),
                    product=rng.choice(products),
                    quantity=rng.randint(1, 50),
                    unit_price=Decimal("12.50"),
                    amount=Decimal("12.50") * 3,
                    doctor_id=rng.choice(doctor_ids),
                )
                for n in range(2000)
            ),
            batch_size=2000,
        )
        Payment.objects.bulk_create(
            Payment(
                direction="outgoing",
                kind="fee",
                date=datetime.date(2025, 2, 1),
                amount=Decimal("150.00"),
                doctor_id=rng.choice(doctor_ids),
            )
            for _n in range(500)
        )
        Report.objects.bulk_create(
            Report(
                kind="sales_month",
                title=f"Hesabat {n}",
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 1, 31),
                parameters={"year": 2025, "ratio": 0.5},
                rows=[["2025-01", 10.5 * n]],
            )
            for n in range(10)
        )
    return company


def timed(label: str, func, *args, **kwargs):
    """Run func; print its wall time and this process's CPU time (less disturbed by a busy machine)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = func(*args, **kwargs)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  {label:40} {elapsed:7.2f} s   (CPU of this process {cpu:5.2f} s)", flush=True)
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doctors", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=50_000)
    parser.add_argument("--pg1", help="URL of a PostgreSQL server to copy to (default: a throw-away server)")
    parser.add_argument("--pg2", help="URL of a second server (default: a throw-away server)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-copy-company-"))
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

    from subscription.tests import pgservers

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    servers = []
    try:
        if args.pg1 and args.pg2:
            urls = [args.pg1.rstrip("/"), args.pg2.rstrip("/")]
        else:
            servers = [pgservers.PostgresServer.start() for _n in range(2)]
            urls = [server.url for server in servers]
        run(args, workdir, urls)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir: Path, urls: list[str]) -> None:
    with contextlib.ExitStack() as leases:
        measure(args, workdir, urls, leases)


def measure(args, workdir: Path, urls: list[str], leases: contextlib.ExitStack) -> None:
    import environ
    import psycopg
    from django.conf import settings

    from subscription.schema import migrate_database
    from subscription.storage.copies import copy_postgres_database, copy_tenant_data, temporary_alias, verify_copy
    from subscription.storage.sqlite import local_storage
    from subscription.tenancy import lease_tenant_alias

    started = time.perf_counter()
    company = make_company("bench-big", args.doctors, args.visits, random.Random(42))
    source = leases.enter_context(lease_tenant_alias(company.slug))
    print(f"company made in {time.perf_counter() - started:.1f} s: {args.doctors:,} doctors, {args.visits:,} visits")
    print(f"load average: {' '.join(f'{load:.1f}' for load in os.getloadavg())} ({os.cpu_count()} cores)")

    names = []

    def server_db(url: str, name: str, template: str | None = None) -> dict:
        with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        names.append((url, name))
        return environ.Env.db_url_config(f"{url}/{name}")

    tag = uuid.uuid4().hex[:6]
    templates = {}
    for url in urls:
        templates[url] = f"bench_template_{tag}"
        with temporary_alias(server_db(url, templates[url])) as alias:
            migrate_database(alias)
    figures = {}
    try:
        pg1, pg2 = (server_db(url, f"bench_{n}_{tag}", templates[url]) for n, url in enumerate(urls, 1))
        empty_pg2 = server_db(urls[1], f"bench_restored_{tag}")
        sqlite_back = workdir / "back.db"
        with local_storage().creation_lock():
            shutil.copyfile(local_storage().template_path(), sqlite_back)
        back = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(sqlite_back), "OPTIONS": settings.SQLITE_OPTIONS}
        with temporary_alias(pg1) as on_pg1, temporary_alias(pg2) as on_pg2, temporary_alias(back) as on_sqlite:
            print("SQLite → PostgreSQL (pg1), COPY:")
            rows, figures["sqlite→pg copy"] = timed("copy", copy_tenant_data, source, on_pg1)
            _, figures["sqlite→pg verify"] = timed("verify (fingerprints of both sides)", verify_copy, source, on_pg1)
            print(f"  ({sum(rows.values()):,} rows in {len(rows)} tables)")
            print("PostgreSQL → PostgreSQL (pg1 → pg2), binary COPY streamed between the servers:")
            _, figures["pg→pg copy"] = timed("copy", copy_tenant_data, on_pg1, on_pg2)
            _, figures["pg→pg verify"] = timed("verify", verify_copy, on_pg1, on_pg2)
            print("PostgreSQL → PostgreSQL (pg1 → pg2), pg_dump -Fc | pg_restore into an empty database:")
            _, figures["pg_dump|pg_restore"] = timed("pg_dump | pg_restore", copy_postgres_database, pg1, empty_pg2)
            with temporary_alias(empty_pg2) as restored:
                _, figures["pg_dump verify"] = timed("verify", verify_copy, on_pg1, restored)
            print("PostgreSQL → PostgreSQL (pg2 → pg1 direction), binary COPY:")
            pg1_again = server_db(urls[0], f"bench_again_{tag}", templates[urls[0]])
            with temporary_alias(pg1_again) as again:
                _, figures["pg2→pg1 copy"] = timed("copy", copy_tenant_data, on_pg2, again)
            print("PostgreSQL → SQLite (pg2 → a new file), batched inserts:")
            _, figures["pg→sqlite copy"] = timed("copy", copy_tenant_data, on_pg2, on_sqlite)
            _, figures["pg→sqlite verify"] = timed("verify", verify_copy, on_pg2, on_sqlite)
    finally:
        for url, name in reversed(names):
            with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"load average at the end: {' '.join(f'{load:.1f}' for load in os.getloadavg())} ({os.cpu_count()} cores)")
    window = figures["sqlite→pg copy"] + figures["sqlite→pg verify"]
    print(f"\nread-only window SQLite → PostgreSQL (copy + verify): {window:.2f} s (target ≤ 10 s)")
    print(
        f"PostgreSQL → PostgreSQL: binary COPY {figures['pg→pg copy']:.2f} s, "
        f"pg_dump | pg_restore {figures['pg_dump|pg_restore']:.2f} s (each + verify)"
    )


if __name__ == "__main__":
    main()
