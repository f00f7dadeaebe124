"""`make run`'s server (config/serve.py): gunicorn and the job worker start together, and one interrupt
(Ctrl+C) stops both, gracefully, leaving no process behind."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_one_interrupt_stops_the_web_server_and_the_worker(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ENV_FILE": "",
        "DEBUG": "True",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'master.sqlite3'}",
        "TENANT_DB_DIR": str(tmp_path / "tenants"),
        "HUEY_DB": str(tmp_path / "huey.db"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        serve = subprocess.Popen(
            [sys.executable, "config/serve.py", "--port", str(port), "--workers", "1", "--threads", "1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            text = log.read_text()
            if "Huey consumer started" in text:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
            assert serve.poll() is None and time.monotonic() < deadline, text
            time.sleep(0.1)
        text = log.read_text()
        pids = [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", text)]
        pids += [int(pid) for pid in re.findall(r"Huey consumer started with .* PID (\d+)", text)]
        pids += [int(pid) for pid in re.findall(r"Listening at: \S+ \((\d+)\)", text)]
        assert len(pids) == 3, text
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=40) == 0
        text = log.read_text()
        assert "Shutting down gracefully" in text and "Consumer exiting" in text
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in pids)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
