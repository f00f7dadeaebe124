"""Every field-force page for each role (as the role table says) and for another company's users (404, nothing changed)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import MonthlyPlan
from appointments.tests.factories import AppointmentFactory, MonthlyPlanFactory, PlanItemFactory
from doctors.models import Territory
from doctors.tests.factories import DoctorFactory, TerritoryFactory
from regions.tests.factories import CityFactory
from reports.models import SalesTarget
from reports.tests.factories import SalesTargetFactory
from sales.models import Pharmacy
from sales.tests.factories import PharmacyFactory, ProductFactory, SampleStockFactory
from subscription.tenancy import use_tenant
from subscription.ui.permissions import PERMISSIONS

pytestmark = pytest.mark.django_db
ROLES = ["owner", "manager", "representative", "viewer"]

# (URL name, the record it needs, method, permission action). Records are made for the requesting user.
PAGES = [
    ("territories:territory-list", None, "get", "territory_view"),
    ("territories:territory-create", None, "get", "territory_manage"),
    ("territories:territory-detail", "territory", "get", "territory_view"),
    ("territories:territory-update", "territory", "get", "territory_manage"),
    ("territories:territory-delete", "territory", "get", "territory_manage"),
    ("territories:doctor-assign", "doctor", "get", "territory_manage"),
    ("sales:pharmacy-list", None, "get", "pharmacy_view"),
    ("sales:pharmacy-create", None, "get", "pharmacy_edit"),
    ("sales:pharmacy-detail", "pharmacy", "get", "pharmacy_view"),
    ("sales:pharmacy-update", "pharmacy", "get", "pharmacy_edit"),
    ("sales:pharmacy-delete", "pharmacy", "get", "pharmacy_edit"),
    ("sales:sample-stock", None, "get", "sample_view"),
    ("sales:sample-issue", None, "get", "sample_issue"),
    ("appointments:today", None, "get", "appointment_view"),
    ("appointments:call-report-new", None, "get", "call_report"),
    ("appointments:call-report", "visit", "get", "call_report"),
    ("plans:plan-list", None, "get", "plan_view"),
    ("plans:plan-create", None, "post", "plan_edit"),
    ("plans:plan-detail", "plan", "get", "plan_view"),
    ("plans:plan-update", "plan", "get", "plan_edit"),
    ("plans:plan-submit", "plan", "post", "plan_edit"),
    ("plans:plan-approve", "plan", "post", "plan_approve"),
    ("plans:plan-return", "plan", "post", "plan_approve"),
    ("plans:plan-schedule", "plan", "post", "plan_edit"),
    ("targets:target-list", None, "get", "target_view"),
    ("targets:target-create", None, "get", "target_manage"),
    ("targets:target-update", "target", "get", "target_manage"),
    ("targets:target-delete", "target", "get", "target_manage"),
    ("targets:frequency-update", None, "get", "target_manage"),
]
REPORTS = ["targets", "plan_done", "samples"]


def make(record: str | None, user):
    """The record a page needs, made in the selected company for `user` (their visit, their plan)."""
    if record == "territory":
        return TerritoryFactory(cities=[CityFactory()])
    if record == "doctor":
        return DoctorFactory()
    if record == "pharmacy":
        return PharmacyFactory()
    if record == "visit":
        return AppointmentFactory(staff=user, planned_start=timezone.now() - datetime.timedelta(hours=1))
    if record == "plan":
        plan = MonthlyPlanFactory(representative=user)
        PlanItemFactory(plan=plan)
        return plan
    if record == "target":
        return SalesTargetFactory(representative=user)
    return None


def address(name: str, obj) -> str:
    return reverse(name, args=[obj.pk] if obj is not None else [])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "record", "method", "action"), PAGES, ids=[page[0] for page in PAGES])
def test_each_role_gets_what_the_role_table_says(acme, member, login, role, name, record, method, action):
    user = member(role, acme)
    with use_tenant(acme):
        obj = make(record, user)
    response = getattr(login(user), method)(address(name, obj))
    if role in PERMISSIONS[action]:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert not response.url.startswith("/accounts/login/")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", REPORTS)
def test_the_field_force_reports_follow_the_role_table(acme, member, login, role, kind):
    response = login(member(role, acme)).get(reverse("reports:report-detail", args=[kind]))
    assert response.status_code == (200 if role in PERMISSIONS["report_view"] else 403)


@pytest.mark.parametrize("role", ["owner", "manager", "representative"])
@pytest.mark.parametrize(
    ("name", "record", "method", "action"),
    [page for page in PAGES if page[1]],
    ids=[page[0] for page in PAGES if page[1]],
)
def test_another_companys_user_gets_404_and_changes_nothing(
    acme, globex, member, login, role, name, record, method, action
):
    owner = member("representative" if record in ("visit", "plan") else "manager", acme)
    with use_tenant(acme):
        obj = make(record, owner)
        before = snapshot()
    outsider = login(member(role, globex))
    assert getattr(outsider, method)(address(name, obj)).status_code in (403, 404)
    assert outsider.post(address(name, obj)).status_code in (403, 404, 405)
    with use_tenant(acme):
        assert snapshot() == before
    # And where the role may act at all, it is a 404: the record does not exist in their company.
    if role in PERMISSIONS[action]:
        assert getattr(outsider, method)(address(name, obj)).status_code == 404


def snapshot() -> dict:
    return {
        "territories": list(Territory.objects.values_list("pk", "name", "is_active")),
        "pharmacies": list(Pharmacy.objects.values_list("pk", "name", "is_active")),
        "plans": list(MonthlyPlan.objects.values_list("pk", "status", "comment")),
        "targets": list(SalesTarget.objects.values_list("pk", "quantity")),
    }


@pytest.mark.parametrize(("name", "record", "method", "action"), PAGES, ids=[page[0] for page in PAGES])
def test_anonymous_visitors_go_to_the_login_page(acme, member, client, name, record, method, action):
    with use_tenant(acme):
        obj = make(record, member("representative", acme))
    response = getattr(client, method)(address(name, obj))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_call_report_takes_samples_only_from_the_users_own_stock(acme, member, login):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        visit = make("visit", rep)
        SampleStockFactory(representative=colleague, product=ProductFactory(), lot="THEIRS")
    page = login(rep).get(reverse("appointments:call-report", args=[visit.pk])).text
    assert "THEIRS" not in page
