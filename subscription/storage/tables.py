"""Every company table in one canonical form, the same on any engine: what a backup is checked against,
what a bundle carries, and what proves a copy between engines identical.

A table's rows are read through the ORM in primary-key order (so each engine's storage is first turned
into the same Python value) and written as CSV: UTF-8, a header row of column names, ids kept. Values
are written the same way whatever the engine: times in UTC ISO 8601 with microseconds, decimals with
their field's decimal places, `true`/`false`, JSON with sorted keys and whole floats as integers
(PostgreSQL's jsonb keeps neither key order nor `1e2` against `100`), `\\N` for NULL. The SHA-256 of a
table's CSV is its content checksum; `fingerprint(alias)` gives every table's rows and checksum.
"""

from __future__ import annotations

import base64
import csv
import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from subscription.aliases import TENANT_APPS

NULL = "\\N"
CHUNK_ROWS = 2000


def tenant_models(*, with_migrations: bool = False) -> list[type[models.Model]]:
    """Every model with a table in a company database (many-to-many tables too), by table name.

    `with_migrations`: `django_migrations` too (a copy of the database has them; a bundle does not).
    """
    found = {
        model._meta.db_table: model
        for label in TENANT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    if with_migrations:
        found[MigrationRecorder.Migration._meta.db_table] = MigrationRecorder.Migration
    return [found[table] for table in sorted(found)]


def columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _json_canonical(value):
    if isinstance(value, dict):
        return {str(key): _json_canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_canonical(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def cell(value: Any) -> str:
    """One value as the CSV writes it (the same text on every engine)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"\\{value}" if value.startswith("\\") else value  # "\\N" stays text, never NULL
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(_json_canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, (int, float, uuid.UUID)):
        return str(value)
    raise TypeError(f"No CSV form for {type(value).__name__}")


def _decimal_cell(places: int):
    quantum = Decimal(1).scaleb(-places)
    return lambda value: NULL if value is None else format(value.quantize(quantum), "f")


def _cell_writer(field: models.Field):
    """How a field's values are written: decimals with the field's places (SQLite may keep fewer)."""
    if field.get_internal_type() == "DecimalField":
        return _decimal_cell(field.decimal_places)
    return cell


def table_rows(alias: str, model: type[models.Model]) -> Iterator[list[str]]:
    """The header row, then each row of the table in `alias`, as CSV cells."""
    fields = columns(model)
    writers = [_cell_writer(field) for field in fields]
    yield [field.column for field in fields]
    rows = model._base_manager.using(alias).order_by("pk").values_list(*(field.attname for field in fields))
    for row in rows.iterator(chunk_size=CHUNK_ROWS):
        yield [write(value) for write, value in zip(writers, row, strict=True)]


class _Sink:
    """A text stream that hashes (and counts) what the CSV writer gives it, optionally passing it on."""

    def __init__(self, out=None) -> None:
        self.digest = hashlib.sha256()
        self.out = out

    def write(self, text: str) -> None:
        data = text.encode()
        self.digest.update(data)
        if self.out is not None:
            self.out.write(data)


def write_table(rows: Iterable[list[str]], out=None) -> tuple[int, str]:
    """Write rows as CSV to the binary stream `out` (or nowhere); return (data rows, SHA-256 of the bytes)."""
    sink = _Sink(out)
    writer = csv.writer(sink, lineterminator="\n")
    count = -1  # the header is not a row
    for row in rows:
        writer.writerow(row)
        count += 1
    return max(count, 0), sink.digest.hexdigest()


@contextmanager
def one_snapshot(alias: str) -> Iterator[None]:
    """One transaction on `alias`, so that every table is read as of one moment (or the caller's transaction)."""
    outermost = not connections[alias].in_atomic_block
    with transaction.atomic(using=alias):
        if outermost and connections[alias].vendor == "postgresql":
            with connections[alias].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def fingerprint(alias: str, *, with_migrations: bool = False) -> dict[str, dict[str, Any]]:
    """Each company table in `alias`, read as of one moment: {"rows": count, "sha256": checksum of its CSV}."""
    found = {}
    with one_snapshot(alias):
        for model in tenant_models(with_migrations=with_migrations):
            rows, digest = write_table(table_rows(alias, model))
            found[model._meta.db_table] = {"rows": rows, "sha256": digest}
    return found


def differences(expected: dict, found: dict) -> list[str]:
    """What differs between two fingerprints (the expected one, then the one found), a line per table."""
    lines = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want == got:
            continue
        if want is None or got is None:
            lines.append(_("%(table)s: not expected") if want is None else _("%(table)s: missing") % {"table": table})
        elif want["rows"] != got["rows"]:
            lines.append(
                _("%(table)s: %(found)d rows, %(expected)d expected")
                % {"table": table, "found": got["rows"], "expected": want["rows"]}
            )
        else:
            lines.append(_("%(table)s: same %(rows)d rows, different content") % {"table": table, "rows": got["rows"]})
    return lines
