"""What a process pays per request after it has used many companies: connection aliases and their loops.

    .venv/bin/python bench/aliases.py [--companies 1000] [--doctors 200] [--rounds 5] [--requests 40] [--loops 500]
        [--use requests|use_tenant]

Makes a throw-away master database and `--companies` companies (the provisioning service, in a
temporary folder), then measures in a fresh process, first after it has used one company (its
manager's `/doctors/` pages), then after it has used every company: by default a `/doctors/`
request of each company's manager through the WSGI application (the middleware selects the
company and cleans up after it, as in a server); with `--use use_tenant`, each selected with
`use_tenant` and asked one query, then `close_old_connections()` as at the end of a request
(what becomes of the thread's connection objects is then up to the core):
- `len(connections.settings)`, the aliases Django's connection handler knows;
- the CPU time of one `django.db.close_old_connections()` (Django runs it at every request's start
  and end) and of one `connections.all()` (CPU time: steadier than the wall clock when other jobs
  share the machine; the same on an idle one);
- the CPU time of one `/doctors/` request of the manager (`--doctors` doctors), through the test
  client and through the WSGI application (which, unlike the test client, sends request_started
  and request_finished, so Django's own connection clean-up runs as under a server).
Prints the medians of `--rounds` rounds and the ratio many / one.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402

MAIN = "bench-main"
PAGE = "/doctors/"


def prepare(workdir: Path, companies: int, doctors: int) -> None:
    """The measured company (a manager, `doctors` doctors) and `companies - 1` others."""
    scale.bench_environment(workdir, settings="bench.settings_routed")
    scale.setup_django(reference_data=True)
    from doctors.models import Doctor
    from subscription.models import Subscription
    from subscription.services import company_create
    from subscription.tenancy import use_tenant

    started = time.perf_counter()
    main = company_create(name="Bench main", slug=MAIN, plan=scale.bench_plan(), status=Subscription.Status.ACTIVE)
    manager = scale.make_manager(main)
    with use_tenant(main):
        Doctor.objects.bulk_create(scale.doctor_rows(doctors, created_by=manager))
    others, seconds = scale.make_companies(companies - 1)
    for company in others:
        scale.make_manager(company)
    print(
        f"made {companies} companies with company_create in {time.perf_counter() - started:.1f} s "
        f"({seconds / max(companies - 1, 1) * 1000:.1f} ms a company)",
        flush=True,
    )


def figures(client, application, cookie: str, args: argparse.Namespace) -> dict[str, object]:
    """The process's aliases, loop times and CPU per request, each the median of `args.rounds` rounds."""
    from django.db import close_old_connections, connections

    def test_client_get() -> None:
        response = client.get(PAGE)
        if response.status_code != 200:
            raise SystemExit(f"{PAGE} answered {response.status_code} through the test client")

    def wsgi_get() -> None:
        status, _size = scale.wsgi_get(application, PAGE, cookie)
        if status != 200:
            raise SystemExit(f"{PAGE} answered {status} through the WSGI application")

    close_old, client_cpu, wsgi_cpu, every = [], [], [], []
    for _round in range(args.rounds):
        close_old.append(scale.timed(close_old_connections, repeat=args.loops)[1])
        client_cpu.append(scale.timed(test_client_get, repeat=args.requests)[1])
        wsgi_cpu.append(scale.timed(wsgi_get, repeat=args.requests)[1])
    # Last: connections.all() makes a connection object for every alias in this thread.
    for _round in range(args.rounds):
        every.append(scale.timed(connections.all, repeat=args.loops)[1])
    return {
        "len(connections.settings)": len(connections.settings),
        "close_old_connections()": close_old,
        "connections.all()": every,
        "CPU a request, test client": client_cpu,
        "CPU a request, WSGI + signals": wsgi_cpu,
    }


def use_companies(companies: list, how: str, application) -> tuple[str, float]:
    """Use each company once in this process, `how`: "requests" or "use_tenant"; say what was done, and in how long."""
    from django.contrib.auth import get_user_model
    from django.db import close_old_connections

    from doctors.models import Doctor
    from subscription.tenancy import use_tenant

    if how == "use_tenant":
        started = time.perf_counter()
        for company in companies:
            with use_tenant(company):
                Doctor.objects.exists()
            close_old_connections()  # what request_finished does
        return "use_tenant + one query + close_old_connections() each", time.perf_counter() - started
    users = get_user_model().objects.in_bulk(
        [f"{company.slug}-manager" for company in companies], field_name="username"
    )
    cookies = [scale.session_cookie(user) for user in users.values()]  # master only: no company is used
    started = time.perf_counter()
    for cookie in cookies:
        status, _size = scale.wsgi_get(application, PAGE, cookie)
        if status != 200:
            raise SystemExit(f"{PAGE} answered {status} to another company's manager")
    return f"a {PAGE} request of its manager each, through the WSGI application", time.perf_counter() - started


def measure(workdir: Path, args: argparse.Namespace) -> None:
    """In a fresh process: figures after one company, use every company, figures again; print them."""
    scale.bench_environment(workdir, settings="bench.settings_routed")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.wsgi import get_wsgi_application
    from django.test import Client

    from subscription.models import Company

    manager = get_user_model().objects.get(username=f"{MAIN}-manager")
    client = Client()
    client.force_login(manager)
    cookie = scale.session_cookie(manager)
    application = get_wsgi_application()
    for _warm_up in range(5):
        client.get(PAGE)
        scale.wsgi_get(application, PAGE, cookie)
    one = figures(client, application, cookie, args)

    others = list(Company.objects.exclude(slug=MAIN).order_by("slug"))
    used, serving = use_companies(others, args.use, application)
    many = figures(client, application, cookie, args)

    total = len(others) + 1
    print(
        f"\nused {len(others)} more companies ({used}) in "
        f"{serving:.2f} s ({serving / max(len(others), 1) * 1000:.2f} ms a company)"
    )
    print(
        f"CPU time, medians of {args.rounds} rounds ({args.loops} calls or {args.requests} requests a round), min–max"
    )
    print(f"{'after using':32} {'1 company':>26} {f'{total} companies':>26}   ratio")
    for name, value in one.items():
        if isinstance(value, int):
            print(f"{name:32} {value:>26} {many[name]:>26} {many[name] / value:7.1f}x")
            continue
        ratio = scale.median(many[name]) / scale.median(value)
        print(f"{name:32} {scale.spread(value):>26} {scale.spread(many[name]):>26} {ratio:7.2f}x")
    print("goal after the rewrite: aliases within the bound, close_old_connections() within 2x of one company")
    print(scale.machine_line())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1000, help="companies the process uses (default 1,000)")
    parser.add_argument("--doctors", type=int, default=200, help="doctors of the measured company")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40, help="requests a round, each way")
    parser.add_argument("--loops", type=int, default=500, help="calls a round of each connection loop")
    parser.add_argument(
        "--use",
        choices=["requests", "use_tenant"],
        default="requests",
        help="how the other companies are used: a request of their manager each (default), or use_tenant + one query",
    )
    parser.add_argument("--measure", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.companies < 2:
        parser.error("--companies must be 2 or more")
    if args.measure:
        measure(Path(args.measure), args)
        return

    workdir = Path(tempfile.mkdtemp(prefix="bench-aliases-"))
    try:
        prepare(workdir, args.companies, args.doctors)
        # A fresh process, so that "used one company" is all it has done.
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--measure", str(workdir)], check=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
