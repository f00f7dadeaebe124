"""Recount every company's figures (or those named with --tenant) for the platform analytics."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from master_admin.services import platform_stats_refresh
from master_admin.tenant_probe import MAX_JOBS, Probe
from subscription.models import Company


class Command(BaseCommand):
    help = (
        "Count doctors, patients, visits and sales in every company's database (or in those named with "
        "--tenant) and store them as the snapshot that /master-admin/ shows. Archived and deleted companies "
        "are skipped. One company's failure does not stop the others; the exit status is non-zero if any failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", action="append", dest="tenants", metavar="SLUG", help="Repeatable.")
        parser.add_argument(
            "--jobs",
            type=int,
            help="Companies counted at once, by worker processes (default: one per CPU, at most 4; 1 counts here).",
        )

    def handle(self, *args, **options) -> None:
        jobs = min(os.cpu_count() or 1, 4) if options["jobs"] is None else options["jobs"]
        if not 1 <= jobs <= MAX_JOBS:
            raise CommandError(f"--jobs must be between 1 and {MAX_JOBS}.")
        companies = self.companies(options["tenants"])
        self.stdout.write(f"Counting {len(companies)} company database(s) with {jobs} worker(s)…")
        started = time.perf_counter()
        probes = platform_stats_refresh(companies=companies, jobs=jobs, processes=True, progress=self.report)
        failed = sorted(probe.company.slug for probe in probes if not probe.ok)
        self.stdout.write(
            f"Done in {time.perf_counter() - started:.2f}s: {len(probes) - len(failed)} ok, {len(failed)} failed."
        )
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(probes)} company database(s) could not be counted: {', '.join(failed)}. "
                "See the errors above (manage.py migrate_tenants fixes a database that is behind)."
            )

    def companies(self, slugs: list[str] | None) -> list[Company]:
        companies = Company.objects.order_by("slug")
        found = list(companies.filter(slug__in=slugs) if slugs else companies)
        unknown = sorted(set(slugs or ()) - {company.slug for company in found})
        if unknown:
            raise CommandError(
                f"No company with the code: {', '.join(unknown)}. Check the spelling; codes are listed in /master-admin/."
            )
        # Archived and deleted companies have no database in service (docs/lifecycle.md).
        skipped = [company.slug for company in found if not company.has_live_database]
        if skipped:
            self.stdout.write(f"Skipping {len(skipped)} archived or deleted company(ies): {', '.join(skipped)}.")
        return [company for company in found if company.has_live_database]

    def report(self, index: int, total: int, probe: Probe) -> None:
        width = len(str(total))
        prefix = f"[{index:>{width}}/{total}] {probe.company.slug} ..."
        if probe.ok:
            self.stdout.write(f"{prefix} {self.style.SUCCESS('ok')} {probe.seconds:.2f}s")
        else:
            self.stdout.write(f"{prefix} {self.style.ERROR('FAILED')} {probe.seconds:.2f}s: {probe.error}")
