"""Backup and restore time of a company with 10,000 doctors and 50,000 visits (docs/backups.md).

    .venv/bin/python bench/backup_restore.py [--doctors 10000] [--visits 50000] [--key SECRET]
                                             [--postgres postgres://postgres@127.0.0.1:5432]

Runs on a throw-away master database, tenant folder and backup folder (PostgreSQL: databases named
bench_tenant_*); prints the size of the database and of the backup, and the time of each step:
backup (copy + per-table checksums), verify (restore into a scratch database + checksums), restore
into place (safety backup first), restore as a new company, and the portable bundle's export and import.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(what: str, results: list, action):
    started = time.perf_counter()
    value = action()
    results.append((what, time.perf_counter() - started))
    print(f"  {what:<42} {results[-1][1]:7.2f} s", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doctors", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=50_000)
    parser.add_argument("--key", default="", help="BACKUP_KEY: encrypt the backups at rest")
    parser.add_argument("--postgres", help="server URL; company databases go there instead of SQLite files")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'master.db'}",
        TENANT_DB_DIR=str(workdir / "tenants"),
        TENANT_DATABASE_URL=f"{args.postgres}/bench_tenant_{{slug}}" if args.postgres else "",
        BACKUP_DIR=str(workdir / "backups"),
        BACKUP_KEY=args.key,
        HUEY_IMMEDIATE="True",
        DEBUG="True",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from appointments.models import Appointment
    from doctors.models import Doctor
    from regions.models import City, Clinic, Region, Specialization
    from subscription.backups.bundle import export_bundle
    from subscription.backups.bundle_import import import_bundle
    from subscription.backups.catalogue import backup_create, backup_path
    from subscription.backups.restore import restore_as_new, restore_in_place, verify_backup
    from subscription.models import Company, Subscription, SubscriptionPlan
    from subscription.provisioning import tenant_database_drop
    from subscription.services import company_create
    from subscription.storage import storage_for
    from subscription.tenancy import close_tenant_connections, tenant_atomic, use_tenant

    call_command("migrate", verbosity=0)
    plan = SubscriptionPlan.objects.create(code="business", name="Business", price_monthly=Decimal("199.00"))
    region = Region.objects.create(code="baki", name_az="Bakı")
    city = City.objects.create(code="baki-city", name_az="Bakı", region=region)
    clinics = [Clinic.objects.create(code=f"clinic-{n}", name_az=f"Klinika {n}", city=city) for n in range(20)]
    specialization = Specialization.objects.create(code="terapiya", name_az="Terapiya")
    staff = get_user_model().objects.create_user("bench-rep", password=None)
    company = company_create(name="Bench Pharma", slug="bench-big", plan=plan, status=Subscription.Status.ACTIVE)
    made = [company]
    now = timezone.now()
    started = time.perf_counter()
    with use_tenant(company), tenant_atomic():
        doctors = Doctor.objects.bulk_create(
            (
                Doctor(
                    code=f"D{i:05d}",
                    last_name=f"Məmmədov{i}",
                    first_name="Elçin",
                    specialization=specialization,
                    region=region,
                    city=city,
                    clinic=clinics[i % len(clinics)],
                    notes="Qəbul günləri: bazar ertəsi, çərşənbə" if i % 3 == 0 else "",
                )
                for i in range(args.doctors)
            ),
            batch_size=2000,
        )
        Appointment.objects.bulk_create(
            (
                Appointment(
                    doctor=doctors[i % len(doctors)],
                    staff=staff,
                    planned_start=now - datetime.timedelta(hours=i * 3),
                    status="done" if i % 4 else "planned",
                )
                for i in range(args.visits)
            ),
            batch_size=2000,
        )
    close_tenant_connections()
    filled = time.perf_counter() - started
    storage = storage_for(company)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{engine}: {args.doctors} doctors, {args.visits} visits (made in {filled:.1f} s); "
        f"database {storage.size(company.slug) / 2**20:.1f} MiB; {'encrypted' if args.key else 'plain'} backups"
    )
    results: list[tuple[str, float]] = []
    try:
        backup = timed("backup (copy + table checksums)", results, lambda: backup_create(company=company))
        print(f"  backup file {backup_path(backup).stat().st_size / 2**20:.1f} MiB ({backup.file_name})")
        verified = timed("verify (scratch restore + checksums)", results, lambda: verify_backup(backup))
        assert verified.verified_ok, verified.verify_result
        timed(
            "restore into place (after a safety backup)",
            results,
            lambda: restore_in_place(company=company, backup=backup),
        )
        copy = timed("restore as a new company", results, lambda: restore_as_new(backup=backup, slug="bench-copy"))
        made.append(copy)
        bundle = workdir / "bundle.zip"
        timed("bundle export (zip of CSV)", results, lambda: export_bundle(company, bundle))
        print(f"  bundle {bundle.stat().st_size / 2**20:.1f} MiB")
        imported = timed(
            "bundle import (new company, checked)", results, lambda: import_bundle(bundle, slug="bench-imp")
        )
        made.append(imported.company)
    finally:
        for each in made:
            tenant_database_drop(each)
            Company.objects.filter(pk=each.pk).update(lifecycle=Company.Lifecycle.DELETED)


if __name__ == "__main__":
    main()
