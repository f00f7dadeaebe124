"""A real server for tests that need one: gunicorn on a free port, with a master database and company
databases of its own in a temporary folder, and HTTP clients that log in as a user would."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Live-site-pass-9"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    status: int
    seconds: float
    text: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies and CSRF like a browser's, over urllib."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        # Answers a redirect as itself (status 302), for tests that must tell a saved form from what follows.
        self.no_redirects = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects)

    def request(self, path: str, data: dict | None = None, timeout: float = 60, *, follow: bool = True) -> Answer:
        body = None
        headers = {"Referer": self.base + path}
        if data is not None:
            token = next((cookie.value for cookie in self.jar if cookie.name == "csrftoken"), "")
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **data}).encode()
        started = time.perf_counter()
        try:
            opener = self.opener if follow else self.no_redirects
            with opener.open(urllib.request.Request(self.base + path, body, headers), timeout=timeout) as reply:
                return Answer(reply.status, time.perf_counter() - started, reply.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, time.perf_counter() - started, error.read().decode())

    def log_in(self, username: str, password: str = PASSWORD) -> None:
        self.request("/accounts/login/")
        answer = self.request("/accounts/login/", {"username": username, "password": password})
        assert answer.status == 200 and "logout" in answer.text, answer.text[:500]


class LiveSite:
    """`manage.py` commands and a gunicorn server against databases in `folder`."""

    def __init__(self, folder: Path, *, threads: int = 8, **environment: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.threads = threads
        self.env = {
            **os.environ,
            "ENV_FILE": "",
            "DEBUG": "False",
            "HTTPS": "False",
            "SECRET_KEY": "live-site-tests-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{folder / 'master.db'}",
            "TENANT_DB_DIR": str(folder / "tenants"),
            "STATIC_ROOT": str(folder / "static"),
            **environment,
        }
        self.server: subprocess.Popen | None = None
        self.log_path = folder / f"gunicorn-{self.port}.log"

    def log(self) -> str:
        """What the server wrote to its error stream (tracebacks of 500s among it)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stderr[-2000:]}"
        return result.stdout

    def set_up(self, companies: list[str]) -> None:
        """Master database, reference data, and each company with an owner `<slug>_owner` and a few doctors."""
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.manage("load_reference_data")
        script = (
            "from doctors.tests.factories import DoctorFactory\n"
            "from subscription.services import user_create\n"
            "from subscription.tenancy import use_tenant\n"
            "from subscription.tests.factories import CompanyFactory\n"
            f"for slug in {companies!r}:\n"
            "    company = CompanyFactory(slug=slug, name=slug.title())\n"
            f"    user_create(username=slug + '_owner', password={PASSWORD!r}, company=company, role='owner')\n"
            "    with use_tenant(company):\n"
            "        DoctorFactory.create_batch(5)\n"
        )
        self.manage("shell", "-c", script)

    def start(self) -> None:
        self.server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
                "--workers", "1", "--threads", str(self.threads), "--timeout", "120",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_path, "ab"),  # noqa: SIM115 - the server writes it until stopped
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/health/", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the test server did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)

    def browser(self, username: str) -> Browser:
        browser = Browser(self.base)
        browser.log_in(username)
        return browser

    def database(self, slug: str) -> Path:
        return self.folder / "tenants" / f"tenant_{slug}.db"
