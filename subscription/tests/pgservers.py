"""Real, throw-away PostgreSQL servers (and PgBouncer) for tests of the scale-out path.

    primary = PostgresServer.start()        # initdb into a temporary folder, pg_ctl on a free port
    replica = start_replica(primary)        # pg_basebackup -R, streaming, hot standby
    bouncer = PgBouncer.start(primary)      # transaction pooling in front of `primary`
    ...
    bouncer.stop(); replica.stop(); primary.stop()   # processes ended, folders removed

Every server lives in a folder of its own under the system temporary folder, listens on a free
loopback port (and a unix socket inside that folder), trusts every local connection and is tuned
for tests (fsync off, small shared buffers). PostgreSQL and PgBouncer refuse to run as root, so
where the tests run as root (CI) the binaries run as the `postgres` system user, which owns the
folder. Each folder records the process that started it; a later run removes the folders (and
stops the servers) of a run that was killed before it could clean up.

Replica lag, as the product is to measure it: on the replica, `now() -
pg_last_xact_replay_timestamp()`, but 0 when everything received has been replayed. The plain
difference keeps growing while the primary is idle (the last replayed commit gets older although
nothing is missing); comparing the received and replayed WAL positions removes that. What remains
overstates the lag right after an idle spell (the first new commit arrives; until it is replayed,
the lag is measured from the previous commit), which errs on the safe side: reads go to the primary.
"""

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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

FOLDER_PREFIX = "medrep-pgserver-"
SYSTEM_USER = "postgres"
_live: set[PostgresServer | PgBouncer] = set()
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


def _as_server_user() -> list[str]:
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


def _own_folder(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, SYSTEM_USER, SYSTEM_USER)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str], *, cwd: Path, timeout: float = 60) -> str:
    """Run a harness command as the server user; raise RuntimeError with its output if it fails."""
    result = subprocess.run(
        [*_as_server_user(), *command], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _new_folder(kind: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{kind}-"))
    (folder / "owner.pid").write_text(str(os.getpid()))
    _own_folder(folder)
    return folder


def _pid_alive(pid: int) -> bool:
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
        if owner and _pid_alive(owner):
            continue
        if (folder / "data" / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                _run(
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


def _track(obj) -> None:
    with _live_lock:
        _live.add(obj)


def _untrack(obj) -> None:
    with _live_lock:
        _live.discard(obj)


@atexit.register
def stop_all() -> None:
    """Stop everything this process started and has not stopped (the last line of defence)."""
    with _live_lock:
        live = list(_live)
    # PgBouncers first, replicas before primaries.
    for obj in sorted(live, key=lambda o: (not isinstance(o, PgBouncer), not getattr(o, "is_replica", False))):
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
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _wait_for(check, *, timeout: float, what: str, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)


# --- PostgreSQL -------------------------------------------------------------------------------------
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "wal_level": "replica",
    "max_wal_senders": "5",
    "wal_keep_size": "'128MB'",
    "hot_standby": "on",
    "max_connections": "100",
    "shared_buffers": "'16MB'",
    "fsync": "off",
    "full_page_writes": "off",
    "logging_collector": "off",
    "log_min_messages": "warning",
}


class PostgresServer:
    """One PostgreSQL server in a temporary folder: `url`, `execute()`, `stop()`."""

    def __init__(self, folder: Path, port: int, *, is_replica: bool = False) -> None:
        self.folder = folder
        self.port = port
        self.is_replica = is_replica
        self.bindir = postgres_bindir()

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        """postgres://postgres@127.0.0.1:PORT (append /DBNAME for a database)."""
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def database_url(self, name: str = "postgres") -> str:
        return f"{self.url}/{name}"

    def django_settings(self, name: str) -> dict:
        """Django database settings of database `name` on this server."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": SYSTEM_USER,
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }

    def __repr__(self) -> str:
        return f"<PostgresServer {'replica ' if self.is_replica else ''}{self.url} in {self.folder}>"

    @classmethod
    def start(cls, *, settings: dict[str, str] | None = None) -> PostgresServer:
        """initdb a new server into a temporary folder and start it; raise HarnessUnavailable without binaries."""
        bindir = postgres_bindir()
        folder = _new_folder("primary")
        try:
            _run(
                [str(bindir / "initdb"), "-D", str(folder / "data"), "-U", SYSTEM_USER, "--auth=trust"]
                + ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"],
                cwd=folder,
            )
            server = cls(folder, 0)
            server._configure({**SERVER_SETTINGS, **(settings or {})})
            server._start_on_free_port()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return server

    def _configure(self, values: dict[str, str]) -> None:
        (self.folder / "socket").mkdir(exist_ok=True)
        _own_folder(self.folder / "socket")
        values = {**values, "unix_socket_directories": f"'{self.folder / 'socket'}'"}
        # A file of our own, included last, so its values win over whatever initdb or a base backup wrote.
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\ninclude 'harness.conf'\n")
        self._write_harness_conf(values)

    def _write_harness_conf(self, values: dict[str, str]) -> None:
        (self.data / "harness.conf").write_text("".join(f"{key} = {value}\n" for key, value in values.items()))
        _own_folder(self.data / "harness.conf")

    def _start_on_free_port(self) -> None:
        conf = self.data / "harness.conf"
        base = conf.read_text()
        last_error: Exception | None = None
        for _attempt in range(5):  # another process may take the free port before the server binds it
            self.port = free_port()
            conf.write_text(base + f"port = {self.port}\n")
            try:
                _run(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log")]
                    + ["-w", "-t", "60", "start"],
                    cwd=self.folder,
                    timeout=90,
                )
            except RuntimeError as error:
                last_error = error
                if "could not bind" not in self.log() and "already in use" not in self.log():
                    raise RuntimeError(f"{error}\nserver log:\n{self.log()}") from None
                continue
            _track(self)
            return
        raise RuntimeError(f"No free port could be bound: {last_error}")

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        """A psycopg connection (autocommit unless told otherwise)."""
        kwargs.setdefault("autocommit", True)
        return psycopg.connect(self.database_url(dbname), connect_timeout=10, **kwargs)

    def execute(self, sql: str, params=None, *, dbname: str = "postgres") -> list[tuple]:
        """Run one statement in its own connection (autocommit) and return its rows (or [])."""
        with self.connect(dbname) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def scalar(self, sql: str, params=None, *, dbname: str = "postgres"):
        rows = self.execute(sql, params, dbname=dbname)
        return rows[0][0] if rows else None

    def create_database(self, name: str, *, template: str = "template0") -> str:
        """CREATE DATABASE `name` (from template0 unless told otherwise); return the name."""
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def client_connections(self, dbname: str | None = None) -> int:
        """The number of client backends (optionally on one database), this query's own excluded."""
        sql = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        if dbname is None:
            return self.scalar(sql)
        return self.scalar(sql + " AND datname = %s", [dbname])

    def stop(self) -> None:
        """Stop the server (immediately: it is a test server) and remove its folder."""
        _untrack(self)
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                _run(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                    cwd=self.folder,
                )
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- on a replica ---------------------------------------------------------------------------------
    def pause_replay(self) -> None:
        """Stop applying WAL on this replica (it keeps receiving it); return once replay is paused."""
        self.execute("SELECT pg_wal_replay_pause()")
        _wait_for(
            lambda: self.scalar("SELECT pg_get_wal_replay_pause_state()") == "paused",
            timeout=10,
            what="replay to pause",
        )

    def resume_replay(self) -> None:
        self.execute("SELECT pg_wal_replay_resume()")

    def replay_lag_seconds(self) -> float:
        """Seconds this replica's data is behind its primary: 0 when all WAL received is replayed."""
        return float(
            self.scalar(
                """
                SELECT CASE
                    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
                END
                """
            )
        )

    def received_lsn(self) -> str:
        return self.scalar("SELECT pg_last_wal_receive_lsn()::text")

    def wait_until_received(self, primary: PostgresServer, *, timeout: float = 20) -> None:
        """Wait until this replica has received (not necessarily replayed) everything the primary wrote."""
        target = primary.scalar("SELECT pg_current_wal_flush_lsn()::text")
        _wait_for(
            lambda: self.scalar("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", [target]),
            timeout=timeout,
            what=f"the replica to receive WAL up to {target}",
        )

    def wait_until_replayed(self, primary: PostgresServer, *, timeout: float = 20) -> None:
        """Wait until this replica has replayed everything the primary wrote so far."""
        target = primary.scalar("SELECT pg_current_wal_flush_lsn()::text")
        _wait_for(
            lambda: self.scalar("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]),
            timeout=timeout,
            what=f"the replica to replay WAL up to {target}",
        )


def start_replica(primary: PostgresServer) -> PostgresServer:
    """A streaming hot-standby replica of `primary` (pg_basebackup -R), started on another free port."""
    folder = _new_folder("replica")
    try:
        _run(
            [str(primary.bindir / "pg_basebackup"), "-D", str(folder / "data"), "-R", "-X", "stream"]
            + ["-c", "fast", "--no-sync", "-h", "127.0.0.1", "-p", str(primary.port), "-U", SYSTEM_USER],
            cwd=folder,
            timeout=120,
        )
        replica = PostgresServer(folder, 0, is_replica=True)
        # The base backup brought the primary's harness.conf (and its include line): rewrite it for this folder.
        (replica.data / "postmaster.pid").unlink(missing_ok=True)
        (folder / "socket").mkdir()
        _own_folder(folder / "socket")
        replica._write_harness_conf({**SERVER_SETTINGS, "unix_socket_directories": f"'{folder / 'socket'}'"})
        replica._start_on_free_port()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return replica


# --- PgBouncer ---------------------------------------------------------------------------------------
class PgBouncer:
    """PgBouncer in transaction pooling mode in front of one server: `url`, `stop()`.

    Clients must not use server-side prepared statements (PgBouncer before 1.21 cannot carry them
    across transactions): with psycopg pass `prepare_threshold=None`; Django's PostgreSQL backend
    binds parameters on the client by default, which is what it needs.
    """

    def __init__(self, folder: Path, port: int, server: PostgresServer, pool_size: int, process: subprocess.Popen):
        self.folder = folder
        self.port = port
        self.server = server
        self.pool_size = pool_size
        self.process = process

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def database_url(self, name: str = "postgres") -> str:
        return f"{self.url}/{name}"

    def __repr__(self) -> str:
        return f"<PgBouncer {self.url} → {self.server.url}, pool {self.pool_size}>"

    @classmethod
    def start(cls, server: PostgresServer, *, pool_size: int = 5, max_client_conn: int = 500) -> PgBouncer:
        """Start PgBouncer in front of `server`; raise HarnessUnavailable if it is not installed."""
        binary = pgbouncer_binary()
        folder = _new_folder("pgbouncer")
        config = folder / "pgbouncer.ini"
        (folder / "userlist.txt").write_text(f'"{SYSTEM_USER}" ""\n')
        last_error = ""
        for _attempt in range(5):
            port = free_port()
            config.write_text(
                "[databases]\n"
                f"* = host=127.0.0.1 port={server.port}\n"
                "[pgbouncer]\n"
                f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir = {folder}\n"
                f"auth_type = trust\nauth_file = {folder / 'userlist.txt'}\nadmin_users = {SYSTEM_USER}\n"
                f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmin_pool_size = 0\n"
                f"reserve_pool_size = 0\nmax_client_conn = {max_client_conn}\n"
                f"pidfile = {folder / 'pgbouncer.pid'}\nlogfile = {folder / 'pgbouncer.log'}\n"
                "ignore_startup_parameters = extra_float_digits,options\n"
                "server_check_delay = 0\n"
            )
            for name in ("pgbouncer.ini", "userlist.txt"):
                _own_folder(folder / name)
            process = subprocess.Popen(
                [*_as_server_user(), binary, "-q", str(config)],  # -q: it logs to its log file only
                cwd=folder,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl+C in the terminal reaches pytest, which stops it in order
            )
            bouncer = cls(folder, port, server, pool_size, process)
            if bouncer._wait_until_listening():
                _track(bouncer)
                return bouncer
            process.wait(timeout=10)
            last_error = bouncer.log()
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PgBouncer did not start: {last_error}")

    def _wait_until_listening(self, timeout: float = 15) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return True
            time.sleep(0.02)
        self.process.kill()
        return False

    def log(self) -> str:
        path = self.folder / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        """A psycopg connection through PgBouncer (autocommit, no server-side prepared statements)."""
        kwargs.setdefault("autocommit", True)
        return psycopg.connect(self.database_url(dbname), connect_timeout=10, prepare_threshold=None, **kwargs)

    def show(self, what: str) -> list[dict]:
        """Rows of the admin console's SHOW `what` (POOLS, SERVERS, CLIENTS...)."""
        with psycopg.connect(
            self.database_url("pgbouncer"), autocommit=True, prepare_threshold=None, cursor_factory=psycopg.ClientCursor
        ) as conn:
            cursor = conn.execute(f"SHOW {what}")
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def stop(self) -> None:
        """Stop PgBouncer and remove its folder."""
        _untrack(self)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


# --- A set of servers for a test session ---------------------------------------------------------------
class Cluster:
    """Two independent primaries (`pg1`, `pg2`) and a streaming replica of pg1 (`replica`)."""

    def __init__(self, pg1: PostgresServer, pg2: PostgresServer, replica: PostgresServer, started_in: float):
        self.pg1, self.pg2, self.replica = pg1, pg2, replica
        self.started_in = started_in

    def stop(self) -> None:
        for server in (self.replica, self.pg2, self.pg1):
            server.stop()


def start_cluster() -> Cluster:
    """Start pg1 and pg2 side by side, then a replica of pg1; stop what started if anything fails."""
    remove_abandoned_folders()
    stop_on_sigterm()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(PostgresServer.start) for _name in ("pg1", "pg2")]
    servers = [future.result() for future in futures if future.exception() is None]
    try:
        pg1, pg2 = (future.result() for future in futures)  # raises the first failure
        replica = start_replica(pg1)
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return Cluster(pg1, pg2, replica, time.perf_counter() - started)


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
