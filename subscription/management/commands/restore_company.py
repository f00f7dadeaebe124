from subscription.lifecycle import company_restore, database_location
from subscription.management.lifecycle_command import LifecycleCommand
from subscription.models import Company


class Command(LifecycleCommand):
    help = (
        "Restore an archived company: its database comes back into service as it was archived. "
        "The company comes back suspended; resume_company lets its users in."
    )

    def step(self, company: Company, **options) -> Company:
        return company_restore(company=company)

    def done(self, company: Company) -> str:
        return (
            f"Restored {company.slug}: its database is back at {database_location(company)}. It stays "
            f"suspended until: manage.py resume_company {company.slug}"
        )
