"""Every company table as canonical CSV: the content a backup is checked against and a bundle carries.

A table's rows are read through the ORM in primary-key order and written as CSV (UTF-8, a header row
of column names, ids kept). Values are written the same way whatever the engine (times in UTC ISO
8601, decimals as stored, `true`/`false`, JSON with sorted keys, `\\N` for NULL), so the SHA-256 of
a table's CSV is its content checksum, equal on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import csv
import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

from subscription.aliases import TENANT_APPS

NULL = "\\N"
CHUNK_ROWS = 2000


def tenant_models() -> list[type[models.Model]]:
    """Every model with a table in a company database (many-to-many tables too), by table name."""
    found = [
        model
        for label in TENANT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    return sorted(found, key=lambda model: model._meta.db_table)


def columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


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
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, (int, float, uuid.UUID)):
        return str(value)
    raise TypeError(f"No CSV form for {type(value).__name__}")


def table_rows(alias: str, model: type[models.Model]) -> Iterator[list[str]]:
    """The header row, then each row of the table in `alias`, as CSV cells."""
    fields = columns(model)
    yield [field.column for field in fields]
    rows = model._base_manager.using(alias).order_by("pk").values_list(*(field.attname for field in fields))
    for row in rows.iterator(chunk_size=CHUNK_ROWS):
        yield [cell(value) for value in row]


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


def fingerprint(alias: str) -> dict[str, dict[str, Any]]:
    """Each company table in `alias`: {"rows": count, "sha256": checksum of its canonical CSV}."""
    found = {}
    for model in tenant_models():
        rows, digest = write_table(table_rows(alias, model))
        found[model._meta.db_table] = {"rows": rows, "sha256": digest}
    return found


def differences(expected: dict, found: dict) -> list[str]:
    """What differs between two fingerprints, one line per table ('' lines none)."""
    lines = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want is None or got is None:
            lines.append(f"{table}: {'not in the backup' if want is None else 'missing'}")
        elif want["rows"] != got["rows"]:
            lines.append(f"{table}: {got['rows']} rows, {want['rows']} expected")
        elif want["sha256"] != got["sha256"]:
            lines.append(f"{table}: same {got['rows']} rows, different content")
    return lines
