"""Plumbing of the test harness of real servers (pgservers.py): binaries, users, ports, folders, cleanup."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

FOLDER_PREFIX = "medrep-pgserver-"
SYSTEM_USER = "postgres"
_live: set = set()
_live_lock = threading.Lock()


class HarnessUnavailable(RuntimeError):
    """The binaries (or the system user) the harness needs are missing; the message says what to install."""


# --- Binaries, users, ports ------------------------------------------------------------------------
def postgres_bindir() -> Path:
    """The folder of initdb, pg_ctl, pg_basebackup...; raise HarnessUnavailable if there is none."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = Path(
            subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        )
        if (bindir / "initdb").exists():
            return bindir
    # Debian's pg_config (libpq-dev) may answer for the client only; the server lives beside it.
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    raise HarnessUnavailable(
        "No PostgreSQL server binaries (initdb, pg_ctl) found: install them (Debian: apt-get install -y postgresql)."
    )


def pgbouncer_binary() -> str:
    """The pgbouncer executable; raise HarnessUnavailable if it is not installed."""
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise HarnessUnavailable("pgbouncer is not installed: apt-get install -y pgbouncer")
    return found


def as_server_user() -> list[str]:
    """The command prefix that runs a binary as a non-root user (nothing when we are not root)."""
    if os.geteuid() != 0:
        return []
    try:
        import pwd

        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise HarnessUnavailable(
            f"Tests run as root, and PostgreSQL refuses root, but there is no '{SYSTEM_USER}' system user to run it as."
        ) from None
    # setpriv execs the binary itself (no intermediate process), so signals reach it directly.
    return ["setpriv", f"--reuid={SYSTEM_USER}", f"--regid={SYSTEM_USER}", "--init-groups", "--"]


def own_folder(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, SYSTEM_USER, SYSTEM_USER)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_as_server_user(command: list[str], *, cwd: Path, timeout: float = 60) -> str:
    """Run a harness command as the server user; raise RuntimeError with its output if it fails."""
    result = subprocess.run(
        [*as_server_user(), *command], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def new_folder(kind: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{kind}-"))
    (folder / "owner.pid").write_text(str(os.getpid()))
    own_folder(folder)
    return folder


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs (one that ended but is not yet reaped counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned_folders() -> list[Path]:
    """Stop the servers and remove the folders of harness runs whose process is gone; return those folders."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            owner = int((folder / "owner.pid").read_text())
        except (OSError, ValueError):
            owner = 0
        if owner and pid_alive(owner):
            continue
        if (folder / "data" / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                run_as_server_user(
                    [str(postgres_bindir() / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop"],
                    cwd=folder,
                )
        _kill_pidfile(folder / "pgbouncer.pid")
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _kill_pidfile(pidfile: Path) -> None:
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)


def track(obj) -> None:
    with _live_lock:
        _live.add(obj)


def untrack(obj) -> None:
    with _live_lock:
        _live.discard(obj)


@atexit.register
def stop_all() -> None:
    """Stop everything this process started and has not stopped (the last line of defence)."""
    with _live_lock:
        live = list(_live)
    # Each object's stop_order: PgBouncers first, replicas before primaries.
    for obj in sorted(live, key=lambda obj: obj.stop_order):
        with contextlib.suppress(Exception):
            obj.stop()


def stop_on_sigterm() -> None:
    """Make SIGTERM end this process like Ctrl+C, so that cleanup (fixtures, atexit) runs.

    Without it a terminated test run would leave its servers running until the next run removes them.
    Only the main thread may install handlers, and a handler someone else installed is kept.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        global _installed_by
        _installed_by = os.getpid()
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


_installed_by = 0


def _raise_keyboard_interrupt(signum, frame):
    if os.getpid() != _installed_by:
        # A forked child (a pool's worker, say) inherited the handler: it must simply end, as it would have.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt(f"signal {signum}")


def wait_for(check, *, timeout: float, what: str, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)
