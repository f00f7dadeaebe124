"""`refresh_platform_stats` over many companies: time, connection closes, and aliases left in the process.

    .venv/bin/python bench/refresh_stats.py [--companies 1000] [--sizes 250 1000] [--rounds 3] [--doctors 3]

Makes a throw-away master database and `--companies` companies (the provisioning service, in a
temporary folder), each with `--doctors` doctors. Each run is `manage.py refresh_platform_stats`
(its default workers: 1 on SQLite) called in a fresh process, over the first N companies of each
`--sizes` (`--tenant` for each; all of them without --tenant), and counts:
- calls of the tenancy core's `close_connection(alias)` helper, when the core has one (the
  current core calls it for every registered alias after every company: quadratic);
- connections really closed (Django's DatabaseWrapper.close() on an open connection);
- tenant connection aliases still registered in the process afterwards (`connections.settings`).
Prints the medians of `--rounds` runs (wall clock, and the process's CPU time) and the time a
company at each size: equal when linear.
Goal after the core's rewrite: linear, <= 2 s over 1,000 companies.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402


def prepare(workdir: Path, companies: int, doctors: int) -> None:
    scale.bench_environment(workdir)
    scale.setup_django(reference_data=True)
    from doctors.models import Doctor
    from subscription.tenancy import use_tenant

    made, seconds = scale.make_companies(companies)
    creator = scale.make_manager(made[0])
    for company in made:
        with use_tenant(company):
            Doctor.objects.bulk_create(scale.doctor_rows(doctors, created_by=creator))
    print(f"made {companies} companies with company_create in {seconds:.1f} s", flush=True)


def counted(owner, name: str, counter: dict, key: str, *, only_open: bool = False) -> None:
    """Count the calls of `owner.name` in `counter[key]` (those on an open connection if `only_open`)."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if not only_open or getattr(args[0], "connection", None) is not None:
            counter[key] += 1
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def measure(workdir: Path, size: int) -> None:
    """In a fresh process: refresh the first `size` companies and print one JSON line of figures."""
    scale.bench_environment(workdir)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.backends.base.base import BaseDatabaseWrapper

    from subscription import tenancy
    from subscription.models import Company

    counter = {"close_connection": 0, "closed": 0}
    has_helper = hasattr(tenancy, "close_connection")
    if has_helper:
        counted(tenancy, "close_connection", counter, "close_connection")
    counted(BaseDatabaseWrapper, "close", counter, "closed", only_open=True)
    slugs = list(Company.objects.order_by("slug").values_list("slug", flat=True))
    options = [] if size >= len(slugs) else [item for slug in slugs[:size] for item in ("--tenant", slug)]
    started, cpu = time.perf_counter(), time.process_time()
    call_command("refresh_platform_stats", *options, stdout=io.StringIO())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        json.dumps(
            {
                "size": min(size, len(slugs)),
                "seconds": seconds,
                "cpu": cpu,
                "close_connection": counter["close_connection"] if has_helper else None,
                "closed": counter["closed"],
                "aliases": scale.tenant_alias_count(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--sizes", type=int, nargs="+", help="companies refreshed per run (default 250 and all)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--doctors", type=int, default=3, help="doctors of each company")
    parser.add_argument("--measure", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure), args.size)
        return
    sizes = sorted(set(args.sizes or [max(1, args.companies // 4), args.companies]))

    workdir = Path(tempfile.mkdtemp(prefix="bench-refresh-stats-"))
    runs: dict[int, list[dict]] = {size: [] for size in sizes}
    try:
        prepare(workdir, args.companies, args.doctors)
        for _round in range(args.rounds):
            for size in sizes:
                command = [sys.executable, __file__, "--measure", str(workdir), "--size", str(size)]
                result = subprocess.run(command, check=True, capture_output=True, text=True, cwd=scale.ROOT)
                runs[size].append(json.loads(result.stdout.strip().splitlines()[-1]))
                print(f"  {size} companies: {runs[size][-1]['seconds']:.2f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\nrefresh_platform_stats (SQLite, its default --jobs), median of {args.rounds} runs (min–max), each in a fresh process"
    )
    print(
        f"{'companies':>9} {'time':>24} {'a company':>10} {'CPU time':>10} {'close_connection':>17} {'closed':>7} "
        f"{'aliases left':>13}"
    )
    for size, measured in runs.items():
        seconds = [run["seconds"] for run in measured]
        helper = measured[-1]["close_connection"]
        print(
            f"{size:>9} {scale.spread(seconds):>24} {scale.median(seconds) / size * 1000:>7.2f} ms "
            f"{scale.duration(scale.median(run['cpu'] for run in measured)):>10} "
            f"{'n/a' if helper is None else f'{helper:,}':>17} {measured[-1]['closed']:>7,} {measured[-1]['aliases']:>13,}"
        )
    small, big = sizes[0], sizes[-1]
    if big > small:
        growth = (scale.median(r["seconds"] for r in runs[big]) / big) / (
            scale.median(r["seconds"] for r in runs[small]) / small
        )
        cpu_growth = (scale.median(r["cpu"] for r in runs[big]) / big) / (
            scale.median(r["cpu"] for r in runs[small]) / small
        )
        print(f"time a company at {big} / at {small}: {growth:.2f}x, CPU time {cpu_growth:.2f}x (1.0 when linear)")
    print("goal after the rewrite: linear, <= 2 s over 1,000 companies")
    print(scale.machine_line())


if __name__ == "__main__":
    main()
