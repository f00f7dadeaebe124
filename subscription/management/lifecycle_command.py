"""What the company lifecycle commands share: the company from its code, and one-line errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from subscription.models import Company
from subscription.provisioning import ProvisioningError, provisioning_error_message
from subscription.tenancy import validate_slug


def company_by_slug(slug: str) -> Company:
    """The company with this code; CommandError for a bad or unknown code."""
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    company = Company.objects.filter(slug=slug).first()
    if company is None:
        raise CommandError(
            f"No company with the code “{slug}”. Check the spelling; codes are listed in /master-admin/."
        )
    return company


class LifecycleCommand(BaseCommand):
    """Move one company (named by its code) one lifecycle step; subclasses say which and what to print."""

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The company's code, e.g. acme.")

    def handle(self, *args, slug: str, **options) -> None:
        company = company_by_slug(slug)
        try:
            company = self.step(company, **options)
        except (ValidationError, ProvisioningError) as error:
            raise CommandError(provisioning_error_message(error)) from None
        self.stdout.write(self.style.SUCCESS(self.done(company)))

    def step(self, company: Company, **options) -> Company:
        raise NotImplementedError

    def done(self, company: Company) -> str:
        raise NotImplementedError
