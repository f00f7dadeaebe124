"""Tenant-routed `/doctors/` throughput against the same page on a single-database variant of the project.

    .venv/bin/python bench/throughput.py [--companies 1000] [--doctors 200] [--rounds 15] [--requests 20]

Two worker processes, each with a throw-away master database in a temporary folder:
- routed: the project as it is (bench/settings_routed.py): one database per company, made by
  `company_create`; `--companies` companies, each with a manager;
- single: bench/settings_single_db.py: every table in the master database, a bench-only middleware
  that sets `request.tenant` without selecting a database; the same companies, users and sessions.
The measured company has `--doctors` doctors (the same rows in both); its manager asks for
`/doctors/`. Requests are handed to the project's WSGI application in the worker (the whole
middleware stack, request_started/request_finished and their connection clean-up, the router,
the templates), not over a socket: both variants would pay the same HTTP parsing, and a load
generator would take CPU from the server on this 2-core machine. Rounds of `--requests` requests
alternate between the workers (routed first, then single first), so a load change hits both.
Each worker first measures while fresh, then serves `/doctors/` once to every other company's
manager (the routed worker then has used every company), then measures again.
Prints the median requests/second over the rounds, by the wall clock and from the worker's CPU
time (what one idle core would serve; steadier when other jobs share the machine), and the median
of the routed / single ratios of adjacent rounds. Goal after the core's rewrite: >= 0.97 after
1,000 companies.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402

SETTINGS = {"routed": "bench.settings_routed", "single": "bench.settings_single_db"}
PAGE = "/doctors/"


# --- The worker processes ---------------------------------------------------------------------------
def prepare(variant: str, companies: int, doctors: int):
    """The measured company with its doctors and manager, and `companies - 1` others with a manager each."""
    from doctors.models import Doctor
    from subscription.models import Company, Subscription
    from subscription.services import company_create
    from subscription.tenancy import use_tenant

    plan = scale.bench_plan()
    if variant == "routed":
        main = company_create(name="Bench main", slug="bench-main", plan=plan, status=Subscription.Status.ACTIVE)
        others, _seconds = scale.make_companies(companies - 1, report=False)
    else:
        # One database: nothing to provision, the company rows only.
        made = []
        for slug in ["bench-main", *(f"bench-{n:04d}" for n in range(companies - 1))]:
            company = Company.objects.create(name=slug, slug=slug)
            Subscription.objects.create(company=company, plan=plan, status=Subscription.Status.ACTIVE)
            made.append(company)
        main, others = made[0], made[1:]
    manager = scale.make_manager(main)
    with use_tenant(main) if variant == "routed" else nullcontext():
        Doctor.objects.bulk_create(scale.doctor_rows(doctors, created_by=manager))
    return manager, [scale.make_manager(company) for company in others]


def get_page(application, cookie: str) -> None:
    status, size = scale.wsgi_get(application, PAGE, cookie)
    if status != 200 or size < 1000:
        raise SystemExit(f"{PAGE} answered {status} ({size} bytes)")


def worker(variant: str, workdir: Path, companies: int, doctors: int, requests: int) -> None:
    """Prepare, then answer commands read from stdin ("round", "serve", "quit") with one JSON line each."""
    started = time.perf_counter()
    scale.bench_environment(workdir, settings=SETTINGS[variant])
    scale.setup_django(reference_data=True)
    from django.core.wsgi import get_wsgi_application

    manager, others = prepare(variant, companies, doctors)
    cookie = scale.session_cookie(manager)
    other_cookies = [scale.session_cookie(user) for user in others]
    application = get_wsgi_application()
    for _warm_up in range(10):  # templates, translations, the company's connection settings
        get_page(application, cookie)

    def reply(**message) -> None:
        print(json.dumps(message), flush=True)

    reply(ready=True, seconds=time.perf_counter() - started, aliases=scale.tenant_alias_count())
    for line in sys.stdin:
        command = line.strip()
        if command == "round":
            wall, cpu = scale.timed(lambda: get_page(application, cookie), repeat=requests)
            reply(wall=wall, cpu=cpu)
        elif command == "serve":
            serving = time.perf_counter()
            for other in other_cookies:
                status, _size = scale.wsgi_get(application, PAGE, other)
                if status != 200:
                    raise SystemExit(f"{PAGE} answered {status} to another company's manager")
            reply(served=len(other_cookies), seconds=time.perf_counter() - serving, aliases=scale.tenant_alias_count())
        else:
            break


# --- The conductor -------------------------------------------------------------------------------------
class Worker:
    def __init__(self, variant: str, workdir: Path, args: argparse.Namespace) -> None:
        self.variant = variant
        command = [sys.executable, __file__, "--worker", variant, "--workdir", str(workdir / variant)]
        command += ["--companies", str(args.companies), "--doctors", str(args.doctors)]
        command += ["--requests", str(args.requests)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=scale.ROOT
        )

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.answer()

    def answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.variant} worker stopped (exit status {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
            except BrokenPipeError:
                pass
            self.process.wait(timeout=60)


def measure(workers: dict[str, Worker], rounds: int) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {name: [] for name in workers}
    for round_ in range(rounds):
        # Alternate which goes first, so that neither always follows the other's caches or load.
        order = list(workers.items()) if round_ % 2 == 0 else list(reversed(workers.items()))
        for name, worker_ in order:
            results[name].append(worker_.ask("round"))
    return results


def report(phase: str, rounds: dict[str, list[dict]]) -> None:
    """Median requests/second of each variant, and the median of the ratios of adjacent rounds."""
    for clock in ("wall", "cpu"):
        rates = {name: [1 / result[clock] for result in results] for name, results in rounds.items()}
        pairs = [routed / single for routed, single in zip(rates["routed"], rates["single"], strict=True)]
        label = f"{phase}, {'wall clock' if clock == 'wall' else 'from CPU time'}"
        print(
            f"{label:<42} {scale.median(rates['single']):8.1f} {scale.median(rates['routed']):8.1f} "
            f"{scale.median(pairs):8.3f} ({min(pairs):.2f}–{max(pairs):.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1000, help="companies the worker serves (default 1,000)")
    parser.add_argument("--doctors", type=int, default=200, help="doctors of the measured company")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=20, help="requests a round")
    parser.add_argument("--worker", choices=sorted(SETTINGS), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.companies < 1:
        parser.error("--companies must be 1 or more")
    if args.worker:
        worker(args.worker, Path(args.workdir), args.companies, args.doctors, args.requests)
        return

    workdir = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    workers: dict[str, Worker] = {}
    try:
        for variant in ("routed", "single"):  # one after the other: the machine has 2 cores
            workers[variant] = Worker(variant, workdir, args)
            ready = workers[variant].answer()
            print(f"{variant}: {args.companies} companies, users and sessions made in {ready['seconds']:.1f} s")
        fresh = measure(workers, args.rounds)
        served = {name: worker_.ask("serve") for name, worker_ in workers.items()}
        after = measure(workers, args.rounds)
    finally:
        for worker_ in workers.values():
            worker_.close()
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\n{PAGE} as a manager, {args.doctors} doctors (50 a page), SQLite, production mode; "
        f"{args.rounds} rounds of {args.requests} requests through the WSGI application, medians"
    )
    for name, result in served.items():
        print(
            f"{name}: served {result['served']} other companies in {result['seconds']:.1f} s; "
            f"connection aliases afterwards: {result['aliases']}"
        )
    print(f"{'requests/second':<42} {'single':>8} {'routed':>8} {'ratio routed / single (min–max)':>32}")
    report("fresh worker", fresh)
    report(f"after serving {args.companies} companies", after)
    print("goal after the rewrite, after 1,000 companies: ratio >= 0.97")
    print(scale.machine_line())


if __name__ == "__main__":
    main()
