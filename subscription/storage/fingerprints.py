"""Proving two copies of a company database identical: per-table row counts and checksums, the same on any engine.

`tenant_fingerprint(alias)` gives each table of a company database (every concrete model of the
tenant apps, the auto-created many-to-many tables included, and `django_migrations`) its row count
and a SHA-256 of its rows in primary-key order. Values are read through the ORM, so each engine's
storage is first turned into the same Python value, then written in one canonical form:

- a row is a JSON array of its columns in model field order (`attname`s); rows go in primary-key
  order, in chunks of `BATCH_ROWS`, each chunk a JSON array of rows on a line of its own;
- NULL is `null`, booleans `true`/`false`, integers and text as themselves;
- Decimal: fixed-point text with the field's decimal places (`"12.50"`);
- datetime: ISO 8601 in UTC with microseconds (`"2025-01-31T08:00:00.000000+00:00"`); date, time: ISO;
- JSON columns: the value re-serialised with sorted keys and no spaces, floats with an integral
  value written as integers (PostgreSQL's jsonb keeps neither key order nor `1e2` versus `100`);
- anything else: `str()`.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from subscription.storage.base import build_alias
from subscription.tenancy import TENANT_APPS

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


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    sha256: str


# --- What a company database holds ---------------------------------------------------------------------
def tenant_models() -> list[type[models.Model]]:
    """Every table of a company database as a model, ordered by table name (django_migrations included)."""
    found = {
        model._meta.db_table: model
        for label in TENANT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    found[MigrationRecorder.Migration._meta.db_table] = MigrationRecorder.Migration
    return [found[table] for table in sorted(found)]


def model_columns(model) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def model_rows(model, alias: str) -> Iterator[tuple]:
    """The rows of `model` on `alias` as Python values, in primary-key order."""
    attnames = [field.attname for field in model_columns(model)]
    queryset = model._base_manager.using(alias).order_by(model._meta.pk.attname).values_list(*attnames)
    return queryset.iterator(chunk_size=BATCH_ROWS)


@contextmanager
def temporary_alias(config: dict) -> Iterator[str]:
    """A connection alias to the database `config` describes (Django settings), forgotten afterwards."""
    with build_alias(config) as alias:
        yield alias


@contextmanager
def one_snapshot(alias: str) -> Iterator[None]:
    """One transaction on `alias`, so that every table is read as of one moment (or the caller's transaction)."""
    outermost = not connections[alias].in_atomic_block
    with transaction.atomic(using=alias):
        if outermost and connections[alias].vendor == "postgresql":
            with connections[alias].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


# --- Fingerprints ------------------------------------------------------------------------------------
# Field types whose value, as the ORM returns it on any engine, is already canonical (int, str, bool, None).
_PLAIN_TYPES = frozenset(
    ["AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField"]
    + ["PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "ForeignKey", "OneToOneField"]
    + ["BooleanField", "CharField", "TextField", "EmailField", "SlugField", "URLField"]
)


def _json_canonical(value):
    if isinstance(value, dict):
        return {str(key): _json_canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_canonical(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _canonical_json(value):
    return json.dumps(_json_canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical_datetime(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if value.utcoffset():  # the engines return UTC already; anything else is converted
        value = value.astimezone(datetime.UTC)
    return value.isoformat(timespec="microseconds")


def _canonical_other(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime.date | datetime.time | datetime.datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def _canonicalizer(field: models.Field) -> Callable | None:
    """The function giving a field's canonical value, or None where the ORM's value is canonical already."""
    internal = field.get_internal_type()
    if internal in _PLAIN_TYPES:
        return None
    if internal == "JSONField":
        return _canonical_json
    if internal == "DateTimeField":
        return _canonical_datetime
    if internal == "DecimalField":
        quantum = decimal.Decimal(1).scaleb(-field.decimal_places)
        return lambda value: None if value is None else format(value.quantize(quantum), "f")
    return _canonical_other


def table_fingerprint(model, alias: str) -> TableFingerprint:
    """Row count and SHA-256 of one table's rows in canonical form (see the module docstring)."""
    special = [(i, f) for i, field in enumerate(model_columns(model)) if (f := _canonicalizer(field)) is not None]
    digest = hashlib.sha256()
    count = 0
    batch: list[list] = []
    for row in model_rows(model, alias):
        row = list(row)
        for i, canonical in special:
            row[i] = canonical(row[i])
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            _hash_batch(digest, batch)
            count += len(batch)
            batch = []
    _hash_batch(digest, batch)
    return TableFingerprint(rows=count + len(batch), sha256=digest.hexdigest())


def _hash_batch(digest, batch: list[list]) -> None:
    # One JSON document per BATCH_ROWS rows: encoding rows one by one costs three times as much.
    if batch:
        digest.update(json.dumps(batch, separators=(",", ":"), ensure_ascii=False).encode())
        digest.update(b"\n")


def tenant_fingerprint(alias: str) -> dict[str, TableFingerprint]:
    """Each table of the company database on `alias` (by table name): its row count and content checksum."""
    with one_snapshot(alias):
        return {model._meta.db_table: table_fingerprint(model, alias) for model in tenant_models()}


def fingerprint_differences(source: dict[str, TableFingerprint], target: dict[str, TableFingerprint]) -> list[str]:
    """One line per table whose fingerprint differs (or that one side lacks); empty when identical."""
    lines = []
    for table in sorted(set(source) | set(target)):
        a, b = source.get(table), target.get(table)
        if a == b:
            continue
        if a is None or b is None:
            side = _("only on the target") if a is None else _("only on the source")
            lines.append(f"{table}: {side}")
        elif a.rows != b.rows:
            lines.append(
                _("%(table)s: %(source)d rows on the source, %(target)d on the target")
                % {"table": table, "source": a.rows, "target": b.rows}
            )
        else:
            lines.append(
                _("%(table)s: the same %(rows)d rows, different content (%(source)s ≠ %(target)s)")
                % {"table": table, "rows": a.rows, "source": a.sha256[:12], "target": b.sha256[:12]}
            )
    return lines


def verify_copy(source_alias: str, target_alias: str) -> dict[str, TableFingerprint]:
    """Return the fingerprint shared by both databases; raise FingerprintMismatch naming the tables that differ."""
    source, target = tenant_fingerprint(source_alias), tenant_fingerprint(target_alias)
    differences = fingerprint_differences(source, target)
    if differences:
        raise FingerprintMismatch(
            _("The copy differs from its source: %(tables)s") % {"tables": "; ".join(differences)}
        )
    return source
