"""Recreate a company from a bundle made by export_company, under a new code."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from subscription.backups.bundle_archive import BundleRefused
from subscription.backups.bundle_import import import_bundle
from subscription.models import SubscriptionPlan
from subscription.provisioning import ProvisioningError, provisioning_error_message


class Command(BaseCommand):
    help = (
        "Make a new company NEWSLUG from a bundle (export_company). Refuses a bundle of a newer format or "
        "another schema state, checks every table's checksum, maps the reference rows (cities, clinics, users) "
        "by id and lists any this platform lacks. Nothing is kept if anything fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The bundle (.zip).")
        parser.add_argument("--as", dest="slug", required=True, metavar="NEWSLUG", help="The new company's code.")
        parser.add_argument("--name", default="", help="The new company's name (default: the bundle's).")
        parser.add_argument("--plan", default="", help="The new company's plan code (default: the cheapest active).")

    def handle(self, *args, file: str, slug: str, name: str, plan: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        chosen = None
        if plan:
            chosen = SubscriptionPlan.objects.filter(code=plan).first()
            if chosen is None:
                raise CommandError(f"No plan with the code “{plan}” (see /admin/).")
        started = time.perf_counter()
        try:
            imported = import_bundle(path, slug=slug, name=name, plan=chosen)
        except (BundleRefused, ValidationError, ProvisioningError) as error:
            raise CommandError(provisioning_error_message(error)) from None
        for warning in imported.warnings:
            self.stdout.write(self.style.WARNING(f"Note: {warning}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {imported.company.slug} (“{imported.company.name}”): {imported.rows} rows, checksums as in "
                f"the bundle ({time.perf_counter() - started:.2f}s)."
            )
        )
