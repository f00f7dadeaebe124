"""Shared set-up of the scale benchmarks (aliases, throughput, migrate_many, refresh_stats).

Every script works in a throw-away folder: a master SQLite database and a tenant folder of its
own, companies made by the provisioning service (`subscription.services.company_create`), and
only the tenancy core's public entry points, so the scripts run unchanged after the core changes.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LAST_NAMES = ["Məmmədov", "Əliyev", "Hüseynov", "Həsənov", "Quliyev", "İsmayılov", "Rzayev", "Cəfərov", "Abbasov"]
FIRST_NAMES = ["Elçin", "Rəşad", "Tural", "Orxan", "Vüqar", "Aynur", "Günel", "Leyla", "Nərgiz", "Şəbnəm"]


def bench_environment(workdir: Path, *, settings: str = "config.settings") -> dict[str, str]:
    """The environment of a production-mode project on `workdir` (also set in this process); returns it."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": f"sqlite:///{workdir / 'master.db'}",
        "TENANT_DB_DIR": str(workdir / "tenants"),
        "TENANT_DATABASE_URL": "",
        "DEBUG": "False",  # no query log, no debug templates: what a server runs
        "HTTPS": "False",
        "SECRET_KEY": "bench-only-secret-key-0123456789-0123456789-0123456789",
        "ENV_FILE": "",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


def setup_django(*, reference_data: bool = False) -> None:
    """Set Django up and migrate the master database (and load the reference data if asked)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if reference_data:
        with open(os.devnull, "w") as quiet:
            call_command("load_reference_data", verbosity=0, stdout=quiet)


def bench_plan():
    """A plan without limits (the benches add as many companies, users and doctors as they like)."""
    from subscription.models import SubscriptionPlan

    plan, _created = SubscriptionPlan.objects.get_or_create(
        code="bench", defaults={"name": "Bench", "price_monthly": 0, "max_users": None, "max_doctors": None}
    )
    return plan


def make_companies(count: int, *, prefix: str = "bench", start: int = 0, report: bool = True) -> tuple[list, float]:
    """`count` active companies made one by one by the provisioning service; returns them and the seconds taken."""
    from subscription.models import Subscription
    from subscription.services import company_create

    plan = bench_plan()
    companies = []
    started = time.perf_counter()
    width = len(str(start + count))
    for number in range(start, start + count):
        companies.append(
            company_create(
                name=f"Bench {number:0{width}d}",
                slug=f"{prefix}-{number:0{width}d}",
                plan=plan,
                status=Subscription.Status.ACTIVE,
            )
        )
        done = number - start + 1
        if report and done % 250 == 0 and done < count:
            print(f"  … {done} companies in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return companies, time.perf_counter() - started


def make_manager(company, *, username: str | None = None):
    """A manager of `company` without a usable password (logged in with force_login: no hashing)."""
    from subscription.models import UserProfile
    from subscription.services import user_create

    return user_create(
        username=username or f"{company.slug}-manager",
        password=None,
        company=company,
        role=UserProfile.Role.MANAGER,
    )


def doctor_rows(count: int, *, created_by, seed: int = 42) -> list:
    """`count` unsaved doctors spread over the reference data (the same rows for the same seed)."""
    from doctors.models import Doctor
    from regions.models import City, Clinic, Specialization

    rng = random.Random(seed)
    specializations = list(Specialization.objects.order_by("pk"))
    cities = list(City.objects.order_by("pk"))
    clinics: dict[int, list] = {}
    for clinic in Clinic.objects.order_by("pk"):
        clinics.setdefault(clinic.city_id, []).append(clinic)
    rows = []
    for number in range(1, count + 1):
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
                representative=created_by,
                is_kol=rng.random() < 0.1,
                is_active=rng.random() < 0.95,
                created_by=created_by,
            )
        )
    return rows


def wsgi_get(application, path: str, cookies: str = "") -> tuple[int, int]:
    """GET `path` through the WSGI application as a server would (request_started and
    request_finished signals included, unlike the test client); returns the status and body size."""
    from io import BytesIO

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookies,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    status: list[str] = []
    body = application(environ, lambda code, headers, exc_info=None: status.append(code))
    try:
        size = sum(len(chunk) for chunk in body)
    finally:
        body.close()  # fires request_finished, as a server does
    return int(status[0].split()[0]), size


def session_cookie(user) -> str:
    """A Cookie header of a logged-in session of `user` (made by the test client's force_login)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def timed(func: Callable[[], object], *, repeat: int) -> tuple[float, float]:
    """Wall and CPU seconds of one call of `func`, averaged over `repeat` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _round in range(repeat):
        func()
    return (time.perf_counter() - wall) / repeat, (time.process_time() - cpu) / repeat


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def duration(seconds: float, unit: float | None = None) -> str:
    """`seconds` in µs, ms or s (the unit of `unit` seconds when given, so that figures line up)."""
    scale_, name = next(
        (factor, name)
        for limit, factor, name in ((1e-3, 1e6, "µs"), (1.0, 1e3, "ms"), (float("inf"), 1, "s"))
        if (unit if unit is not None else seconds) < limit
    )
    value = seconds * scale_
    return f"{value:.3g} {name}" if value < 1000 else f"{value:,.0f} {name}"


def spread(seconds: Iterable[float]) -> str:
    """'median (min–max)' of durations, for one line of output."""
    values = sorted(seconds)
    middle = statistics.median(values)
    low, high = (duration(value, middle).split()[0] for value in (values[0], values[-1]))
    return f"{duration(middle)} ({low}–{high})"


def tenant_alias_count() -> int:
    """How many tenant connection aliases this process has registered (Django's own mapping)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    return sum(1 for alias in connections.settings if alias != DEFAULT_DB_ALIAS)


def machine_line() -> str:
    return f"CPUs: {os.cpu_count()}, load average at the end: {os.getloadavg()[0]:.2f}"
