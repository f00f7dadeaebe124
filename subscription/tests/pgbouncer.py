"""PgBouncer in front of a test server (see pgservers.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from subscription.tests.harness import (
    SYSTEM_USER,
    as_server_user,
    free_port,
    new_folder,
    own_folder,
    pgbouncer_binary,
    track,
    untrack,
)

if TYPE_CHECKING:
    from subscription.tests.pgservers import PostgresServer


class PgBouncer:
    """PgBouncer in transaction pooling mode in front of one server: `url`, `stop()`.

    Clients must not use server-side prepared statements (PgBouncer before 1.21 cannot carry them
    across transactions): with psycopg pass `prepare_threshold=None`; Django's PostgreSQL backend
    binds parameters on the client by default, which is what it needs.
    """

    stop_order = 0  # before the servers

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
        folder = new_folder("pgbouncer")
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
                own_folder(folder / name)
            process = subprocess.Popen(
                [*as_server_user(), binary, "-q", str(config)],  # -q: it logs to its log file only
                cwd=folder,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl+C in the terminal reaches pytest, which stops it in order
            )
            bouncer = cls(folder, port, server, pool_size, process)
            if bouncer._wait_until_listening():
                track(bouncer)
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
        untrack(self)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)
