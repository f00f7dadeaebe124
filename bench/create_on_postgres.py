"""Time to create a company on PostgreSQL: a spare database renamed vs CREATE DATABASE ... TEMPLATE.

    .venv/bin/python bench/create_on_postgres.py [--companies 200] [--spares 2] [--quick]

Two throw-away PostgreSQL servers of its own, pg1 and pg2 in TENANT_SERVERS
(subscription/tests/pgservers.py: fsync off, which flatters CREATE DATABASE; never a shared server,
whose spares the script renames aside), and a master SQLite database in a temporary folder. `--companies` companies are made each way by the provisioning service
(`subscription.services.company_create`, the placement policy choosing the server), interleaved one
by one (the order swapped every round) so that a change of load on the machine hits both ways:

- without spares (TENANT_SPARE_DATABASES=0): the server has no spare, the database is
  `CREATE DATABASE ... TEMPLATE` of the migrated template (the baseline);
- with spares (TENANT_SPARE_DATABASES=--spares): a ready spare is renamed to the company's name.

Two figures a company: the service call's wall time (until the company is active: the master rows,
the placement, the database and its schema state), and TenantSchemaState.duration_ms, the database
step the provisioning service records. The refill of the spare pool is not timed: Huey runs in
queued mode (HUEY_IMMEDIATE=False) on a SQLite queue in the temporary folder with no worker, so the
service call only enqueues the refill job (that enqueue is in the wall time, as in production);
between two creations, outside the timer, the queue is flushed and `refill_spares` is called on
both servers. Before a creation without spares, the spares of both servers are renamed aside
(and renamed back afterwards), outside the timer too. Target from the issue: <= 15 ms median with spares.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402

PREFIX = "bench"  # company databases are bench_<slug>
HIDDEN = "bench__hidden_"  # spares set aside during a creation without spares
HIDDEN_LIKE = HIDDEN.replace("_", "\\_") + "%"
SPARES = "SELECT datname FROM pg_database WHERE datname LIKE %s"  # the store's own spares (_own_like)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


class Pools:
    """The servers' spare pools, set aside or filled between two creations, through connections of the
    bench's own (never timed); and the sessions the servers have seen, to count those a creation opens."""

    def __init__(self, urls: dict[str, str]) -> None:
        import psycopg

        from subscription.storage import server_storage

        self.urls = urls
        self.stores = {name: server_storage(name) for name in urls}
        self.admin = {name: psycopg.connect(f"{url}/postgres", autocommit=True) for name, url in urls.items()}

    def query(self, name: str, sql: str, params=None) -> list[tuple]:
        cursor = self.admin[name].execute(sql, params)
        return cursor.fetchall() if cursor.description else []

    def spares(self, name: str) -> list[str]:
        return [spare for (spare,) in self.query(name, SPARES, [self.stores[name]._own_like("spare_")])]

    def hide(self) -> None:
        for name in self.stores:
            for spare in self.spares(name):
                self.query(name, f'ALTER DATABASE "{spare}" RENAME TO "{HIDDEN}{spare}"')

    def fill(self, count: int) -> None:
        for name, store in self.stores.items():
            for (hidden,) in self.query(name, "SELECT datname FROM pg_database WHERE datname LIKE %s", [HIDDEN_LIKE]):
                self.query(name, f'ALTER DATABASE "{hidden}" RENAME TO "{hidden.removeprefix(HIDDEN)}"')
            store.refill_spares(count)

    def sessions(self) -> int:
        """Sessions ever opened on both servers (pg_stat_database; this bench's own connections stay open)."""
        total = 0
        for name in self.stores:
            self.query(name, "SELECT pg_stat_clear_snapshot()")
            total += int(self.query(name, "SELECT sum(sessions) FROM pg_stat_database")[0][0])
        return total

    def connect_time(self) -> float:
        """Seconds to open (and close) one connection to pg1: what every new server session costs now."""
        import psycopg

        started = time.perf_counter()
        psycopg.connect(f"{self.urls['pg1']}/postgres").close()
        return time.perf_counter() - started

    def rename_time(self) -> float:
        """Seconds of one ALTER DATABASE ... RENAME of a spare on pg1 over an open connection (the floor)."""
        spare = self.spares("pg1")[0]
        started = time.perf_counter()
        self.query("pg1", f'ALTER DATABASE "{spare}" RENAME TO "{HIDDEN}{spare}"')
        elapsed = time.perf_counter() - started
        self.query("pg1", f'ALTER DATABASE "{HIDDEN}{spare}" RENAME TO "{spare}"')
        return elapsed

    def close(self) -> None:
        for connection in self.admin.values():
            connection.close()


@dataclass
class Creation:
    wall: float  # seconds of the service call
    step: float  # TenantSchemaState.duration_ms, in seconds
    server: str
    spare_taken: bool
    sessions: int  # server sessions the call opened (both servers)


def create_one(number: int, way: str, pools: Pools, spares: int, plan) -> Creation:
    """Make one company `way` ("template" or "spare") and time it."""
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    from subscription.models import Company, Subscription, TenantSchemaState
    from subscription.services import company_create

    if way == "spare":
        settings.TENANT_SPARE_DATABASES = spares
        pools.fill(spares)
    else:
        settings.TENANT_SPARE_DATABASES = 0
        pools.hide()
    before = {name: len(pools.spares(name)) for name in pools.stores}
    sessions = pools.sessions()
    started = time.perf_counter()
    company = company_create(
        name=f"Bench {way} {number}", slug=f"{way[0]}-{number:04d}", plan=plan, status=Subscription.Status.ACTIVE
    )
    wall = time.perf_counter() - started
    sessions = pools.sessions() - sessions
    HUEY.flush()  # the queued refill job: the bench refills the pools itself, untimed
    if company.lifecycle != Company.Lifecycle.ACTIVE:
        raise SystemExit(f"{company.slug} is {company.lifecycle}, not active")
    step = TenantSchemaState.objects.get(company=company).duration_ms / 1000
    taken = len(pools.spares(company.server)) < before[company.server]
    return Creation(wall, step, company.server, taken, sessions)


def measure(urls: list[str], companies: int, spares: int) -> None:
    from django.conf import settings

    from subscription.storage import server_storage

    names = {f"pg{n}": url for n, url in enumerate(urls, 1)}
    settings.TENANT_SERVERS = ",".join(f"{name}={url}/{PREFIX}_{{slug}}" for name, url in names.items())
    plan = scale.bench_plan()
    for name in names:
        server_storage(name).template_name()  # built once per server and migration state, not timed
    pools = Pools(names)
    print(f"load average at the start: {load()} ({os.cpu_count()} cores)", flush=True)
    results: dict[str, list[Creation]] = {"template": [], "spare": []}
    connects, renames = [], []
    try:
        for number in range(-2, companies):  # two rounds of warm-up, not counted
            ways = ("template", "spare") if number % 2 == 0 else ("spare", "template")
            for way in ways:
                creation = create_one(number + 2, way, pools, spares, plan)
                if number >= 0:
                    results[way].append(creation)
            if number < 0:
                continue
            connects.append(pools.connect_time())
            pools.fill(spares)
            renames.append(pools.rename_time())
            if (number + 1) % 50 == 0:
                print(f"  … {number + 1} companies each way", file=sys.stderr, flush=True)
    finally:
        pools.close()
    print(f"load average at the end:   {load()}")
    report(results, companies, spares, connects, renames)


def report(
    results: dict[str, list[Creation]], companies: int, spares: int, connects: list[float], renames: list[float]
) -> None:
    rows = {}
    print(f"\n{companies} companies each way over pg1 and pg2, interleaved; median / p95 in ms")
    print(f"{'':46} {'service call (until active)':>28} {'database step (duration_ms)':>28}")
    for way, label in (
        ("template", "without spares: CREATE DATABASE ... TEMPLATE"),
        ("spare", f"with spares ({spares} a server): a spare renamed"),
    ):
        walls = [creation.wall for creation in results[way]]
        steps = [creation.step for creation in results[way]]
        rows[way] = (scale.median(walls), p95(walls), scale.median(steps), p95(steps))
        wall_median, wall_p95, step_median, step_p95 = (value * 1000 for value in rows[way])
        print(f"{label:46} {wall_median:16.1f} / {wall_p95:7.1f}   {step_median:16.1f} / {step_p95:7.1f}")
    template, spare = rows["template"], rows["spare"]
    print(
        f"{'ratio (without / with spares)':46} {template[0] / spare[0]:15.1f}x / {template[1] / spare[1]:6.1f}x"
        f"   {template[2] / spare[2]:15.1f}x / {template[3] / spare[3]:6.1f}x"
    )
    for way in results:
        taken = sum(creation.spare_taken for creation in results[way])
        placed = {name: sum(c.server == name for c in results[way]) for name in ("pg1", "pg2")}
        sessions = scale.median(creation.sessions for creation in results[way])
        print(
            f"{way:>8}: spares taken {taken} of {companies}; placed {placed}; "
            f"server sessions opened a creation (median) {sessions:.0f}"
        )
    print(
        f"opening one connection to pg1 meanwhile (median / p95): {scale.median(connects) * 1000:.1f} / {p95(connects) * 1000:.1f} ms"
    )
    print(
        f"renaming a spare over an open connection (the floor), median / p95: "
        f"{scale.median(renames) * 1000:.2f} / {p95(renames) * 1000:.2f} ms"
    )
    verdict = "met" if spare[0] * 1000 <= 15 else "not met"
    print(f"target <= 15 ms median with spares (service call): {spare[0] * 1000:.1f} ms, {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=200, help="companies made each way (default 200)")
    parser.add_argument("--spares", type=int, default=2, help="spares kept on each server (default 2)")
    parser.add_argument("--quick", action="store_true", help="20 companies each way")
    args = parser.parse_args()
    companies = 20 if args.quick else args.companies

    workdir = Path(tempfile.mkdtemp(prefix="bench-create-on-postgres-"))
    scale.bench_environment(workdir)
    os.environ.update(HUEY_IMMEDIATE="False", HUEY_DB=str(workdir / "huey.db"), REDIS_URL="")
    servers = []
    try:
        scale.setup_django()
        from subscription.tests import pgservers

        servers = [pgservers.PostgresServer.start() for _n in range(2)]
        measure([server.url for server in servers], companies, args.spares)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
