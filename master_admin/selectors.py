"""Reads of the master admin. Per-company figures come from the stored snapshots, never from
opening every company's database while a page renders."""

from __future__ import annotations

import datetime
import operator
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from master_admin.models import ImpersonationSession, TenantIntegrityCheck, TenantStatsSnapshot
from subscription.models import Company, Subscription, TenantSchemaState
from subscription.schema import BEHIND, MISSING, SCHEMA_STATES, UP_TO_DATE, pending_migrations, schema_state
from subscription.storage import DatabaseFiles, local_disk_usage, storage_for
from subscription.ui.aztext import AzFold, az_fold, az_sort_key

NO_SUBSCRIPTION = "none"


def month_key(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def last_months(today: datetime.date, count: int = 12) -> list[str]:
    """The keys ('YYYY-MM') of the `count` months up to and including today's, oldest first."""
    year, month = today.year, today.month
    keys = []
    for _step in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


@dataclass
class CompanyRow:
    """One company as the platform pages show it."""

    company: Company
    files: DatabaseFiles
    snapshot: TenantStatsSnapshot | None
    this_month: str

    @property
    def schema(self) -> str:
        return schema_state(self.company, exists=self.files.exists)

    @property
    def schema_label(self) -> str:
        return SCHEMA_STATES[self.schema]

    @property
    def status_label(self) -> str:
        status = self.company.subscription_status
        return dict(Subscription.Status.choices).get(status, status or "")

    @property
    def doctors(self) -> int | None:
        return self.snapshot.doctors if self.snapshot and self.snapshot.taken_at else None

    @property
    def visits_this_month(self) -> int | None:
        if not (self.snapshot and self.snapshot.taken_at):
            return None
        return self.snapshot.monthly.get(self.this_month, {}).get("visits", 0)

    def by_month(self, name: str, months: list[str]) -> list:
        """One figure of the snapshot ('visits', 'sales_amount', ...) for each of `months`."""
        monthly = self.snapshot.monthly if self.snapshot else {}
        return [monthly.get(key, {}).get(name, 0) for key in months]

    @property
    def database_size(self) -> int | None:
        if self.files.exists:
            return (self.files.size or 0) + (self.files.wal_size or 0)
        return self.snapshot.database_size if self.snapshot and self.files.exists is None else None

    @property
    def last_activity(self) -> datetime.datetime | None:
        moments = [self.company.last_login, self.snapshot.last_change_at if self.snapshot else None]
        return max((moment for moment in moments if moment is not None), default=None)


def companies_annotated() -> QuerySet[Company]:
    """Companies with their current subscription (the latest started), user count and last login."""
    current = Subscription.objects.filter(company=OuterRef("pk")).order_by("-starts_on", "-pk")
    return (
        Company.objects.select_related("schema_state", "stats_snapshot")
        .annotate(
            plan_code=Subquery(current.values("plan__code")[:1]),
            plan_name=Subquery(current.values("plan__name")[:1]),
            plan_price=Subquery(current.values("plan__price_monthly")[:1]),
            subscription_status=Subquery(current.values("status")[:1]),
            subscription_ends_on=Subquery(current.values("ends_on")[:1]),
            user_count=Count("profiles"),
            last_login=Max("profiles__user__last_login"),
        )
        .order_by("name", "pk")
    )


def company_rows(
    *, search: str = "", plan: str = "", status: str = "", state: str = "", active: str = "", sort: str = "name"
) -> list[CompanyRow]:
    """Every company matching the filters, as rows (one master query, plus a file check on SQLite)."""
    companies = companies_annotated()
    if search:
        folded = az_fold(search)
        fields = ("name", "slug", "contact_name", "contact_email", "tax_id")
        companies = companies.alias(**{f"{name}_folded": AzFold(name) for name in fields}).filter(
            reduce(operator.or_, (Q(**{f"{name}_folded__contains": folded}) for name in fields))
        )
    if plan:
        companies = companies.filter(plan_code=plan)
    if status == NO_SUBSCRIPTION:
        companies = companies.filter(subscription_status__isnull=True)
    elif status:
        companies = companies.filter(subscription_status=status)
    if active in ("yes", "no"):
        companies = companies.filter(is_active=active == "yes")
    this_month = month_key(timezone.localdate())
    rows = [
        CompanyRow(
            company, storage_for(company).files(company.slug), getattr(company, "stats_snapshot", None), this_month
        )
        for company in companies
    ]
    if state:
        rows = [row for row in rows if row.schema == state]
    return sort_rows(rows, sort)


SORT_KEYS = {
    "name": lambda row: az_sort_key(row.company.name),
    "plan": lambda row: row.company.plan_name or "",
    "users": lambda row: row.company.user_count,
    "doctors": lambda row: row.doctors or 0,
    "visits": lambda row: row.visits_this_month or 0,
    "size": lambda row: row.database_size or 0,
    "activity": lambda row: (row.last_activity is not None, row.last_activity or timezone.now()),
}


def sort_rows(rows: list[CompanyRow], sort: str) -> list[CompanyRow]:
    key = SORT_KEYS.get(sort.lstrip("-"), SORT_KEYS["name"])
    return sorted(rows, key=key, reverse=sort.startswith("-"))


def company_row(company: Company) -> CompanyRow:
    """One company, looked up again with its annotations."""
    company = companies_annotated().get(pk=company.pk)
    return CompanyRow(
        company,
        storage_for(company).files(company.slug),
        getattr(company, "stats_snapshot", None),
        month_key(timezone.localdate()),
    )


# --- Platform analytics ------------------------------------------------------------------------------------
@dataclass
class PlatformAnalytics:
    companies: int = 0
    active_companies: int = 0
    by_plan: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    by_plan_and_status: Counter = field(default_factory=Counter)
    mrr: Decimal = Decimal("0")
    mrr_by_plan: Counter = field(default_factory=Counter)
    doctors: int = 0
    patients: int = 0
    visits: int = 0
    sales: int = 0
    sales_amount: Decimal = Decimal("0")
    months: list[str] = field(default_factory=list)
    new_companies: list[int] = field(default_factory=list)
    total_companies: list[int] = field(default_factory=list)
    visits_by_month: list[int] = field(default_factory=list)
    sales_by_month: list[Decimal] = field(default_factory=list)
    new_doctors: list[int] = field(default_factory=list)
    snapshots: int = 0
    snapshots_failed: int = 0
    oldest_snapshot: datetime.datetime | None = None
    newest_snapshot: datetime.datetime | None = None

    @property
    def snapshots_missing(self) -> int:
        return self.companies - self.snapshots


def pays_now(company: Company, today: datetime.date) -> bool:
    """Whether a company counts towards monthly recurring revenue: active, on an active subscription."""
    return (
        company.is_active
        and company.subscription_status == Subscription.Status.ACTIVE
        and (company.subscription_ends_on is None or company.subscription_ends_on >= today)
    )


def platform_analytics(*, today: datetime.date | None = None, months: int = 12) -> PlatformAnalytics:
    """Companies by plan and status, MRR, and the companies' figures summed from their snapshots."""
    today = today or timezone.localdate()
    result = PlatformAnalytics(months=last_months(today, months))
    statuses = dict(Subscription.Status.choices)
    monthly: dict[str, Counter] = {key: Counter() for key in result.months}
    created_before = 0
    for company in companies_annotated():
        result.companies += 1
        result.active_companies += company.is_active
        plan = company.plan_name or str(_("no plan"))
        status = str(statuses.get(company.subscription_status, _("no subscription")))
        result.by_plan[plan] += 1
        result.by_status[status] += 1
        result.by_plan_and_status[(plan, status)] += 1
        if pays_now(company, today):
            result.mrr += company.plan_price
            result.mrr_by_plan[plan] += company.plan_price
        created = month_key(timezone.localtime(company.created_at).date())
        if created in monthly:
            monthly[created]["companies"] += 1
        elif created < result.months[0]:
            created_before += 1
        snapshot = getattr(company, "stats_snapshot", None)
        if snapshot is None or snapshot.taken_at is None:
            continue
        result.snapshots += 1
        result.snapshots_failed += bool(snapshot.error)
        result.oldest_snapshot = min(filter(None, [result.oldest_snapshot, snapshot.taken_at]))
        result.newest_snapshot = max(filter(None, [result.newest_snapshot, snapshot.taken_at]))
        for name in ("doctors", "patients", "visits", "sales", "sales_amount"):
            setattr(result, name, getattr(result, name) + getattr(snapshot, name))
        for key in result.months:
            figures = snapshot.monthly.get(key)
            if figures:
                monthly[key].update(
                    visits=figures.get("visits", 0),
                    sales_amount=Decimal(figures.get("sales_amount", "0")),
                    doctors=figures.get("doctors", 0),
                )
    running = created_before
    for key in result.months:
        running += monthly[key]["companies"]
        result.new_companies.append(monthly[key]["companies"])
        result.total_companies.append(running)
        result.visits_by_month.append(monthly[key]["visits"])
        result.sales_by_month.append(monthly[key]["sales_amount"] or Decimal("0"))
        result.new_doctors.append(monthly[key]["doctors"])
    return result


# --- Impersonation log -----------------------------------------------------------------------------------
def impersonation_sessions(*, superuser=None, company: Company | None = None) -> QuerySet[ImpersonationSession]:
    sessions = ImpersonationSession.objects.select_related("superuser", "company").order_by("-started_at", "-pk")
    if superuser is not None:
        sessions = sessions.filter(superuser=superuser)
    if company is not None:
        sessions = sessions.filter(company=company)
    return sessions


# --- Monitoring ------------------------------------------------------------------------------------------
@dataclass
class HealthRow:
    company: Company
    files: DatabaseFiles
    check: TenantIntegrityCheck | None

    @property
    def schema(self) -> str:
        return schema_state(self.company, exists=self.files.exists)

    @property
    def schema_label(self) -> str:
        return SCHEMA_STATES[self.schema]

    @property
    def pending(self) -> list[str]:
        return pending_migrations(self.company) if self.schema in (BEHIND, MISSING) else []


@dataclass
class Monitoring:
    rows: list[HealthRow]
    master_size: int | None
    disk_total: int | None
    disk_free: int | None
    last_migrated_at: datetime.datetime | None
    app_version: str
    keeps_files: bool  # the store keeps company databases as files on this machine (SQLite)

    @property
    def tenants_size(self) -> int:
        return sum((row.files.size or 0) + (row.files.wal_size or 0) for row in self.rows)

    def count(self, state: str) -> int:
        return sum(row.schema == state for row in self.rows)

    @property
    def up_to_date(self) -> int:
        return self.count(UP_TO_DATE)

    @property
    def problems(self) -> int:
        failed_checks = sum(row.check is not None and not row.check.ok for row in self.rows)
        return len(self.rows) - self.up_to_date + failed_checks


def master_database_size() -> int | None:
    """Bytes used by the master database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return pages * cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    return None


def monitoring_overview() -> Monitoring:
    """Every company database in service: its health as far as the master database and the disk tell,
    without opening it. Archived and deleted companies have no database in service and are left out."""
    companies = (
        Company.objects.with_live_database().select_related("schema_state", "integrity_check").order_by("name", "pk")
    )
    rows = [
        HealthRow(company, storage_for(company).files(company.slug), getattr(company, "integrity_check", None))
        for company in companies
    ]
    disk = local_disk_usage()
    return Monitoring(
        rows=rows,
        master_size=master_database_size(),
        disk_total=disk[0] if disk else None,
        disk_free=disk[1] if disk else None,
        last_migrated_at=TenantSchemaState.objects.aggregate(last=Max("migrated_at"))["last"],
        app_version=settings.APP_VERSION,
        keeps_files=disk is not None,
    )
