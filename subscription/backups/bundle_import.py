"""Recreating a company from a bundle: checks first (format, schema state, checksums, reference rows),
then a new company whose tables are filled in one transaction and compared with the manifest."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.utils.translation import gettext as _

from subscription.backups.bundle import reference_fields
from subscription.backups.bundle_archive import Bundle, BundleRefused
from subscription.backups.restore import new_company_row
from subscription.models import Company, SubscriptionPlan
from subscription.provisioning import tenant_database_create, tenant_database_drop
from subscription.schema import tenant_migration_key
from subscription.storage.tables import NULL, columns, differences, fingerprint, tenant_models
from subscription.tenancy import current_alias, use_tenant

logger = logging.getLogger("subscription.backups")
BATCH = 1000
Progress = Callable[[int, int], None]


@dataclass
class Imported:
    company: Company
    rows: int
    warnings: list[str] = field(default_factory=list)


def parse_cell(column: models.Field, text: str):
    """The Python value of one CSV cell (the inverse of tables.cell). Raises ValidationError or ValueError."""
    if text == NULL:
        return None
    if text.startswith("\\"):
        text = text[1:]
    if isinstance(column, models.BooleanField):
        if text not in ("true", "false"):
            raise ValueError(f"not a boolean: {text[:20]!r}")
        return text == "true"
    if isinstance(column, models.JSONField):
        return json.loads(text)
    if isinstance(column, models.BinaryField):
        return base64.b64decode(text, validate=True)
    return column.to_python(text)


def _check_schema(bundle: Bundle) -> None:
    schema = bundle.manifest.get("schema") or {}
    if not isinstance(schema, dict) or schema.get("tenant_migration_key") != tenant_migration_key():
        latest = schema.get("latest_migrations") if isinstance(schema, dict) else None
        raise BundleRefused(
            _(
                "The bundle was made at another schema state (%(theirs)s) than this platform's: import it into a "
                "MedRep of the same version (or migrate the company there first)."
            )
            % {"theirs": json.dumps(latest, sort_keys=True)[:400] if latest else "—"}
        )
    wanted = {model._meta.db_table for model in tenant_models()}
    listed = set(bundle.manifest["tables"])
    if listed != wanted:
        raise BundleRefused(
            _("The bundle's tables differ from this platform's: %(tables)s.")
            % {"tables": ", ".join(sorted(listed ^ wanted))[:400]}
        )
    for model in tenant_models():
        if bundle.manifest["tables"][model._meta.db_table]["columns"] != [c.column for c in columns(model)]:
            raise BundleRefused(
                _("The columns of %(table)s differ from this platform's.") % {"table": model._meta.db_table}
            )


def check_references(bundle: Bundle) -> list[str]:
    """Map the bundle's reference rows to this platform's by id: warnings for other names. Raises BundleRefused."""
    listed = bundle.manifest.get("references") or {}
    targets = {f.related_model._meta.db_table: f.related_model for m in tenant_models() for f in reference_fields(m)}
    missing, warnings = [], []
    for table, entry in sorted(listed.items()):
        model = targets.get(table)
        rows = entry.get("rows") if isinstance(entry, dict) else None
        if model is None or not isinstance(rows, list):
            raise BundleRefused(
                _("manifest.json names unknown reference rows: %(table)s.") % {"table": str(table)[:100]}
            )
        wanted = {row.get("id"): str(row.get("name", ""))[:200] for row in rows if isinstance(row, dict)}
        if not all(isinstance(ident, int) for ident in wanted):
            raise BundleRefused(_("manifest.json has reference rows without a whole-number id."))
        here = {row.pk: row for row in model._base_manager.using("default").filter(pk__in=list(wanted))}
        for ident, name in sorted(wanted.items()):
            if ident not in here:
                missing.append(f"{model._meta.label} {ident} (“{name}”)")
            elif (here_name := _name(here[ident])) != name:
                warnings.append(
                    _("%(model)s %(id)s is “%(here)s” here and was “%(there)s” there.")
                    % {"model": model._meta.label, "id": ident, "here": here_name, "there": name}
                )
    if missing:
        raise BundleRefused(
            _(
                "The data points to %(count)d reference row(s) this platform does not have: %(rows)s. Add them (same ids), then import again."
            )
            % {"count": len(missing), "rows": "; ".join(missing[:50])}
        )
    return warnings


def _name(row: models.Model) -> str:
    return row.get_username() if hasattr(row, "get_username") else str(row)


def _batches(bundle: Bundle, model: type[models.Model], connection) -> Iterator[list[list]]:
    fields = columns(model)
    batch = []
    for number, row in enumerate(bundle.rows(model._meta.db_table), start=2):
        if len(row) != len(fields):
            raise BundleRefused(
                _("%(table)s.csv row %(row)d has the wrong number of cells.")
                % {"table": model._meta.db_table, "row": number}
            )
        try:
            batch.append(
                [f.get_db_prep_save(parse_cell(f, text), connection) for f, text in zip(fields, row, strict=True)]
            )
        except (ValidationError, ValueError, TypeError) as error:
            raise BundleRefused(
                _("%(table)s.csv row %(row)d has a value that cannot be read: %(error)s")
                % {"table": model._meta.db_table, "row": number, "error": str(error)[:200]}
            ) from error
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _fill(bundle: Bundle, progress: Progress | None) -> int:
    """Replace every table of the selected company by the bundle's rows, in one transaction."""
    alias = current_alias()
    connection = connections[alias]
    chosen = tenant_models()
    quote = connection.ops.quote_name
    total = 0
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            for model in reversed(chosen):  # rows a data migration may have made: the bundle says what is there
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
            for index, model in enumerate(chosen, start=1):
                names = ", ".join(quote(f.column) for f in columns(model))
                marks = ", ".join(["%s"] * len(columns(model)))
                sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"
                for batch in _batches(bundle, model, connection):
                    cursor.executemany(sql, batch)
                    total += len(batch)
                if progress is not None:
                    progress(index, len(chosen))
            for statement in connection.ops.sequence_reset_sql(no_style(), chosen):
                cursor.execute(statement)
    return total


def import_bundle(
    path: Path, *, slug: str, name: str = "", plan: SubscriptionPlan | None = None, progress: Progress | None = None
) -> Imported:
    """A new company `slug` made from the bundle at `path`. Raises BundleRefused or ValidationError (nothing kept)."""
    bundle = Bundle(path)
    _check_schema(bundle)
    warnings = check_references(bundle)
    source = bundle.manifest.get("company") or {}
    name = name or str(source.get("name") or slug)[:200]
    company = new_company_row(slug=slug, name=name, like=None, plan=plan)
    try:
        tenant_database_create(company)
        with use_tenant(company):
            rows = _fill(bundle, progress)
            found = fingerprint(current_alias())
        expected = {table: {"rows": e["rows"], "sha256": e["sha256"]} for table, e in bundle.manifest["tables"].items()}
        problems = differences(expected, found)
        if problems:
            raise BundleRefused(
                _("The imported tables differ from the bundle: %(problems)s") % {"problems": "; ".join(problems)}
            )
    except Exception:
        tenant_database_drop(company)
        company.subscriptions.all().delete()
        company.delete()
        raise
    logger.info("company %s: imported from bundle %s (%d rows)", slug, path.name, rows)
    return Imported(company, rows, warnings)
