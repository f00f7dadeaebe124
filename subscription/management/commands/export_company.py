"""Write a company's portable bundle: a zip with one CSV per table, a manifest and a README."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from subscription.backups.bundle import export_bundle
from subscription.management.lifecycle_command import company_by_slug


class Command(BaseCommand):
    help = (
        "Export SLUG's data as a portable bundle (zip: tables/*.csv, manifest.json, README.txt) to --out. "
        "Read from a consistent snapshot, so the company may be in use. Import with import_company."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The company's code, e.g. acme.")
        parser.add_argument("--out", required=True, help="The file to write (refused if it exists).")

    def handle(self, *args, slug: str, out: str, **options) -> None:
        company = company_by_slug(slug)
        if not company.has_live_database:
            raise CommandError(
                f"{slug} is {company.lifecycle}: only a company whose database is in service is exported."
            )
        target = Path(out).resolve()
        if target.exists():
            raise CommandError(f"{target} exists; choose another file (nothing is overwritten).")
        if not target.parent.is_dir():
            raise CommandError(f"There is no folder {target.parent}.")
        building = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        started = time.perf_counter()
        try:
            manifest = export_bundle(company, building)
            building.rename(target)
        finally:
            building.unlink(missing_ok=True)
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {slug}: {len(manifest['tables'])} tables, {rows} rows, to {target} "
                f"({target.stat().st_size} bytes, {time.perf_counter() - started:.2f}s). "
                f"Import with: manage.py import_company {target} --as NEWCODE"
            )
        )
