from subscription.lifecycle import company_suspend
from subscription.management.lifecycle_command import LifecycleCommand
from subscription.models import Company


class Command(LifecycleCommand):
    help = (
        "Suspend an active company: its users are refused until resume_company; a superuser may still "
        "enter it read-only. Its database stays where it is."
    )

    def step(self, company: Company, **options) -> Company:
        return company_suspend(company=company)

    def done(self, company: Company) -> str:
        return f"Suspended {company.slug}: its users are refused. Undo with: manage.py resume_company {company.slug}"
