"""The read-only window of moving a big company between servers, and migrate_tenants over two servers.

    .venv/bin/python bench/move_company.py [--doctors 10000] [--visits 50000] [--rounds 3] [--quick]
                                           [--migrate-companies 100] [--migrate-rounds 2] [--skip-migrate]

Two throw-away PostgreSQL servers, pg1 and pg2 (subscription/tests/pgservers.py: fsync off, which
flatters writes a little), and the SQLite folder `local`, all in TENANT_SERVERS; a master SQLite
database in a temporary folder.

Moves: a company with 10,000 doctors and 50,000 visits (bench/copy_company.py's make_company) is made
on `local` and moved by `subscription.scaleout.moves.move_company` local → pg1 → pg2 → local, `--rounds`
times. Each move gives CompanyMove.read_only_ms (the company is held read-only from the start of the
move until its hold ends) and the wall time of the call; the source kept aside by the move is dropped
afterwards, outside the timer. Before a move to PostgreSQL the target's spare databases are refilled
(TENANT_SPARE_DATABASES, as the job worker keeps them after each creation), untimed, so the move's
empty target database is a renamed spare. The baseline, measured just before each move and from the same
source: the bare copy and verification (storage.copies.copy_tenant_data + verify_copy, what
bench/copy_company.py times) into a fresh database on the target, the work of a move without its
hold, fence, switch and bookkeeping. Target from the issue: read-only window <= 10 s SQLite → PostgreSQL.

migrate_tenants (bench/migrate_many.py's way: each run a `manage.py migrate_tenants` process timed from
outside): `--migrate-companies` companies on pg1 and pg2 (placement choosing) against as many SQLite
companies (the baseline), interleaved: the no-op (`--force --jobs 2`) and one AddField (`--jobs 2`,
a copy of the project's tree with a nullable field added to doctors.Doctor; fresh companies every
round).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import copy_company  # noqa: E402
import migrate_many  # noqa: E402
import scale  # noqa: E402

DIRECTIONS = (("local", "pg1"), ("pg1", "pg2"), ("pg2", "local"))


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def servers_setting(urls: list[str], prefix: str) -> str:
    return ",".join(f"pg{n}={url}/{prefix}_{{slug}}" for n, url in enumerate(urls, 1))


# --- Moves ---------------------------------------------------------------------------------------------------
def bare_copy(slug: str, source: str, target: str) -> float:
    """Seconds of copy_tenant_data + verify_copy of `slug`'s database on `source` into a fresh one on `target`."""
    from subscription.storage import server_storage
    from subscription.storage.copies import copy_tenant_data, temporary_alias, verify_copy
    from subscription.tenancy import lease_tenant_alias

    scratch, store = f"{slug}-baseline", server_storage(target)
    with store.creation_lock():
        store.create(scratch)
    try:
        with (
            lease_tenant_alias(slug, source) as source_alias,
            temporary_alias(store.connection_settings(scratch)) as target_alias,
        ):
            started = time.perf_counter()
            copy_tenant_data(source_alias, target_alias)
            verify_copy(source_alias, target_alias)
            return time.perf_counter() - started
    finally:
        store.drop(scratch)


def one_move(company, target: str) -> tuple[float, float, float, int]:
    """Move `company` to `target`; return (read-only window s, wall s, CPU s of this process, rows)."""
    from subscription.scaleout.moves import move_company
    from subscription.storage import server_storage

    source = company.server
    started, cpu = time.perf_counter(), time.process_time()
    move = move_company(company, target, by="bench")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    server_storage(source).drop_moved(company.slug)  # the kept source, untimed
    return move.read_only_ms / 1000, wall, cpu, move.rows


def measure_moves(urls: list[str], doctors: int, visits: int, rounds: int) -> dict:
    from django.conf import settings

    from subscription.models import Company
    from subscription.storage import server_storage

    settings.TENANT_SERVERS = servers_setting(urls, "bench")
    for name in ("pg1", "pg2"):
        server_storage(name).template_name()  # built once per server and migration state, not timed
    started = time.perf_counter()
    company = copy_company.make_company("bench-big", doctors, visits, random.Random(42), server="local")
    print(f"company made on local in {time.perf_counter() - started:.1f} s: {doctors:,} doctors, {visits:,} visits")
    print(f"load average: {load()} ({os.cpu_count()} cores)", flush=True)
    figures: dict[tuple[str, str], dict[str, list]] = {}
    for round_ in range(rounds):
        for source, target in DIRECTIONS:
            company = Company.objects.get(pk=company.pk)
            assert company.server == source, (company.server, source)
            row = figures.setdefault((source, target), {"window": [], "wall": [], "cpu": [], "bare": [], "rows": []})
            row["bare"].append(bare_copy(company.slug, source, target))
            if target != "local":  # a spare ready on the target, as the job worker keeps one (untimed)
                server_storage(target).refill_spares(settings.TENANT_SPARE_DATABASES)
            window, wall, cpu, rows = one_move(company, target)
            for key, value in (("window", window), ("wall", wall), ("cpu", cpu), ("rows", rows)):
                row[key].append(value)
            print(
                f"  round {round_ + 1}, {source} → {target}: read-only {window:.2f} s, move {wall:.2f} s "
                f"(CPU {cpu:.2f} s), bare copy + verify {row['bare'][-1]:.2f} s",
                file=sys.stderr,
                flush=True,
            )
    return figures


def report_moves(figures: dict, rounds: int) -> None:
    rows = next(iter(figures.values()))["rows"][0]
    print(f"\nMoves of one company ({rows:,} rows), median of {rounds} (min–max)")
    print(
        f"{'':16} {'read-only window':>22} {'move_company wall':>22} {'its CPU':>9} {'bare copy+verify':>22} {'ratio':>6}"
    )
    for (source, target), row in figures.items():
        ratio = scale.median(row["window"]) / scale.median(row["bare"])
        print(
            f"{source + ' → ' + target:16} {scale.spread(row['window']):>22} {scale.spread(row['wall']):>22} "
            f"{scale.duration(scale.median(row['cpu'])):>9} {scale.spread(row['bare']):>22} {ratio:5.2f}x"
        )
    window = scale.median(figures[("local", "pg1")]["window"])
    verdict = "met" if window <= 10 else "not met"
    print(
        f"ratio: read-only window / bare copy + verify. Target <= 10 s SQLite → PostgreSQL: {window:.2f} s, {verdict}"
    )


# --- migrate_tenants over two servers ------------------------------------------------------------------------
def make_set(folder: Path, companies: int, urls: list[str] | None) -> float:
    """`companies` companies under `folder` (on pg1/pg2 when `urls`, else SQLite files), made by a separate process."""
    os.environ["TENANT_SERVERS"] = servers_setting(urls, f"m{uuid.uuid4().hex[:6]}") if urls else ""
    return migrate_many.make_set(folder, companies)


def run_on(tree: Path, folder: Path, urls_setting: str, *options: str) -> migrate_many.Run:
    os.environ["TENANT_SERVERS"] = urls_setting
    return migrate_many.migrate_tenants(tree, folder, *options)


SETS = ("SQLite", "pg1 + pg2")


def measure_migrations(workdir: Path, urls: list[str], companies: int, rounds: int) -> dict[tuple[str, str], list]:
    """{(run, set): [Run, ...]} of the no-op and the AddField over each set of companies, interleaved."""
    os.environ.update(TENANT_SPARE_DATABASES="0")
    runs: dict[tuple[str, str], list] = {}
    sets = {}
    for kind in SETS:
        folder = workdir / f"noop-{kind[:3]}"
        made = make_set(folder, companies, urls if kind != "SQLite" else None)
        sets[kind] = (folder, os.environ["TENANT_SERVERS"])
        print(f"made {companies} companies ({kind}) in {made:.1f} s", file=sys.stderr, flush=True)
    for round_ in range(rounds):
        for kind in SETS[:: 1 if round_ % 2 == 0 else -1]:
            folder, setting = sets[kind]
            run = run_on(scale.ROOT, folder, setting, "--force", "--jobs", "2")
            runs.setdefault(("no-op, --force, --jobs 2", kind), []).append(run)
            print(f"  no-op {kind}: {run.wall:.1f} s", file=sys.stderr, flush=True)
    os.environ["TENANT_SERVERS"] = ""
    tree = workdir / "tree"
    migration = migrate_many.copy_with_new_field(tree, workdir / "scratch")
    for round_ in range(rounds):
        for kind in SETS[:: 1 if round_ % 2 == 0 else -1]:
            folder = workdir / f"addfield-{round_}-{kind[:3]}"
            make_set(folder, companies, urls if kind != "SQLite" else None)
            run = run_on(tree, folder, os.environ["TENANT_SERVERS"], "--jobs", "2")
            if f"{companies} ok" not in run.output:
                raise SystemExit(f"the AddField run did not migrate every company:\n{run.output[-2000:]}")
            runs.setdefault((f"AddField ({migration.stem}), --jobs 2", kind), []).append(run)
            print(f"  AddField {kind}: {run.wall:.1f} s", file=sys.stderr, flush=True)
            shutil.rmtree(folder)
    return runs


def report_migrations(runs: dict[tuple[str, str], list], companies: int, rounds: int) -> None:
    print(f"\nmigrate_tenants over {companies} companies, median of {rounds} runs (min–max)")
    print(f"{'':58} {'wall clock':>24} {'its own Done in':>24} {'CPU, all its processes':>24}")
    for (run, kind), measured in runs.items():
        migrate_many.line(f"{run + ', ' + kind:58}", measured)
    for run in dict.fromkeys(run for run, _kind in runs):
        sqlite, postgres = (scale.median(r.wall for r in runs[(run, kind)]) for kind in SETS)
        print(f"ratio {run}: pg1 + pg2 / SQLite (wall clock) {postgres / sqlite:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doctors", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3, help="times the company goes round local → pg1 → pg2 → local")
    parser.add_argument("--migrate-companies", type=int, default=100, help="companies on each side (default 100)")
    parser.add_argument("--migrate-rounds", type=int, default=2)
    parser.add_argument("--skip-migrate", action="store_true", help="measure the moves only")
    parser.add_argument("--quick", action="store_true", help="1,000 doctors, 5,000 visits, 1 round, 20 companies")
    args = parser.parse_args()
    if args.quick:
        args.doctors, args.visits, args.rounds = 1000, 5000, 1
        args.migrate_companies, args.migrate_rounds = 20, 1

    workdir = Path(tempfile.mkdtemp(prefix="bench-move-company-"))
    scale.bench_environment(workdir / "moves")
    os.environ.update(HUEY_IMMEDIATE="False", HUEY_DB=str(workdir / "huey.db"), REDIS_URL="")
    servers = []
    try:
        scale.setup_django(reference_data=True)
        from subscription.tests import pgservers

        servers = [pgservers.PostgresServer.start() for _n in range(2)]
        urls = [server.url for server in servers]
        figures = measure_moves(urls, args.doctors, args.visits, args.rounds)
        runs = (
            {} if args.skip_migrate else measure_migrations(workdir, urls, args.migrate_companies, args.migrate_rounds)
        )
        print(f"load average at the end: {load()} ({os.cpu_count()} cores)")
        report_moves(figures, args.rounds)
        if runs:
            report_migrations(runs, args.migrate_companies, args.migrate_rounds)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
