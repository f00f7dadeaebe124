"""Rebuild doctors' search columns (after reference names changed while a company was unreachable)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from doctors.services import doctor_search_refresh
from subscription.models import Company
from subscription.tenancy import use_tenant


class Command(BaseCommand):
    help = (
        "Rebuild every doctor's search column (names, phones, specializations and city) in the given "
        "companies' databases, or in every company with a live database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", action="append", default=[], metavar="SLUG", help="A company (repeatable).")

    def handle(self, *args, tenant: list[str], **options) -> None:
        companies = Company.objects.with_live_database().order_by("slug")
        if tenant:
            companies = companies.filter(slug__in=tenant)
            missing = sorted(set(tenant) - set(companies.values_list("slug", flat=True)))
            if missing:
                raise CommandError(f"No company with a live database has the code {', '.join(missing)}.")
        failed = []
        for company in companies:
            try:
                with use_tenant(company):
                    changed = doctor_search_refresh(every=True)
            except DatabaseError as error:
                failed.append(company.slug)
                self.stderr.write(f"{company.slug}: {error}")
                continue
            self.stdout.write(f"{company.slug}: {changed} doctors' search updated")
        if failed:
            raise CommandError(f"Not refreshed: {', '.join(failed)}; run the command again for them.")
