"""`make run`: the web server (gunicorn) and the job worker (manage.py run_huey) together.

One command and one Ctrl+C: both start, their logs share the terminal, and an interrupt (or either of
them stopping) stops the other, each gracefully; the exit status is the first one to stop's.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 20


def commands(options: argparse.Namespace) -> dict[str, list[str]]:
    python = Path(sys.executable)
    return {
        "web": [
            str(python.with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"{options.host}:{options.port}",
            "--workers",
            str(options.workers),
            "--threads",
            str(options.threads),
            "--access-logfile",
            "-",
        ],
        "worker": [str(python), "manage.py", "run_huey"],
    }


def stop(processes: dict[str, subprocess.Popen]) -> None:
    """Ask each running process to stop (gunicorn: TERM, the worker: INT, both graceful), then make sure."""
    for name, process in processes.items():
        if process.poll() is None:
            process.send_signal(signal.SIGINT if name == "worker" else signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    options = parser.parse_args(argv)
    interrupted = []

    def on_signal(signum, _frame) -> None:
        interrupted.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    # Each child in a session of its own: a Ctrl+C reaches this process only, which stops both in order.
    processes = {
        name: subprocess.Popen(command, cwd=ROOT, start_new_session=True) for name, command in commands(options).items()
    }
    status = 0
    try:
        while not interrupted:
            ended = {name: process.returncode for name, process in processes.items() if process.poll() is not None}
            if ended:
                name, status = next(iter(ended.items()))
                print(f"serve: the {name} stopped (exit status {status}); stopping the rest.", flush=True)
                break
            time.sleep(0.2)
    finally:
        stop(processes)
    return status


if __name__ == "__main__":
    sys.exit(main())
