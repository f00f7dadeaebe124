"""Back up every active company's database (or those named with --tenant) into TENANT_DB_DIR/backups/."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from subscription.lifecycle import tenant_backup_dir, tenant_database_backup
from subscription.management.lifecycle_command import company_by_slug
from subscription.models import Company
from subscription.provisioning import provisioning_error_message


def human_size(size: int) -> str:
    """12 KB, 3.4 MB, 1.2 GB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024**2:
        return f"{size / 1024:.0f} KB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.1f} GB"


class Command(BaseCommand):
    help = (
        "Write a consistent copy of every active company's database (or of those named with --tenant, in "
        "any state but deleted) to TENANT_DB_DIR/backups/<slug>-<UTC time>.db (PostgreSQL: .dump, with "
        "pg_dump). One company's failure does not stop the others; the exit status is non-zero if any failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", action="append", dest="tenants", metavar="SLUG", help="Repeatable.")

    def handle(self, *args, tenants: list[str] | None, **options) -> None:
        if tenants:
            companies = [company_by_slug(slug) for slug in dict.fromkeys(tenants)]
        else:
            companies = list(Company.objects.filter(lifecycle=Company.Lifecycle.ACTIVE).order_by("slug"))
        total = len(companies)
        self.stdout.write(f"Backing up {total} company database(s) into {tenant_backup_dir()}…")
        started = time.perf_counter()
        failed = []
        width = len(str(total))
        for index, company in enumerate(companies, start=1):
            prefix = f"[{index:>{width}}/{total}] {company.slug} ..."
            try:
                path = tenant_database_backup(company=company)
            except Exception as error:  # noqa: BLE001 - one broken company must not stop the others
                failed.append(company.slug)
                self.stdout.write(f"{prefix} {self.style.ERROR('FAILED')}: {provisioning_error_message(error)}")
                continue
            self.stdout.write(f"{prefix} {self.style.SUCCESS('ok')} {human_size(path.stat().st_size)} ({path.name})")
        self.stdout.write(
            f"Done in {time.perf_counter() - started:.2f}s: {total - len(failed)} ok, {len(failed)} failed."
        )
        if failed:
            raise CommandError(
                f"{len(failed)} of {total} company database(s) could not be backed up: {', '.join(failed)}. "
                "See the errors above, fix them, then rerun with --tenant for each."
            )
