"""Back up every active company's database (or those named with --tenant) into BACKUP_DIR, then prune."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from subscription.backups.catalogue import backup_create, backup_dir, backups_prune
from subscription.management.lifecycle_command import company_by_slug
from subscription.models import Company, TenantBackup
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
        "Back up every active company's database (or those named with --tenant, in any state but deleted) into "
        "BACKUP_DIR/<slug>/ (SQLite online backup, or pg_dump -Fc), record each in the catalogue, then prune "
        "old backups by the retention rules (BACKUP_KEEP_DAILY/WEEKLY/MONTHLY; --no-prune keeps them). One "
        "company's failure does not stop the others; the exit status is non-zero if any failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", action="append", dest="tenants", metavar="SLUG", help="Repeatable.")
        parser.add_argument("--no-prune", action="store_true", help="Keep every older backup this time.")
        parser.add_argument(
            "--how", choices=[TenantBackup.How.MANUAL, TenantBackup.How.SCHEDULED], default=TenantBackup.How.MANUAL
        )

    def handle(self, *args, tenants: list[str] | None, no_prune: bool, how: str, **options) -> None:
        if tenants:
            companies = [company_by_slug(slug) for slug in dict.fromkeys(tenants)]
        else:
            companies = list(Company.objects.filter(lifecycle=Company.Lifecycle.ACTIVE).order_by("slug"))
        total = len(companies)
        self.stdout.write(f"Backing up {total} company database(s) into {backup_dir()}…")
        started = time.perf_counter()
        failed = []
        width = len(str(total))
        for index, company in enumerate(companies, start=1):
            prefix = f"[{index:>{width}}/{total}] {company.slug} ..."
            try:
                backup = backup_create(company=company, how=how)
                pruned = [] if no_prune else backups_prune(company=company)
            except Exception as error:  # noqa: BLE001 - one broken company must not stop the others
                failed.append(company.slug)
                self.stdout.write(f"{prefix} {self.style.ERROR('FAILED')}: {provisioning_error_message(error)}")
                continue
            notes = [f"{backup.duration_ms / 1000:.2f}s"]
            if backup.encrypted:
                notes.append("encrypted")
            if backup.copy_file:
                notes.append("copy checked")
            if backup.copy_error:
                notes.append(f"COPY FAILED: {backup.copy_error}")
            if pruned:
                notes.append(f"{len(pruned)} old pruned")
            self.stdout.write(
                f"{prefix} {self.style.SUCCESS('ok')} {human_size(backup.size)} ({backup.file_name}; {', '.join(notes)})"
            )
            if backup.copy_error:
                failed.append(company.slug)
        self.stdout.write(
            f"Done in {time.perf_counter() - started:.2f}s: {total - len(failed)} ok, {len(failed)} failed."
        )
        if failed:
            raise CommandError(
                f"{len(failed)} of {total} company database(s) could not be backed up: {', '.join(failed)}. See the "
                "errors above (a failed copy to BACKUP_COPY_DIR counts), fix them, then rerun with --tenant for each."
            )
