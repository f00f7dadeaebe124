"""Concurrent writes to two companies through gunicorn: no "database is locked", no data crossing.

    .venv/bin/python bench/concurrency.py [--clients 8] [--seconds 10] [--workers 2] [--threads 4]

Makes a throw-away master and two companies (SQLite files), starts gunicorn on a free loopback
port, and runs client threads that log in as each company's manager and add doctors through the
real form (GET for the CSRF token, POST), half of them for each company. The baseline is the same
load with one client. Prints requests per second, latency percentiles and errors, then checks
every doctor landed in its own company's database and nowhere else.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.post("/accounts/login/", {"username": username, "password": "bench-pass"})

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict) -> int:
        token = TOKEN.search(self.get(path)).group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def load(base: str, clients: int, seconds: float, place: dict) -> dict:
    latencies: list[float] = []
    failures: list[int] = []
    made: dict[str, list[str]] = {"acme": [], "globex": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work(number: int) -> None:
        slug = "acme" if number % 2 == 0 else "globex"
        client = Client(base, f"{slug}_manager")
        sequence = 0
        while time.monotonic() < deadline:
            sequence += 1
            code = f"{slug[0].upper()}{number:02d}-{sequence:05d}"
            fields = {"code": code, "last_name": f"Bench{slug}", "first_name": "Test", "category": "B", **place}
            started = time.perf_counter()
            status = client.post("/doctors/add/", fields)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status in (200, 302):
                    made[slug].append(code)
                else:
                    failures.append(status)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "failures": failures,
        "made": made,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-concurrency-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'master.db'}",
        "TENANT_DB_DIR": str(workdir / "tenants"),
        "TENANT_DATABASE_URL": "",
        "DEMO_PASSWORD": "bench-pass",
        "ENV_FILE": "",
        "DEBUG": "True",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from doctors.models import Doctor
    from regions.models import City
    from subscription.models import Company, SubscriptionPlan
    from subscription.tenancy import close_tenant_connections, use_tenant

    SubscriptionPlan.objects.update(max_doctors=None)  # the bench adds thousands of doctors
    city = City.objects.get(code="baku")
    place = {"region": city.region_id, "city": city.pk, "specialization": 1}

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _attempt in range(50):
            try:
                urllib.request.urlopen(base + "/health/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        baseline = load(base, 1, args.seconds / 2, place)
        loaded = load(base, args.clients, args.seconds, place)
    finally:
        server.terminate()
        server.wait(timeout=30)

    leaks = 0
    for company in Company.objects.filter(slug__in=["acme", "globex"]):
        with use_tenant(company):
            codes = set(Doctor.objects.filter(last_name__startswith="Bench").values_list("code", flat=True))
            expected = set(baseline["made"][company.slug] + loaded["made"][company.slug])
            leaks += len(codes - expected) + len(expected - codes)
            wrong = Doctor.objects.exclude(last_name__in=["", f"Bench{company.slug}"]).filter(
                last_name__startswith="Bench"
            )
            leaks += wrong.count()
    close_tenant_connections()

    print(f"gunicorn {args.workers} workers × {args.threads} threads, SQLite, doctors added through the form")
    for name, figures in (("1 client (baseline)", baseline), (f"{args.clients} clients", loaded)):
        print(
            f"{name:<22} {figures['requests']:>6} adds  {figures['per_second']:7.1f}/s  "
            f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  failures {len(figures['failures'])}"
        )
    print(f"throughput ratio (loaded / baseline): {loaded['per_second'] / baseline['per_second']:.2f}x")
    print(f"doctors missing, extra or in the wrong company: {leaks}")
    if loaded["failures"] or baseline["failures"] or leaks:
        sys.exit(1)


if __name__ == "__main__":
    main()
