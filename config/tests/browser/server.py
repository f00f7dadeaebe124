"""The product served as `make run` serves it, on fresh data of its own, and a headless Chromium to drive it.

Used by the browser suite (conftest.py) and by `make screenshots` (docs/screenshots/take.py).
"""

from __future__ import annotations

import ctypes
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "demo"
# This machine's network may be closed: nothing in the browser may try to reach the outside.
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
INHERITED = {"PATH", "HOME", "LANG", "TMPDIR", "VIRTUAL_ENV"}
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the process that started it dies, even killed by a signal."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: stop() is then the only way the server ends


def chromium_path() -> str | None:
    """Debian's Chromium (apt-get install chromium), if it is installed; no browser is ever downloaded."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_chromium(playwright):
    """Headless Chromium from the system, without a sandbox when run as root (Chromium refuses otherwise)."""
    flags = [*CHROMIUM_FLAGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    return playwright.chromium.launch(executable_path=chromium_path(), args=flags)


class DemoServer:
    """gunicorn on a free loopback port, DEBUG off as in production (HTTPS off), on demo data made in `folder`.

    The master database and the company databases live in `folder`; the settings come from the
    environment only (the repository's .env is not read).
    """

    def __init__(self, folder: Path, *, workers: int = 2, threads: int = 4) -> None:
        self.folder = Path(folder)
        self.workers, self.threads = workers, threads
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.log_path = self.folder / "gunicorn.log"
        # Only what a shell needs from the outside: the product's settings are all given here, so a
        # developer's own environment (DATABASE_URL, TENANT_SERVERS, ...) cannot leak into the run.
        inherited = {name: value for name, value in os.environ.items() if name in INHERITED or name.startswith("LC_")}
        self.env = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ENV_FILE": "",
            "DEBUG": "False",
            "HTTPS": "False",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{self.folder / 'master.sqlite3'}",
            "TENANT_DB_DIR": str(self.folder / "tenants"),
            "TENANT_DATABASE_URL": "",
            "LANGUAGE_CODE": "az",
            "DEMO_PASSWORD": PASSWORD,
            "SUPERUSER_2FA": "False",
            "PYTHONUNBUFFERED": "1",
            # The job worker runs beside gunicorn, as `make run` starts it, on a queue of this server's own.
            "HUEY_DB": str(self.folder / "huey.db"),
            "BACKUP_DIR": str(self.folder / "backups"),
            "JOB_FILES_DIR": str(self.folder / "job-files"),
        }
        self.worker: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        """Run a management command against the server's data; raises CalledProcessError with its output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def prepare(self) -> None:
        """What `make setup` does, on the fresh databases of this server."""
        (self.folder / "tenants").mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput")
        self.manage("migrate_tenants")
        self.manage("seed_demo")
        self.manage("refresh_platform_stats")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")

    def start(self, timeout: float = 60) -> str:
        """Start gunicorn and the job worker, and wait until /health/ answers; returns the base URL."""
        self.worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey"],
            cwd=ROOT,
            env=self.env,
            stdout=(self.folder / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                "127.0.0.1:0",  # the kernel picks a free port; gunicorn's log says which
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--no-control-socket",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # started before any other thread of ours
        )
        deadline = time.monotonic() + timeout
        while not self.url:
            match = LISTENING.search(self.log_path.read_text())
            if match:
                self.url = f"http://127.0.0.1:{match.group(1)}"
            elif self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.log_path.read_text()}")
            else:
                time.sleep(0.05)  # polling the log for a condition, not waiting a fixed time
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn does not answer /health/:\n{self.log_path.read_text()}")
            time.sleep(0.05)
        return self.url

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health/", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGINT)  # the worker's graceful stop, as Ctrl+C in `make run`
            try:
                self.worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()
        self.worker = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""
