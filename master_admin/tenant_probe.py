"""Reads that run inside one company's database, and a bounded fan-out of them over many companies.

Each read is called with the company selected (`use_tenant`) and never touches the master
database, so it can run in a worker thread. The fan-out copies the caller's context into each
thread and closes the thread's company connections after every company, so a worker never
holds a connection per tenant.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import TypeVar

from django.db.models import Count, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncMonth

from appointments.models import Appointment
from doctors.models import Doctor
from patients.models import Patient
from payments.models import Payment
from sales.models import Currency, Sale
from subscription.models import Company
from subscription.replicas import reading_from_replica
from subscription.storage import storage_for
from subscription.tenancy import (
    close_tenant_connections,
    current_alias,
    current_tenant,
    run_with_context,
    tenant_connection,
    use_tenant,
)
from subscription.workers import can_fork, close_before_fork, start_forked_worker

T = TypeVar("T")
MAX_JOBS = 16
PROCESS_CHUNK = 50  # companies a worker process reads before it hands their figures back


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


class CompiledQuery:
    """An ORM query that reads every company the same way, compiled to SQL once per database engine.

    Counting figures in a thousand companies is mostly the ORM building the same few queries again;
    here each is built once, and each company's connection only runs the SQL (the rows still go
    through the ORM's own converters, so dates and decimals come back as the ORM gives them).
    """

    def __init__(self, build: Callable[[], QuerySet]) -> None:
        self.build = build
        self._compiled: dict[str, tuple] = {}

    def rows(self) -> list[dict]:
        connection = tenant_connection()
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            queryset = self.build()
            compiler = queryset.query.get_compiler(using=current_alias())
            sql, params = compiler.as_sql()
            names = [*queryset.query.values_select, *queryset.query.annotation_select]
            compiled = self._compiled[connection.vendor] = (compiler, sql, params, names)
        compiler, sql, params, names = compiled
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            raw = cursor.fetchall()
        return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[raw])]


def _by_month(model, field: str, **aggregates) -> CompiledQuery:
    """Rows per month of `field`: how many, the last change, and `aggregates` (one query)."""
    return CompiledQuery(
        lambda: (
            model.objects.annotate(month=TruncMonth(field))
            .values("month")
            .annotate(n=Count("pk"), last=Max("updated_at"), **aggregates)
            .order_by()
        )
    )


def _totals(model, **aggregates) -> CompiledQuery:
    """One row of `aggregates` over the whole table (none when it is empty)."""
    return CompiledQuery(
        lambda: model.objects.annotate(whole=Value(1)).values("whole").annotate(**aggregates).order_by()
    )


DOCTORS_BY_MONTH = _by_month(Doctor, "created_at", active=Count("pk", filter=Q(is_active=True)))
VISITS_BY_MONTH = _by_month(Appointment, "planned_start")
SALES_BY_MONTH = _by_month(Sale, "date", amount=Sum("amount", filter=Q(currency=Currency.AZN)))
PATIENTS = _totals(Patient, n=Count("pk"), last=Max("updated_at"))
PAYMENTS = _totals(Payment, last=Max("updated_at"))


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
    doctors, visits, sales = DOCTORS_BY_MONTH.rows(), VISITS_BY_MONTH.rows(), SALES_BY_MONTH.rows()
    patients = next(iter(PATIENTS.rows()), {"n": 0, "last": None})
    payments = next(iter(PAYMENTS.rows()), {"last": None})

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
        database_size=storage_for(company).size(company.slug),
        monthly=monthly,
    )


def tenant_quick_check(company: Company) -> tuple[bool, str]:
    """Check the selected company's database (`PRAGMA quick_check` on SQLite, a round trip elsewhere)."""
    return storage_for(current_tenant()).integrity_check(current_alias())


def _probe(read: Callable[[Company], T], company: Company) -> Probe:
    started = time.perf_counter()
    try:
        if storage_for(company).files(company.slug).exists is False:
            return Probe(company, error="database file missing")
        with use_tenant(company), reading_from_replica():
            value = read(company)
        return Probe(company, value=value, seconds=time.perf_counter() - started)
    except Exception as error:  # noqa: BLE001 - one broken company must not stop the others
        message = " ".join(str(error).split()) or type(error).__name__
        return Probe(company, error=f"{type(error).__name__}: {message}", seconds=time.perf_counter() - started)
    finally:
        close_tenant_connections()


def _probe_all(read: Callable[[Company], T], companies: list[Company]) -> list[Probe]:
    return [_probe(read, company) for company in companies]


def _in_processes(companies: list[Company], read: Callable[[Company], T], jobs: int) -> Iterator[Probe]:
    """`read` in forked worker processes, for work that keeps the interpreter busy (SQLite, a few ms a company)."""
    close_before_fork()
    chunks = [companies[start : start + PROCESS_CHUNK] for start in range(0, len(companies), PROCESS_CHUNK)]
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=start_forked_worker)
    finished = False
    try:
        for probes in pool.imap_unordered(partial(_probe_all, read), chunks):
            yield from probes
        finished = True
    finally:
        # Read to the end: the workers are told to stop and leave by themselves. Only a reader that gave up
        # (an error, an abandoned generator) has them terminated.
        if finished:
            pool.close()
        else:
            pool.terminate()
        pool.join()


def for_each_tenant(
    companies: Iterable[Company], read: Callable[[Company], T], *, jobs: int = 1, processes: bool = False
) -> Iterator[Probe]:
    """Run `read` inside each company's database, `jobs` at a time; yield each Probe as it finishes.

    With `processes` (and a process that can fork) the jobs are worker processes, else threads.
    """
    companies = list(companies)
    jobs = max(1, min(jobs, MAX_JOBS, len(companies) or 1))
    if jobs == 1:
        for company in companies:
            yield _probe(read, company)
        return
    if processes and can_fork():
        yield from _in_processes(companies, read, jobs)
        return
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="tenant-probe") as pool:
        futures = [pool.submit(run_with_context(_probe, read, company)) for company in companies]
        for future in as_completed(futures):
            yield future.result()
