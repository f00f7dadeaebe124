"""Copying a company database between engines, proved identical by the tables' checksums (storage.tables).

`copy_tenant_data(source, target)` copies every table into a target that has the schema (made from
the same migrations) and no rows, in one target transaction, reading the source in one snapshot:
SQLite → PostgreSQL with COPY, PostgreSQL → PostgreSQL with binary COPY streamed from one server to
the other, into SQLite with batched inserts. A PostgreSQL target loads without its foreign keys,
which are added back (and so validated) before the commit, and gets its sequences set past the
highest ids. `copy_postgres_database()` is the pg_dump/pg_restore way between two PostgreSQL
databases. `verify_copy(source, target)` compares every table's rows and checksum (django_migrations
included) and names the tables that differ.

Snapshots are transactions: REPEATABLE READ on PostgreSQL, and on SQLite the project's
`BEGIN IMMEDIATE`, so writers to a SQLite source wait while it is read (during a move it is
read-only anyway). This is storage-layer code: it is where engines differ.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from django.core.management.color import no_style
from django.db import DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from subscription.storage.base import build_alias
from subscription.storage.tables import columns, differences, fingerprint, one_snapshot, tenant_models

BATCH_ROWS = 5000
# Field types whose Python value must be turned into the target engine's form before an INSERT.
PREPARED_TYPES = frozenset(
    [
        "DateTimeField",
        "DateField",
        "TimeField",
        "DecimalField",
        "JSONField",
        "UUIDField",
        "DurationField",
        "BinaryField",
    ]
)
Progress = Callable[[str, int], None]


class CopyError(Exception):
    """A company database could not be copied; the message says why and what to do."""


class FingerprintMismatch(CopyError):
    """A copy differs from its source; the message names the tables."""


def model_rows(model, alias: str) -> Iterator[tuple]:
    """The rows of `model` on `alias` as Python values, in primary-key order."""
    attnames = [field.attname for field in columns(model)]
    queryset = model._base_manager.using(alias).order_by(model._meta.pk.attname).values_list(*attnames)
    return queryset.iterator(chunk_size=BATCH_ROWS)


@contextmanager
def temporary_alias(config: dict) -> Iterator[str]:
    """A connection alias to the database `config` describes (Django settings), forgotten afterwards."""
    with build_alias(config) as alias:
        yield alias


def verify_copy(source_alias: str, target_alias: str) -> dict:
    """Return the fingerprint both databases share; raise FingerprintMismatch naming the tables that differ."""
    source = fingerprint(source_alias, with_migrations=True)
    found = differences(source, fingerprint(target_alias, with_migrations=True))
    if found:
        raise FingerprintMismatch(_("The copy differs from its source: %(tables)s") % {"tables": "; ".join(found)})
    return source


# --- Copying through the connections ---------------------------------------------------------------------
def copy_tenant_data(source_alias: str, target_alias: str, progress: Progress | None = None) -> dict[str, int]:
    """Copy every table of a company database into an empty one with the same schema; return rows per table.

    Runs in one transaction on the target (nothing is left behind if it fails) and reads the source in
    one snapshot. Raises CopyError if the target has rows, its migrations differ from the source's, or a
    row cannot be stored (the message names the table). `progress(table, rows)` is called after each table.
    """
    source, target = connections[source_alias], connections[target_alias]
    copied: dict[str, int] = {}
    step = _("the checks of the target")
    try:
        with one_snapshot(source_alias), transaction.atomic(using=target_alias):
            _check_target(source_alias, target_alias)
            with _loading(target):
                MigrationRecorder.Migration._base_manager.using(target_alias).all()._raw_delete(target_alias)
                for model in tenant_models(with_migrations=True):
                    step = model._meta.db_table
                    copied[step] = _copy_table(model, source_alias, target_alias)
                    if progress is not None:
                        progress(step, copied[step])
                step = _("the foreign keys (a row refers to a missing one)")
    except (DatabaseError, source.Database.Error, target.Database.Error) as error:
        raise CopyError(
            _("Copying failed at %(step)s, so nothing was copied: %(error)s")
            % {"step": step, "error": str(error).strip()}
        ) from error
    return copied


@contextmanager
def _loading(target) -> Iterator[None]:
    """Prepare a PostgreSQL target for the load, and check and finish it afterwards (same transaction).

    Its foreign keys are dropped for the load and added back, which validates every row in one join per
    key: cheaper than 50,000 deferred checks one by one at commit. Sequences are then set past the highest
    id. Datetimes read from SQLite are naive UTC, hence the time zone.
    """
    if target.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in tenant_models(with_migrations=True)]
    quote = target.ops.quote_name
    with target.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid::regclass::text, conname",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    with target.cursor() as cursor:
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        for statement in target.ops.sequence_reset_sql(no_style(), tenant_models(with_migrations=True)):
            cursor.execute(statement)


def _copy_table(model, source_alias: str, target_alias: str) -> int:
    source, target = connections[source_alias], connections[target_alias]
    if source.vendor == target.vendor == "postgresql":
        return _stream_postgres(model, source, target)
    if target.vendor == "postgresql":
        return _copy_into_postgres(model, _raw_rows(model, source), target)
    return _insert_rows(model, model_rows(model, source_alias), target)


def _check_target(source_alias: str, target_alias: str) -> None:
    for model in tenant_models(with_migrations=True):
        if model is not MigrationRecorder.Migration and model._base_manager.using(target_alias).exists():
            raise CopyError(
                _(
                    "The target database already has rows in %(table)s: copy only into an empty database made "
                    "from the migrated template; nothing was copied."
                )
                % {"table": model._meta.db_table}
            )
    applied = {
        alias: set(MigrationRecorder.Migration._base_manager.using(alias).values_list("app", "name"))
        for alias in (source_alias, target_alias)
    }
    if applied[source_alias] != applied[target_alias]:
        missing = sorted(f"{app}.{name}" for app, name in applied[source_alias] ^ applied[target_alias])
        raise CopyError(
            _(
                "The source and target databases are at different migrations (%(migrations)s): migrate both to "
                "the same state first; nothing was copied."
            )
            % {"migrations": ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")}
        )


def _column_list(model, connection) -> str:
    return ", ".join(connection.ops.quote_name(field.column) for field in columns(model))


def _raw_rows(model, connection) -> Iterator[tuple]:
    """Rows as the source's driver returns them (Django's SQLite converters make bools, dates, datetimes)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_column_list(model, connection)} FROM {table}")
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield from batch


def _copy_into_postgres(model, rows: Iterable[tuple], target) -> int:
    """COPY rows read raw from SQLite: text, numbers, bools, dates and naive UTC datetimes, JSON as text."""
    table = target.ops.quote_name(model._meta.db_table)
    count = 0
    with (
        target.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({_column_list(model, target)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _stream_postgres(model, source, target) -> int:
    """Binary COPY out of the source straight into the target (same schema, same server major version)."""
    columns = _column_list(model, target)
    table = target.ops.quote_name(model._meta.db_table)
    with source.cursor() as out_cursor, target.cursor() as in_cursor:
        with (
            out_cursor.cursor.copy(f"COPY {table} ({columns}) TO STDOUT (FORMAT BINARY)") as out,
            in_cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as into,
        ):
            for chunk in out:
                into.write(chunk)
        return in_cursor.cursor.rowcount


def _insert_rows(model, rows: Iterable[tuple], target) -> int:
    fields = columns(model)
    prepare = [
        (lambda value, field=field: field.get_db_prep_save(value, connection=target))
        if field.get_internal_type() in PREPARED_TYPES
        else None
        for field in fields
    ]
    table = target.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({_column_list(model, target)}) VALUES ({', '.join(['%s'] * len(fields))})"
    count = 0
    rows = iter(rows)
    with target.cursor() as cursor:
        while batch := list(islice(rows, BATCH_ROWS)):
            cursor.executemany(
                sql,
                [[value if p is None else p(value) for p, value in zip(prepare, row, strict=True)] for row in batch],
            )
            count += len(batch)
    return count


# --- PostgreSQL → PostgreSQL with pg_dump / pg_restore ------------------------------------------------------
def postgres_tool(name: str) -> str:
    """Path of a PostgreSQL client program (pg_config's bindir first: it matches the server's version)."""
    if pg_config := shutil.which("pg_config"):
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if bindir and (Path(bindir) / name).exists():
            return str(Path(bindir) / name)
    if found := shutil.which(name):
        return found
    raise CopyError(
        _("%(name)s is not installed (Debian: apt-get install postgresql-client); nothing was copied.") % {"name": name}
    )


def _libpq(config: dict) -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment (the password stays out of the process list) for libpq tools."""
    options = ["--dbname", config["NAME"], "--username", config.get("USER") or "postgres"]
    if config.get("HOST"):
        options += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        options += ["--port", str(config["PORT"])]
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return options, env


def copy_postgres_database(source_settings: dict, target_settings: dict) -> None:
    """Copy a PostgreSQL database into an existing, empty one (pg_dump -Fc | pg_restore, one transaction).

    The settings are Django database settings (NAME, HOST, PORT, USER, PASSWORD). Raises CopyError if the
    target has tables or a tool fails; the target is left as it was then (the restore is one transaction).
    """
    import psycopg

    target_options, target_env = _libpq(target_settings)
    source_options, source_env = _libpq(source_settings)
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=target_settings["NAME"],
        user=target_settings.get("USER") or "postgres",
        host=target_settings.get("HOST") or None,
        port=target_settings.get("PORT") or None,
        password=target_settings.get("PASSWORD") or None,
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%'"
        ).fetchone()[0]
    if tables:
        raise CopyError(
            _(
                "The target database %(name)s is not empty (%(count)d relations): restore only into a new "
                "database; nothing was copied."
            )
            % {"name": target_settings["NAME"], "count": tables}
        )
    with tempfile.TemporaryFile() as dump_errors:
        dump = subprocess.Popen(
            [postgres_tool("pg_dump"), "--format=custom", "--compress=0", "--no-owner", "--no-privileges"]
            + source_options,
            stdout=subprocess.PIPE,
            stderr=dump_errors,
            env=source_env,
        )
        restore = subprocess.run(
            [postgres_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
            + target_options,
            stdin=dump.stdout,
            capture_output=True,
            env=target_env,
            check=False,
        )
        dump.stdout.close()
        dumped = dump.wait()
        dump_errors.seek(0)
        errors = f"{dump_errors.read().decode(errors='replace')} {restore.stderr.decode(errors='replace')}".strip()
    if dumped != 0 or restore.returncode != 0:
        raise CopyError(
            _("pg_dump | pg_restore of %(source)s into %(target)s failed, nothing was restored: %(errors)s")
            % {"source": source_settings["NAME"], "target": target_settings["NAME"], "errors": errors}
        )
