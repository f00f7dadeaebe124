"""Time to create one company database: template copy vs running every migration.

    .venv/bin/python bench/provisioning.py [--rounds 10] [--postgres postgres://postgres@127.0.0.1:5432]

Runs on a throw-away master database and tenant folder; prints the median of each way and the ratio.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--postgres", help="server URL; company databases go there instead of SQLite files")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-provisioning-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'master.db'}",
        TENANT_DB_DIR=str(workdir / "tenants"),
        TENANT_DATABASE_URL=f"{args.postgres}/bench_tenant_{{slug}}" if args.postgres else "",
        DEBUG="True",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from subscription.models import Company
    from subscription.provisioning import tenant_database_create, tenant_database_drop

    call_command("migrate", verbosity=0)
    backend = "PostgreSQL" if args.postgres else "SQLite"
    timings: dict[str, list[float]] = {"template copy": [], "migrations": []}
    companies = []
    # The first template copy also builds the template: time that separately.
    first = Company.objects.create(name="warm-up", slug="bench-warm-up")
    started = time.perf_counter()
    tenant_database_create(first)
    build = time.perf_counter() - started
    companies.append(first)
    for round_ in range(args.rounds):
        for way, from_template in (("template copy", True), ("migrations", False)):
            company = Company.objects.create(
                name=f"{way} {round_}", slug=f"bench-{'t' if from_template else 'm'}-{round_}"
            )
            started = time.perf_counter()
            tenant_database_create(company, from_template=from_template)
            timings[way].append(time.perf_counter() - started)
            companies.append(company)
    for company in companies:
        tenant_database_drop(company)

    copy, migrate = (statistics.median(timings[way]) for way in ("template copy", "migrations"))
    print(f"backend: {backend}, rounds: {args.rounds}")
    print(f"first company (builds the template once): {build * 1000:8.1f} ms")
    print(f"template copy, median:                    {copy * 1000:8.1f} ms")
    print(f"running migrations, median (baseline):    {migrate * 1000:8.1f} ms")
    print(f"ratio (migrations / template copy):       {migrate / copy:8.1f}x")


if __name__ == "__main__":
    main()
