from django.core.management.base import CommandError

from subscription.lifecycle import company_delete, lifecycle_refusal, tenant_backup_dir
from subscription.management.lifecycle_command import LifecycleCommand
from subscription.models import Company


class Command(LifecycleCommand):
    help = (
        "Delete an archived company's database for good, after a final backup into BACKUP_DIR (catalogued). "
        "The company row stays, marked deleted, for the audit trail. Needs --yes."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--yes", action="store_true", help="Confirm: the database is removed after the backup.")

    def step(self, company: Company, *, yes: bool = False, **options) -> Company:
        refusal = lifecycle_refusal(company, "delete")
        if refusal:
            raise CommandError(refusal)
        if not yes:
            raise CommandError(
                f"Deleting {company.slug} removes its database for good, after a final backup into "
                f"{tenant_backup_dir()}/. Rerun with --yes to confirm."
            )
        return company_delete(company=company)

    def done(self, company: Company) -> str:
        return f"Deleted the database of {company.slug}; the final backup is {company.final_backup}"
