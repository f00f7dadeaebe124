"""The company interface as the URL resolver sees it, and records for its URLs, for the generated tests.

`company_urls()` walks every URL pattern of the company sections (and the dashboard); `declared_actions()`
reads the action each view declares (`@require(...)` or a list view's `permission`); `make_record()`
makes the record a URL's id points at, in the selected company. A new URL whose id has no record
kind here, or whose view declares no action, makes the generated tests fail until it is added.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from appointments.models import MonthlyPlan
from appointments.tests.factories import AppointmentFactory, MonthlyPlanFactory
from doctors.tests.factories import DoctorFactory, TerritoryFactory
from patients.tests.factories import PatientFactory
from payments.tests.factories import PaymentFactory
from reports.tests.factories import ReportFactory, SalesTargetFactory
from sales.models import ImportBatch
from sales.tests.factories import PharmacyFactory, ProductFactory, SaleFactory
from subscription.models import UserProfile
from subscription.tenancy import TENANT_APPS, use_tenant
from subscription.tests.factories import ProfileFactory, UserFactory
from subscription.ui.listing import CompanyListView

COMPANY_NAMESPACES = (
    "doctors",
    "territories",
    "patients",
    "appointments",
    "plans",
    "sales",
    "payments",
    "reports",
    "targets",
    "settings",
    "export",
)
ROLES = ("owner", "manager", "representative", "viewer")
# The record kind behind `<id:pk>`, by the start of the URL's name.
RECORD_OF_NAME = {
    "doctors:doctor-": "doctor",
    "patients:patient-": "patient",
    "territories:territory-": "territory",
    "territories:doctor-": "doctor",
    "appointments:appointment-": "visit",
    "appointments:call-report": "visit",
    "plans:plan-": "plan",
    "sales:pharmacy-": "pharmacy",
    "sales:import-batch-": "import",
    "targets:target-": "target",
    "sales:sale-": "sale",
    "sales:product-": "product",
    "payments:payment-": "payment",
    "reports:saved-report-": "report",
    "settings:user-": "member",
}
OTHER_ARGUMENTS = {"kind": "coverage"}
# Rules on top of the role table: only the record's own representative may use these (a monthly plan is
# edited, submitted and scheduled by the one who made it); others who hold the right get 403.
OWN_RECORD_ONLY = {"plans:plan-update", "plans:plan-submit", "plans:plan-schedule"}


@dataclass(frozen=True)
class CompanyUrl:
    name: str  # "doctors:doctor-detail"
    view: Callable
    arguments: tuple[str, ...]  # the names of the path's arguments, e.g. ("pk",)

    def __str__(self) -> str:
        return self.name

    @property
    def record_kind(self) -> str | None:
        if "pk" not in self.arguments:
            return None
        kinds = [kind for prefix, kind in RECORD_OF_NAME.items() if self.name.startswith(prefix)]
        assert kinds, f"{self.name} takes an id: add its record kind to RECORD_OF_NAME in {__name__}"
        return kinds[0]

    def path(self, pk: int | None = None) -> str:
        kwargs = {name: OTHER_ARGUMENTS[name] for name in self.arguments if name != "pk"}
        if pk is not None:
            kwargs["pk"] = pk
        return reverse(self.name, kwargs=kwargs)

    @property
    def exports(self) -> bool:
        """A list page with CSV/XLSX export (`?export=csv`), which needs the "export" action too."""
        view_class = getattr(self.view, "view_class", None)
        return bool(view_class and issubclass(view_class, CompanyListView) and view_class.export_spec)


def company_urls() -> list[CompanyUrl]:
    """Every URL pattern of the company interface: the dashboard and the sections' namespaces."""
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLPattern) and entry.name == "dashboard":
            found.append(CompanyUrl("dashboard", entry.callback, ()))
        elif isinstance(entry, URLResolver) and entry.namespace in COMPANY_NAMESPACES:
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern), f"nested includes under {entry.namespace} are not walked"
                arguments = tuple(pattern.pattern.converters)
                found.append(CompanyUrl(f"{entry.namespace}:{pattern.name}", pattern.callback, arguments))
    return found


def declared_actions(view: Callable) -> tuple[str | None, str | None]:
    """The PERMISSIONS actions a view declares for GET and for POST."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return getattr(view_class, "permission", None), getattr(view_class, "permission", None)
    return getattr(view, "required_action", None), getattr(view, "required_post_action", None)


def make_record(kind: str, company, *, representative) -> int:
    """A new record of `kind` in `company`, owned by `representative` where records have an owner; its id."""
    if kind == "member":
        return ProfileFactory(user=UserFactory(), company=company, role=UserProfile.Role.VIEWER).user_id
    with use_tenant(company):
        if kind == "doctor":
            return DoctorFactory().pk
        if kind == "patient":
            return PatientFactory().pk
        if kind == "visit":
            return AppointmentFactory(staff=representative).pk
        if kind == "product":
            return ProductFactory().pk
        if kind == "sale":
            return SaleFactory(representative=representative).pk
        if kind == "payment":
            return PaymentFactory().pk
        if kind == "report":
            return ReportFactory().pk
        if kind == "territory":
            return TerritoryFactory(members=[representative]).pk
        if kind == "plan":
            # One plan a month each: the next free month after the ones this representative has.
            taken = MonthlyPlan.objects.filter(representative_id=representative.pk).count()
            first = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
            month = (first + datetime.timedelta(days=31 * taken + 1)).replace(day=1)
            return MonthlyPlanFactory(representative=representative, month=month).pk
        if kind == "pharmacy":
            return PharmacyFactory().pk
        if kind == "import":
            batch = ImportBatch.objects.create(file_name="mart.csv", sha256=uuid.uuid4().hex * 2, rows=2)
            SaleFactory.create_batch(2, batch=batch)
            return batch.pk
        if kind == "target":
            return SalesTargetFactory(representative=representative).pk
    raise AssertionError(f"no record kind {kind!r}")


def snapshot(*companies) -> dict[str, list[tuple]]:
    """Every row of every company model in each company, and the users and profiles: equal means unchanged."""
    users = get_user_model().objects.order_by("pk").values_list("pk", "password", "is_active", "first_name")
    rows = {"users": list(users), "profiles": list(UserProfile.objects.order_by("pk").values_list())}
    for company in companies:
        with use_tenant(company):
            for model in apps.get_models():
                if model._meta.app_label in TENANT_APPS:
                    rows[f"{company.slug}:{model._meta.label}"] = list(model.objects.order_by("pk").values_list())
    return rows
