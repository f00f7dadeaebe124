from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from subscription.models import Company
from subscription.provisioning import ProvisioningError, tenant_database_create
from subscription.tenancy import validate_slug


class Command(BaseCommand):
    help = "Make the database of an existing company (from the migrated template)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The company's code, e.g. acme.")
        parser.add_argument(
            "--from-scratch",
            action="store_true",
            help="Run every migration instead of copying the migrated template (slower; for checking).",
        )
        parser.add_argument(
            "--server",
            help="The database server to make it on (a name of TENANT_SERVERS, or local); default: the open "
            "server with the fewest companies. A company placed already stays on its server.",
        )

    def handle(self, *args, slug: str, from_scratch: bool, server: str | None = None, **options) -> None:
        try:
            validate_slug(slug)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            raise CommandError(f"No company with the code “{slug}”. Create it in /admin/ first.")
        try:
            state = tenant_database_create(company, from_template=not from_scratch, server=server)
        except ProvisioningError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created the database of {slug} on {company.server} in {state.duration_ms} ms.")
        )
