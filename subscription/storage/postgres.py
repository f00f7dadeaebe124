"""Company databases on a PostgreSQL server: `tenant_<slug>` (from a URL template), archived ones renamed.

A new database is `CREATE DATABASE ... TEMPLATE` of a template migrated once per migration state:
one statement, atomic, refusing an existing name.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from contextlib import contextmanager

import environ
import psycopg
from django.db import DatabaseError
from django.utils.translation import gettext as _

from subscription.aliases import validate_slug
from subscription.storage.base import ProvisioningError, TenantStorage, build_alias, connection_for, migrate_alias
from subscription.storage.postgres_copies import PostgresCopies, PostgresMoves

PG_MAX_NAME = 63  # PostgreSQL cuts longer identifiers, which could make two names collide
CREATION_LOCK = 0x7E4A_0001  # the advisory lock key every builder of this project takes


_admin = threading.local()  # .connections: this thread's maintenance connections, one per server


def _connect(config: dict):
    return psycopg.connect(
        dbname=config["NAME"],
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
        connect_timeout=10,
    )


def _like_literal(text: str) -> str:
    """`text` as a LIKE pattern that matches it literally (backslash, _ and % escaped)."""
    return text.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")


def close_admin_connections() -> None:
    """Close this thread's maintenance connections (before a fork, at the end of a test run)."""
    for connection in _admin.__dict__.pop("connections", {}).values():
        connection.close()


class PostgresStorage(PostgresMoves, PostgresCopies, TenantStorage):
    engine = "postgresql"
    backup_suffix = ".dump"
    # Databases that answer over the network leave threads waiting: reading several at once pays.
    probe_jobs = 4

    def __init__(self, url_template: str, pooled_template: str = "") -> None:
        self.url_template = url_template
        # A connection pooler in front of the server (TENANT_POOLERS): requests and jobs connect through it;
        # what makes, renames, moves or drops databases connects to the server itself.
        self.pooled_template = pooled_template

    # --- names -----------------------------------------------------------------------------------
    def connection_settings(self, slug: str, *, database_name: str | None = None) -> dict:
        validate_slug(slug)
        pooled = bool(self.pooled_template) and database_name is None
        template = self.pooled_template if pooled else self.url_template
        config = environ.Env.db_url_config(template.replace("{slug}", slug.replace("-", "_")))
        if pooled:
            # Transaction pooling: no cursor may outlive its transaction on the server connection.
            config["DISABLE_SERVER_SIDE_CURSORS"] = True
        if database_name is not None:
            config["NAME"] = database_name
        return config

    def direct_settings(self, slug: str) -> dict:
        return self.connection_settings(slug, database_name=self.name(slug))

    def name(self, slug: str) -> str:
        validate_slug(slug)
        return environ.Env.db_url_config(self.url_template.replace("{slug}", slug.replace("-", "_")))["NAME"]

    def archived_name(self, slug: str) -> str:
        name = f"archived__{self.name(slug)}"
        if len(name) > PG_MAX_NAME:
            digest = hashlib.sha256(name.encode()).hexdigest()[:12]
            name = f"{name[: PG_MAX_NAME - len(digest) - 1]}_{digest}"
        return name

    def location(self, slug: str, *, archived: bool = False) -> str:
        name = self.archived_name(slug) if archived else self.name(slug)
        return _("PostgreSQL database %(name)s") % {"name": name}

    # --- the server ------------------------------------------------------------------------------
    def _admin_connection(self):
        """This thread's connection to the server's maintenance database, for statements about databases
        (CREATE, DROP, RENAME) and the creation lock: opened once and kept, since a connection costs more
        than most of those statements (bench/create_on_postgres.py)."""
        config = self.connection_settings("server", database_name="postgres")
        key = repr(sorted((k, str(v)) for k, v in config.items() if k in ("HOST", "PORT", "USER", "PASSWORD")))
        held = _admin.__dict__.setdefault("connections", {})
        connection = held.get(key)
        if connection is None or connection.closed or connection.broken:
            connection = held[key] = _connect(config)
        return connection

    def execute(self, sql: str, params=None):
        try:
            cursor = self._admin_connection().execute(sql, params)
            return cursor.fetchall() if cursor.description else None
        except psycopg.Error as error:
            raise DatabaseError(" ".join(str(error).split())) from error

    def _database_exists(self, name: str) -> bool:
        return bool(self.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]))

    def exists(self, slug: str) -> bool:
        return self._database_exists(self.name(slug))

    def _migrate_new_database(self, name: str) -> None:
        self.execute(f'CREATE DATABASE "{name}"')
        with build_alias(self.connection_settings("template", database_name=name)) as alias:
            migrate_alias(alias)

    @contextmanager
    def creation_lock(self):
        """A PostgreSQL advisory lock on the server, held by this thread's session for the block."""
        self.execute("SELECT pg_advisory_lock(%s)", [CREATION_LOCK])
        try:
            yield
        finally:
            self.execute("SELECT pg_advisory_unlock(%s)", [CREATION_LOCK])

    # The databases of this store's own work are named after its company databases (`tenant_` + `_template_…`
    # for tenant_{slug}), so that two deployments, or two test runs, sharing a server never touch each other's.
    def _own(self, kind: str) -> str:
        """The name of one of this store's own databases: `kind` is e.g. template_<key>, build_<id>, spare_<key>_<id>."""
        before = self.name("xslugx").partition("xslugx")[0] or "tenant_"
        return f"{before}_{kind}"

    def _own_like(self, kind: str) -> str:
        """A LIKE pattern (escaped) for this store's own databases whose name starts with `kind`."""
        return f"{_like_literal(self._own(kind))}%"

    def remove_leftovers(self) -> list[str]:
        """Databases of builds that never finished (killed): every build holds the creation lock."""
        rows = self.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [self._own_like("build_")])
        for (name,) in rows:
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return [name for (name,) in rows]

    def template_name(self) -> str:
        """The migrated template for the current migration state, built once per server."""
        from subscription.schema import migration_key

        template = self._own(f"template_{migration_key()[:16]}")
        if self._database_exists(template):
            return template
        building = self._own(f"build_{uuid.uuid4().hex[:16]}")
        try:
            self._migrate_new_database(building)
            try:
                self.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
            except DatabaseError:
                if not self._database_exists(template):  # another process won the race: use theirs
                    raise
        finally:
            self.execute(f'DROP DATABASE IF EXISTS "{building}"')
        stale = self.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
            [self._own_like("template_"), template],
        )
        for (name,) in stale:
            try:
                self.execute(f'DROP DATABASE IF EXISTS "{name}"')
            except DatabaseError:
                pass  # still being copied by another process; the next build removes it
        return template

    # --- making and removing ---------------------------------------------------------------------
    def create(self, slug: str, *, from_template: bool = True) -> None:
        name = self.name(slug)
        if self._database_exists(name):
            raise ProvisioningError(
                _("The database of “%(slug)s” already exists; nothing was changed.") % {"slug": slug}
            )
        if from_template:
            if self._take_spare(name):
                return
            # One statement: PostgreSQL makes the copy atomically, and refuses an existing name.
            self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name()}"')
            return
        building = self._own(f"build_{uuid.uuid4().hex[:16]}")
        try:
            self._migrate_new_database(building)
            self.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        finally:
            self.execute(f'DROP DATABASE IF EXISTS "{building}"')

    # --- spare databases: a company made by renaming one (milliseconds, not a template copy) -------
    def _spare_like(self) -> str:
        from subscription.schema import migration_key

        return self._own_like(f"spare_{migration_key()[:16]}_")

    def _take_spare(self, name: str) -> bool:
        """Rename a ready spare (migrated for the current state, never connected to) to `name`; False if none."""
        rows = self.execute("SELECT datname FROM pg_database WHERE datname LIKE %s LIMIT 1", [self._spare_like()])
        if not rows:
            return False
        try:
            self.execute(f'ALTER DATABASE "{rows[0][0]}" RENAME TO "{name}"')
        except DatabaseError:
            return False  # taken by another builder, or in use: copy the template instead
        return True

    def refill_spares(self, count: int) -> int:
        """Make spares until `count` are ready for the current migration state; drop stale ones. Returns how many made."""
        from subscription.schema import migration_key

        made = 0
        with self.creation_lock():
            key = migration_key()[:16]
            stale = self.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname NOT LIKE %s",
                [self._own_like("spare_"), self._spare_like()],
            )
            for (spare,) in stale:
                self.execute(f'DROP DATABASE IF EXISTS "{spare}" WITH (FORCE)')
            ready = len(self.execute("SELECT 1 FROM pg_database WHERE datname LIKE %s", [self._spare_like()]))
            for _n in range(count - ready):
                spare = self._own(f"spare_{key}_{uuid.uuid4().hex[:12]}")
                self.execute(f'CREATE DATABASE "{spare}" TEMPLATE "{self.template_name()}"')
                made += 1
        return made

    def drop(self, slug: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{self.name(slug)}" WITH (FORCE)')

    def drop_archived(self, slug: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{self.archived_name(slug)}" WITH (FORCE)')

    # --- archiving -------------------------------------------------------------------------------
    def _rename(self, slug: str, old: str, new: str) -> None:
        if not self._database_exists(old) and self._database_exists(new):
            return  # a killed step renamed it already
        if not self._database_exists(old):
            raise ProvisioningError(
                _("There is no PostgreSQL database %(name)s of “%(slug)s”; nothing was changed.")
                % {"name": old, "slug": slug}
            )
        if self._database_exists(new):
            raise ProvisioningError(
                _(
                    "The PostgreSQL database %(name)s already exists, so “%(slug)s” was not renamed to it; nothing "
                    "was changed. Drop or rename that database (after checking what it is) and try again."
                )
                % {"name": new, "slug": slug}
            )
        # The company is suspended, so only stray sessions (a worker, a shell) can still be connected.
        self.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [old],
        )
        for attempt in range(10):
            try:
                self.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')
                return
            except DatabaseError as error:  # a terminated session may take a moment to go
                if attempt == 9:
                    raise ProvisioningError(
                        _(
                            "The PostgreSQL database %(name)s could not be renamed (%(error)s); nothing was changed. "
                            "Try again."
                        )
                        % {"name": old, "error": " ".join(str(error).split())}
                    ) from error
                time.sleep(0.2)

    def archive(self, slug: str) -> None:
        self._rename(slug, self.name(slug), self.archived_name(slug))

    def restore(self, slug: str) -> None:
        self._rename(slug, self.archived_name(slug), self.name(slug))

    # --- checks -----------------------------------------------------------------------------------
    def size(self, slug: str) -> int | None:
        rows = self.execute("SELECT pg_database_size(datname) FROM pg_database WHERE datname = %s", [self.name(slug)])
        return rows[0][0] if rows else None

    def integrity_check(self, alias: str) -> tuple[bool, str]:
        with connection_for(alias).cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"

    def total_size(self) -> int:
        before, _slug, after = self.name("xslugx").partition("xslugx")
        like = f"{_like_literal(before)}%{_like_literal(after)}"
        rows = self.execute(
            "SELECT coalesce(sum(pg_database_size(datname)), 0) FROM pg_database WHERE datname LIKE %s", [like]
        )
        return int(rows[0][0])

    def replay_lag(self) -> float:
        """On a streaming replica: seconds its replay is behind, 0 when it has replayed all it received.

        Raises ProvisioningError if this server is not a replica.
        """
        rows = self.execute(
            "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
            "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
        )
        in_recovery, lag = rows[0]
        if not in_recovery:
            raise ProvisioningError(_("This server is not a replica (it is not in recovery)."))
        return float(lag or 0)


# --- Faults (subscription.faults) -----------------------------------------------------------------------
LOCK_NOT_AVAILABLE = "55P03"
# A fenced database (a move): a write in a read-only session, or a session ended by the fence.
MOVING = ("25006", "57P01")


def limit_lock_waits(connection, seconds: float) -> None:
    with connection.connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(seconds * 1000)}")


def transaction_lock(connection, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def unavailable_reason(error: Exception) -> str | None:
    import psycopg

    cause = error.__cause__ if error.__cause__ is not None else error
    if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return "locked"
    if getattr(cause, "sqlstate", None) in MOVING:
        return "moving"
    if isinstance(cause, psycopg.OperationalError) and getattr(cause, "sqlstate", None) in (None, "3D000", "08006"):
        return "missing" if "does not exist" in str(cause) else "unreachable"
    return None


def probe(connection) -> None:
    """Connect: a missing database or an unreachable server fails here, at once."""
    connection.ensure_connection()
