"""Restore a company's database from a backup: into place (after a safety backup) or as a new company."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from subscription.backups.restore import pick_backup, restore_as_new, restore_in_place
from subscription.management.lifecycle_command import company_by_slug
from subscription.provisioning import ProvisioningError, provisioning_error_message


class Command(BaseCommand):
    help = (
        "Restore SLUG's database from a backup of the catalogue (--backup ID, default: the latest). Into place: "
        "a safety backup of what is there is taken first and the company is read-only meanwhile. With --as "
        "NEWSLUG: a new company is made from the backup, for inspection, and SLUG is not touched."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The company whose backup to restore, e.g. acme.")
        parser.add_argument("--backup", default="latest", help="A backup id (see /master-admin/), or 'latest'.")
        parser.add_argument("--as", dest="new_slug", metavar="NEWSLUG", help="Make a new company from the backup.")
        parser.add_argument("--name", default="", help="The new company's name (with --as).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore into place even if what is there cannot be backed up first (damaged): it is kept aside.",
        )

    def handle(self, *args, slug: str, backup: str, new_slug: str | None, name: str, force: bool, **options) -> None:
        company = company_by_slug(slug)
        try:
            chosen = pick_backup(company, backup)
            if new_slug:
                made = restore_as_new(backup=chosen, slug=new_slug, name=name)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Made {made.slug} (“{made.name}”) from backup {chosen.pk} ({chosen.file_name}); {slug} was "
                        f"not touched. Remove it when done with: manage.py suspend_company {made.slug}, "
                        f"archive_company, delete_company."
                    )
                )
                return
            if company.lifecycle not in company.LIVE:
                raise ValidationError(
                    f"{slug} is {company.lifecycle}: restore into place needs its database in service. Use --as "
                    f"NEWSLUG to look at the backup as a new company."
                )
            restored = restore_in_place(company=company, backup=chosen, force=force)
        except (ValidationError, ProvisioningError) as error:
            raise CommandError(provisioning_error_message(error)) from None
        safety = restored.safety
        before = (
            f"What was there is in backup {safety.pk} ({safety.file_name}); undo with: manage.py restore_tenant "
            f"{slug} --backup {safety.pk}"
            if safety
            else f"What was there could not be backed up; it is kept at {restored.kept}"
        )
        self.stdout.write(self.style.SUCCESS(f"Restored {slug} from backup {chosen.pk} ({chosen.file_name}). {before}"))
