"""The test harness of real PostgreSQL servers itself (pgservers.py): independence, replication, PgBouncer."""

import socket
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from subscription.tests import pgservers

pytestmark = pytest.mark.pgservers


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_two_primaries_are_independent_servers(pg_servers):
    pg1, pg2 = pg_servers.pg1, pg_servers.pg2
    assert pg1.port != pg2.port
    identity = "SELECT system_identifier FROM pg_control_system()"
    assert pg1.scalar(identity) != pg2.scalar(identity)
    database = pg1.create_database(_name("only_on_pg1"))
    pg1.execute("CREATE TABLE note (body text)", dbname=database)
    pg1.execute("INSERT INTO note VALUES ('pg1')", dbname=database)
    assert pg1.execute("SELECT body FROM note", dbname=database) == [("pg1",)]
    assert pg2.scalar("SELECT count(*) FROM pg_database WHERE datname = %s", [database]) == 0
    assert not pg1.scalar("SELECT pg_is_in_recovery()") and not pg2.scalar("SELECT pg_is_in_recovery()")


def test_a_row_committed_on_pg1_appears_on_its_replica_which_refuses_writes(pg_servers):
    pg1, replica = pg_servers.pg1, pg_servers.replica
    database = pg1.create_database(_name("replicated"))
    pg1.execute("CREATE TABLE note (id int PRIMARY KEY, body text)", dbname=database)
    pg1.execute("INSERT INTO note VALUES (1, 'seen on the replica')", dbname=database)
    replica.wait_until_replayed(pg1)
    assert replica.scalar("SELECT pg_is_in_recovery()")
    assert replica.execute("SELECT body FROM note", dbname=database) == [("seen on the replica",)]
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        replica.execute("INSERT INTO note VALUES (2, 'no')", dbname=database)
    assert pg_servers.pg2.scalar("SELECT count(*) FROM pg_database WHERE datname = %s", [database]) == 0


def test_paused_replay_makes_the_lag_grow_and_hides_new_rows_until_resumed(pg_servers):
    pg1, replica = pg_servers.pg1, pg_servers.replica
    threshold = 1.0
    database = pg1.create_database(_name("lagging"))
    pg1.execute("CREATE TABLE note (id int PRIMARY KEY)", dbname=database)
    pg1.execute("INSERT INTO note VALUES (1)", dbname=database)
    replica.wait_until_replayed(pg1)
    assert replica.replay_lag_seconds() < threshold
    replica.pause_replay()
    try:
        pg1.execute("INSERT INTO note VALUES (2)", dbname=database)
        replica.wait_until_received(pg1)
        started = time.monotonic()
        while replica.replay_lag_seconds() <= threshold:
            assert time.monotonic() - started < 10, "the lag never passed the threshold while replay was paused"
            time.sleep(0.1)
        assert replica.execute("SELECT id FROM note ORDER BY id", dbname=database) == [(1,)]
    finally:
        replica.resume_replay()
    replica.wait_until_replayed(pg1)
    assert replica.execute("SELECT id FROM note ORDER BY id", dbname=database) == [(1,), (2,)]
    assert replica.replay_lag_seconds() < threshold


def test_an_idle_primary_does_not_count_as_lag(pg_servers):
    pg1, replica = pg_servers.pg1, pg_servers.replica
    database = pg1.create_database(_name("idle"))
    pg1.execute("CREATE TABLE note (id int)", dbname=database)
    pg1.execute("INSERT INTO note VALUES (1)", dbname=database)
    replica.wait_until_replayed(pg1)
    time.sleep(1.2)  # nothing is written: now() - last replayed commit passes a second, the lag must not
    assert replica.replay_lag_seconds() == 0


def test_pgbouncer_pools_many_clients_into_a_bounded_number_of_server_connections(pg_servers, pgbouncer):
    pg1 = pg_servers.pg1
    database = pg1.create_database(_name("pooled"))
    pg1.execute("CREATE TABLE hit (client int, n int)", dbname=database)
    clients, rounds = 40, 3
    clients_connected = threading.Barrier(clients + 1)
    peak = 0

    def client(number: int) -> None:
        with pgbouncer.connect(database, autocommit=False) as conn:
            clients_connected.wait(timeout=30)
            for n in range(rounds):
                with conn.transaction():
                    conn.execute("SELECT pg_sleep(0.01)")
                    conn.execute("INSERT INTO hit VALUES (%s, %s)", [number, n])

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(client, number) for number in range(clients)]
        clients_connected.wait(timeout=30)  # every client holds an open connection to PgBouncer from here on
        while not all(future.done() for future in futures):
            peak = max(peak, pg1.client_connections(database))
            time.sleep(0.005)
    for future in futures:
        future.result()
    assert pg1.scalar("SELECT count(*) FROM hit", dbname=database) == clients * rounds
    assert pg1.scalar("SELECT count(DISTINCT client) FROM hit", dbname=database) == clients
    assert 1 <= peak <= pgbouncer.pool_size < clients
    pools = [row for row in pgbouncer.show("POOLS") if row["database"] == database]
    assert pools and pools[0]["pool_mode"] == "transaction"


def test_stopping_leaves_no_process_or_folder_and_a_killed_run_is_cleaned_up_later(pg_servers, pgbouncer):
    # The session's servers prove the binaries are there; this test starts and stops servers of its own.
    server = pgservers.PostgresServer.start()
    bouncer = pgservers.PgBouncer.start(server)
    assert bouncer.connect().execute("SELECT 1").fetchone() == (1,)
    bouncer_port, bouncer_folder = bouncer.port, bouncer.folder
    bouncer.stop()
    assert not _listening(bouncer_port) and not bouncer_folder.exists()
    # A run killed before it could stop its server: its folder names a process that no longer exists.
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
    dead = subprocess.Popen(["true"])
    dead.wait()
    (server.folder / "owner.pid").write_text(str(dead.pid))
    pgservers.untrack(server)
    assert _listening(server.port)
    assert server.folder in pgservers.remove_abandoned_folders()
    assert not server.folder.exists() and not _listening(server.port)
    assert not _running(postmaster)
    # The session's own servers (their owner is alive) were left alone.
    assert pg_servers.pg1.scalar("SELECT 1") == 1


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting to be reaped counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
