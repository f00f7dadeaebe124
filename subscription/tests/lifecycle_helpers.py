"""What the lifecycle tests share: the steps by name, walking them, and looking at the files and data."""

import sqlite3
from pathlib import Path

from doctors.models import Doctor
from subscription.lifecycle import company_archive, company_delete, company_restore, company_resume, company_suspend
from subscription.models import Company
from subscription.storage.sqlite import tenant_archive_path, tenant_database_path
from subscription.tenancy import close_tenant_connections, use_tenant

Lifecycle = Company.Lifecycle
SIDE_FILES = ("", "-wal", "-shm")
STEPS = {
    "suspend": company_suspend,
    "resume": company_resume,
    "archive": company_archive,
    "restore": company_restore,
    "delete": company_delete,
}
# How to reach each state from a new (active) company.
WAY_TO = {
    Lifecycle.ACTIVE: [],
    Lifecycle.SUSPENDED: ["suspend"],
    Lifecycle.ARCHIVED: ["suspend", "archive"],
    Lifecycle.DELETED: ["suspend", "archive", "delete"],
}
ALLOWED_FROM = {
    "suspend": Lifecycle.ACTIVE,
    "resume": Lifecycle.SUSPENDED,
    "archive": Lifecycle.SUSPENDED,
    "restore": Lifecycle.ARCHIVED,
    "delete": Lifecycle.ARCHIVED,
}


def walk(company: Company, *actions: str) -> Company:
    for action in actions:
        STEPS[action](company=company)
    return company


def files_at(path: Path) -> set[str]:
    """Which of the database, -wal and -shm files exist at `path` ('' for the database itself)."""
    return {suffix for suffix in SIDE_FILES if Path(f"{path}{suffix}").exists()}


def doctor_names(company: Company) -> list[str]:
    with use_tenant(company):
        names = list(Doctor.objects.order_by("last_name").values_list("last_name", flat=True))
    close_tenant_connections()
    return names


def names_in_file(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT last_name FROM doctors_doctor ORDER BY last_name")]
    finally:
        connection.close()


def assert_globex_untouched(globex: Company) -> None:
    globex.refresh_from_db()
    assert globex.lifecycle == Lifecycle.ACTIVE
    assert files_at(tenant_database_path(globex.slug)) >= {""}
    assert not files_at(tenant_archive_path(globex.slug))
    assert doctor_names(globex) == ["Globexov"]
