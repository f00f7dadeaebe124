"""The portable company bundle: a zip with one CSV per table, a manifest and a README (docs/backups.md).

The tables are read from a consistent snapshot of the company's database. The manifest says the
format, the schema state, each table's row count and SHA-256, and the master reference rows (cities,
clinics, users, ...) the data points to, by id and name, so an import elsewhere can map or report them.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from subscription.aliases import MASTER_APPS
from subscription.models import Company, TenantSchemaState
from subscription.storage import storage_for
from subscription.storage.tables import columns, table_rows, tenant_models, write_table

FORMAT = "medrep-company-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
README = "README.txt"
TABLES_DIR = "tables/"
Progress = Callable[[int, int], None]


def reference_fields(model: type[models.Model]) -> list[models.ForeignKey]:
    """The fields of a company table that point to master rows (by id, across databases)."""
    return [
        field for field in columns(model) if field.is_relation and field.related_model._meta.app_label in MASTER_APPS
    ]


def reference_name(row: models.Model) -> str:
    return row.get_username() if hasattr(row, "get_username") else str(row)


def _collecting(rows, model, found: dict[type[models.Model], set]):
    """Pass rows through, noting the master ids the reference columns name."""
    fields = columns(model)
    positions = [(fields.index(field), field.related_model) for field in reference_fields(model)]
    header = True
    for row in rows:
        if not header:
            for position, target in positions:
                if row[position] != "\\N":
                    found.setdefault(target, set()).add(int(row[position]))
        header = False
        yield row


def _references(found: dict[type[models.Model], set]) -> dict:
    listed = {}
    for target, ids in sorted(found.items(), key=lambda item: item[0]._meta.db_table):
        rows = target._base_manager.using("default").filter(pk__in=ids).order_by("pk")
        listed[target._meta.db_table] = {
            "model": target._meta.label,
            "rows": [{"id": row.pk, "name": reference_name(row)} for row in rows],
        }
    return listed


def readme(company: Company) -> str:
    return _(
        "The data of %(company)s (%(slug)s), exported from MedRep on %(date)s.\n\n"
        "tables/*.csv: one file per table, UTF-8, a header row of column names; ids are kept, so a column\n"
        "ending in _id points to the row with that id in the named table. \\N means empty (NULL); a text\n"
        "that starts with a backslash has one more in front. Times are UTC (ISO 8601).\n"
        "manifest.json: the format version, the schema state, each table's row count and SHA-256, and the\n"
        "platform's reference rows (cities, clinics, specialities, users) the data points to, by id and name.\n"
        "The files hold patients' personal data: keep them safe.\n"
        "Import into MedRep with: manage.py import_company FILE --as NEWCODE\n"
    ) % {"company": company.name, "slug": company.slug, "date": timezone.localtime().strftime("%Y-%m-%d %H:%M")}


def export_bundle(company: Company, out: Path, *, progress: Progress | None = None) -> dict:
    """Write the company's bundle to `out`; return its manifest."""
    found: dict[type[models.Model], set] = {}
    tables = {}
    chosen = tenant_models()
    state = TenantSchemaState.objects.filter(company=company).first()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        with storage_for(company).snapshot(company.slug) as alias:
            for index, model in enumerate(chosen, start=1):
                name = f"{TABLES_DIR}{model._meta.db_table}.csv"
                with archive.open(name, "w", force_zip64=True) as member:
                    rows, digest = write_table(_collecting(table_rows(alias, model), model, found), member)
                tables[model._meta.db_table] = {
                    "file": name,
                    "rows": rows,
                    "sha256": digest,
                    "columns": [field.column for field in columns(model)],
                }
                if progress is not None:
                    progress(index, len(chosen))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "made_at": timezone.now().isoformat(),
            "app_version": settings.APP_VERSION,
            "company": {"slug": company.slug, "name": company.name},
            "schema": {
                "tenant_migration_key": state.tenant_migration_key if state else "",
                "latest_migrations": state.latest_migrations if state else {},
            },
            "tables": tables,
            "references": _references(found),
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
        archive.writestr(README, readme(company))
    return manifest
