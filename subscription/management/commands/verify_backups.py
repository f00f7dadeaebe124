"""Restore each company's latest backup into a scratch database and compare it with the catalogue."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from subscription.backups.drill import restore_drill
from subscription.management.lifecycle_command import company_by_slug


class Command(BaseCommand):
    help = (
        "Restore the latest backup of every company in service (or of those named with --tenant) into a "
        "scratch database, compare each table's row count and content checksum with the catalogue, and record "
        "the result (shown in /master-admin/). The exit status is non-zero if any backup failed or is missing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", action="append", dest="tenants", metavar="SLUG", help="Repeatable.")

    def handle(self, *args, tenants: list[str] | None, **options) -> None:
        companies = [company_by_slug(slug) for slug in dict.fromkeys(tenants)] if tenants else None
        started = time.perf_counter()
        outcomes = restore_drill(companies=companies, progress=self.report)
        failed = [outcome.company.slug for outcome in outcomes if not outcome.ok]
        self.stdout.write(
            f"Done in {time.perf_counter() - started:.2f}s: {len(outcomes) - len(failed)} ok, {len(failed)} failed."
        )
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(outcomes)} backup(s) failed verification: {', '.join(failed)}. See the "
                "lines above; make a new backup (manage.py backup_tenant --tenant SLUG) and look at the bad one."
            )

    def report(self, index: int, total: int, outcome) -> None:
        prefix = f"[{index:>{len(str(total))}}/{total}] {outcome.company.slug} ..."
        style = self.style.SUCCESS("ok") if outcome.ok else self.style.ERROR("FAILED")
        self.stdout.write(f"{prefix} {style} {outcome.message}")
