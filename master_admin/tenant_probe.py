"""Reads that run inside one company's database, and a bounded fan-out of them over many companies.

Each read is called with the company selected (`use_tenant`) and never touches the master
database, so it can run in a worker thread. The fan-out copies the caller's context into each
thread and closes the thread's company connections after every company, so a worker never
holds a connection per tenant.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth

from appointments.models import Appointment
from doctors.models import Doctor
from patients.models import Patient
from payments.models import Payment
from sales.models import Currency, Sale
from subscription.models import Company
from subscription.storage import tenant_storage
from subscription.tenancy import close_tenant_connections, current_alias, run_with_context, use_tenant

T = TypeVar("T")
MAX_JOBS = 16


@dataclass
class TenantFigures:
    """What `tenant_figures` counted in one company's database."""

    doctors: int = 0
    active_doctors: int = 0
    patients: int = 0
    visits: int = 0
    sales: int = 0
    sales_amount: Decimal = Decimal("0")
    last_change_at: object = None
    database_size: int | None = None
    monthly: dict[str, dict] = field(default_factory=dict)


@dataclass
class Probe:
    """The outcome of one read in one company: a value, or the error that stopped it."""

    company: Company
    value: object = None
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error


def _month_key(value) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def _by_month(queryset, field: str, **aggregates) -> list[dict]:
    """Rows per month of `field`: how many, the last change, and `aggregates` (one query)."""
    rows = queryset.annotate(month=TruncMonth(field)).values("month")
    return list(rows.annotate(n=Count("pk"), last=Max("updated_at"), **aggregates).order_by())


def _fill_months(monthly: dict[str, dict], rows: list[dict], **names: str) -> None:
    """Copy each row's values into monthly["YYYY-MM"] under the given names (name=row key)."""
    for row in rows:
        bucket = monthly.setdefault(_month_key(row["month"]), {})
        for name, key in names.items():
            value = row[key] or 0
            bucket[name] = str(value) if isinstance(value, Decimal) else value


def tenant_figures(company: Company) -> TenantFigures:
    """Count the selected company's doctors, patients, visits and sales (AZN), in total and by month.

    Totals are the sums of the months, so each model costs one grouped query.
    """
    doctors = _by_month(Doctor.objects, "created_at", active=Count("pk", filter=Q(is_active=True)))
    visits = _by_month(Appointment.objects, "planned_start")
    sales = _by_month(Sale.objects, "date", amount=Sum("amount", filter=Q(currency=Currency.AZN)))
    patients = Patient.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    payments = Payment.objects.aggregate(last=Max("updated_at"))

    monthly: dict[str, dict] = {}
    _fill_months(monthly, doctors, doctors="n")
    _fill_months(monthly, visits, visits="n")
    _fill_months(monthly, sales, sales="n", sales_amount="amount")
    changes = [row["last"] for row in (*doctors, *visits, *sales, patients, payments) if row["last"] is not None]
    return TenantFigures(
        doctors=sum(row["n"] for row in doctors),
        active_doctors=sum(row["active"] for row in doctors),
        patients=patients["n"],
        visits=sum(row["n"] for row in visits),
        sales=sum(row["n"] for row in sales),
        sales_amount=sum((row["amount"] or Decimal("0") for row in sales), Decimal("0")),
        last_change_at=max(changes, default=None),
        database_size=tenant_storage().size(company.slug),
        monthly=monthly,
    )


def tenant_quick_check(company: Company) -> tuple[bool, str]:
    """Check the selected company's database (`PRAGMA quick_check` on SQLite, a round trip elsewhere)."""
    return tenant_storage().integrity_check(current_alias())


def _probe(read: Callable[[Company], T], company: Company) -> Probe:
    started = time.perf_counter()
    try:
        if tenant_storage().files(company.slug).exists is False:
            return Probe(company, error="database file missing")
        with use_tenant(company):
            value = read(company)
        return Probe(company, value=value, seconds=time.perf_counter() - started)
    except Exception as error:  # noqa: BLE001 - one broken company must not stop the others
        message = " ".join(str(error).split()) or type(error).__name__
        return Probe(company, error=f"{type(error).__name__}: {message}", seconds=time.perf_counter() - started)
    finally:
        close_tenant_connections()


def for_each_tenant(companies: Iterable[Company], read: Callable[[Company], T], *, jobs: int = 1) -> Iterator[Probe]:
    """Run `read` inside each company's database, `jobs` at a time; yield each Probe as it finishes."""
    companies = list(companies)
    jobs = max(1, min(jobs, MAX_JOBS, len(companies) or 1))
    if jobs == 1:
        for company in companies:
            yield _probe(read, company)
        return
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="tenant-probe") as pool:
        futures = [pool.submit(run_with_context(_probe, read, company)) for company in companies]
        for future in as_completed(futures):
            yield future.result()
