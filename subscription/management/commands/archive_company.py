from subscription.lifecycle import company_archive, database_location
from subscription.management.lifecycle_command import LifecycleCommand
from subscription.models import Company


class Command(LifecycleCommand):
    help = (
        "Archive a suspended company: its database leaves service (SQLite: the file and its -wal/-shm move "
        "to TENANT_DB_DIR/archive/; PostgreSQL: the database is renamed). Undo with restore_company."
    )

    def step(self, company: Company, **options) -> Company:
        return company_archive(company=company)

    def done(self, company: Company) -> str:
        return (
            f"Archived {company.slug}: its database is now {database_location(company)}. "
            f"Undo with: manage.py restore_company {company.slug}"
        )
