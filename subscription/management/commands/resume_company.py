from subscription.lifecycle import company_resume
from subscription.management.lifecycle_command import LifecycleCommand
from subscription.models import Company


class Command(LifecycleCommand):
    help = "Resume a suspended company: its users can work again."

    def step(self, company: Company, **options) -> Company:
        return company_resume(company=company)

    def done(self, company: Company) -> str:
        return f"Resumed {company.slug}: its users can work again."
