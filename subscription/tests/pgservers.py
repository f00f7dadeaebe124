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

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from subscription.tests.harness import (  # noqa: F401 (the harness's API, used as pgservers.NAME)
    SYSTEM_USER,
    HarnessUnavailable,
    free_port,
    new_folder,
    own_folder,
    pgbouncer_binary,
    postgres_bindir,
    remove_abandoned_folders,
    run_as_server_user,
    stop_all,
    stop_on_sigterm,
    track,
    untrack,
    wait_for,
)
from subscription.tests.pgbouncer import PgBouncer  # noqa: F401

# Company databases on the harness's servers are named `hx_<slug>`: the servers belong to one test process,
# so one prefix for every test lets them share each server's migrated template (built once a session).
HARNESS_PREFIX = "hx"

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
        self.stop_order = 1 if is_replica else 2  # replicas before their primaries
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
        folder = new_folder("primary")
        try:
            run_as_server_user(
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
        own_folder(self.folder / "socket")
        values = {**values, "unix_socket_directories": f"'{self.folder / 'socket'}'"}
        # A file of our own, included last, so its values win over whatever initdb or a base backup wrote.
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\ninclude 'harness.conf'\n")
        self._write_harness_conf(values)

    def _write_harness_conf(self, values: dict[str, str]) -> None:
        (self.data / "harness.conf").write_text("".join(f"{key} = {value}\n" for key, value in values.items()))
        own_folder(self.data / "harness.conf")

    def _start_on_free_port(self) -> None:
        conf = self.data / "harness.conf"
        base = conf.read_text()
        last_error: Exception | None = None
        for _attempt in range(5):  # another process may take the free port before the server binds it
            self.port = free_port()
            conf.write_text(base + f"port = {self.port}\n")
            try:
                run_as_server_user(
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
            track(self)
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
        untrack(self)
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                run_as_server_user(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                    cwd=self.folder,
                )
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- on a replica ---------------------------------------------------------------------------------
    def pause_replay(self) -> None:
        """Stop applying WAL on this replica (it keeps receiving it); return once replay is paused."""
        self.execute("SELECT pg_wal_replay_pause()")
        wait_for(
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
        wait_for(
            lambda: self.scalar("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", [target]),
            timeout=timeout,
            what=f"the replica to receive WAL up to {target}",
        )

    def wait_until_replayed(self, primary: PostgresServer, *, timeout: float = 20) -> None:
        """Wait until this replica has replayed everything the primary wrote so far."""
        target = primary.scalar("SELECT pg_current_wal_flush_lsn()::text")
        wait_for(
            lambda: self.scalar("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]),
            timeout=timeout,
            what=f"the replica to replay WAL up to {target}",
        )


def start_replica(primary: PostgresServer) -> PostgresServer:
    """A streaming hot-standby replica of `primary` (pg_basebackup -R), started on another free port."""
    folder = new_folder("replica")
    try:
        run_as_server_user(
            [str(primary.bindir / "pg_basebackup"), "-D", str(folder / "data"), "-R", "-X", "stream"]
            + ["-c", "fast", "--no-sync", "-h", "127.0.0.1", "-p", str(primary.port), "-U", SYSTEM_USER],
            cwd=folder,
            timeout=120,
        )
        replica = PostgresServer(folder, 0, is_replica=True)
        # The base backup brought the primary's harness.conf (and its include line): rewrite it for this folder.
        (replica.data / "postmaster.pid").unlink(missing_ok=True)
        (folder / "socket").mkdir()
        own_folder(folder / "socket")
        replica._write_harness_conf({**SERVER_SETTINGS, "unix_socket_directories": f"'{folder / 'socket'}'"})
        replica._start_on_free_port()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return replica


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
