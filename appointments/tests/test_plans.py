"""Monthly plans: a representative drafts and sends, a manager approves or returns with a comment."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment, MonthlyPlan, PlanItem
from appointments.plan_selectors import next_month
from appointments.tests.factories import AppointmentFactory, MonthlyPlanFactory, PlanItemFactory
from doctors.tests.factories import DoctorFactory, TerritoryFactory
from regions.tests.factories import ClinicFactory
from reports.tests.factories import VisitFrequencyFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


def url(name, plan=None):
    return reverse(f"plans:{name}", args=[plan.pk] if plan else [])


def test_the_plan_suggests_the_calls_each_category_asks_for(acme, member, login):
    rep = member("representative", acme)
    clinic = ClinicFactory()
    with use_tenant(acme):
        TerritoryFactory(cities=[clinic.city], members=[rep])
        a, b = DoctorFactory(clinic=clinic, category="A"), DoctorFactory(clinic=clinic, category="B")
        outside = DoctorFactory(category="C")
        VisitFrequencyFactory(category="A", calls=5)  # the company's own figure; B keeps the usual 2
    client = login(rep)
    created = client.post(url("plan-create"), {"month": next_month(timezone.localdate()).isoformat()})
    assert created.status_code == 302
    with use_tenant(acme):
        plan = MonthlyPlan.objects.get()
    page = client.get(url("plan-update", plan))
    rows = {doctor.pk: suggested for doctor, _pick, _calls, suggested in page.context["form"].rows}
    assert rows == {a.pk: 5, b.pk: 2}  # the territory's doctors only, by default
    assert outside.pk in {
        d.pk for d, *_rest in client.get(url("plan-update", plan), {"scope": "all"}).context["form"].rows
    }
    sent = client.post(
        url("plan-update", plan),
        {f"pick_{a.pk}": "on", f"calls_{a.pk}": 5, f"pick_{b.pk}": "on", f"calls_{b.pk}": 3, "submit": ""},
    )
    assert sent.status_code == 302
    with use_tenant(acme):
        plan.refresh_from_db()
        assert plan.status == "submitted"
        assert sorted(PlanItem.objects.values_list("doctor_id", "calls")) == sorted([(a.pk, 5), (b.pk, 3)])


def test_a_manager_approves_or_returns_a_plan_and_the_representative_cannot(acme, member, login):
    rep, manager = member("representative", acme), member("manager", acme)
    with use_tenant(acme):
        plan = MonthlyPlanFactory(representative=rep, status="submitted")
        PlanItemFactory(plan=plan)
    rep_client = login(rep)
    assert rep_client.post(url("plan-approve", plan)).status_code == 403
    assert rep_client.post(url("plan-return", plan), {"comment": "x"}).status_code == 403
    manager_client = login(manager)
    # A return needs a comment saying what to change.
    manager_client.post(url("plan-return", plan), {"comment": ""})
    with use_tenant(acme):
        plan.refresh_from_db()
        assert plan.status == "submitted"
    manager_client.post(url("plan-return", plan), {"comment": "B kateqoriyasına daha çox vizit"})
    with use_tenant(acme):
        plan.refresh_from_db()
        assert (plan.status, plan.comment, plan.decided_by_id) == (
            "returned",
            "B kateqoriyasına daha çox vizit",
            manager.pk,
        )
    assert "B kateqoriyasına daha çox vizit" in login(rep).get(url("plan-detail", plan)).text
    # The representative changes it and sends it again; now the manager approves.
    assert login(rep).post(url("plan-submit", plan)).status_code == 302
    assert login(manager).post(url("plan-approve", plan)).status_code == 302
    with use_tenant(acme):
        plan.refresh_from_db()
        assert plan.status == "approved"
    # An approved plan is no longer the representative's to change.
    login(rep).post(url("plan-update", plan), {"submit": ""})
    with use_tenant(acme):
        assert PlanItem.objects.filter(plan=plan).count() == 1


def test_nobody_approves_their_own_plan_and_an_empty_plan_is_not_sent(acme, member, login):
    manager = member("manager", acme)
    with use_tenant(acme):
        own = MonthlyPlanFactory(representative=manager, status="submitted")
        empty = MonthlyPlanFactory(representative=manager, month=timezone.localdate().replace(day=1))
    client = login(manager)
    client.post(url("plan-approve", own))
    client.post(url("plan-submit", empty))
    with use_tenant(acme):
        assert MonthlyPlan.objects.get(pk=own.pk).status == "submitted"
        assert MonthlyPlan.objects.get(pk=empty.pk).status == "draft"


def test_plans_are_seen_by_their_representative_and_managers_only(acme, globex, member, login):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        mine = MonthlyPlanFactory(representative=rep)
        theirs = MonthlyPlanFactory(representative=colleague)
    client = login(rep)
    assert client.get(url("plan-detail", mine)).status_code == 200
    assert client.get(url("plan-detail", theirs)).status_code == 404
    assert client.get(url("plan-update", theirs)).status_code == 404
    assert login(member("manager", acme)).get(url("plan-detail", theirs)).status_code == 200
    assert login(member("manager", acme)).get(url("plan-update", theirs)).status_code == 403  # not theirs to edit
    outsider = login(member("manager", globex))
    assert outsider.get(url("plan-detail", mine)).status_code == 404
    assert outsider.post(url("plan-approve", mine)).status_code == 404


def test_an_approved_plan_goes_into_the_calendar_in_one_click(acme, member, login):
    rep = member("representative", acme)
    month = next_month(timezone.localdate())
    with use_tenant(acme):
        plan = MonthlyPlanFactory(representative=rep, month=month, status="approved")
        doctor = DoctorFactory(last_name="Planov")
        PlanItemFactory(plan=plan, doctor=doctor, calls=3)
        AppointmentFactory(
            staff=rep,
            doctor=doctor,
            planned_start=timezone.make_aware(datetime.datetime.combine(month, datetime.time(12))),
        )
    response = login(rep).post(url("plan-schedule", plan))
    assert response.status_code == 302
    with use_tenant(acme):
        visits = Appointment.objects.filter(doctor=doctor, staff=rep)
        assert visits.count() == 3  # one was there already
        assert all(timezone.localdate(v.planned_start).weekday() < 5 for v in visits)
    calendar = login(rep).get(
        reverse("appointments:appointment-upcoming"), {"view": "month", "date": month.isoformat()}
    )
    assert calendar.status_code == 200
    assert calendar.context["totals"]["planned"] == 3
    assert calendar.context["plan"]["planned"] == 3


def test_the_month_calendar_counts_planned_and_done_calls_per_day(acme, member, login):
    rep, manager = member("representative", acme), member("manager", acme)
    day = datetime.date(2030, 5, 15)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))
    with use_tenant(acme):
        AppointmentFactory.create_batch(2, staff=rep, planned_start=at)
        AppointmentFactory(staff=rep, planned_start=at, status="done")
        AppointmentFactory(staff=manager, planned_start=at)
    page = login(rep).get(reverse("appointments:appointment-upcoming"), {"view": "month", "date": "2030-05-03"})
    cell = next(cell for week in page.context["weeks"] for cell in week if cell["day"] == day)
    assert (cell["planned"], cell["done"]) == (2, 1)
    everyone = login(manager).get(reverse("appointments:appointment-upcoming"), {"view": "month", "date": "2030-05-03"})
    assert everyone.context["totals"]["planned"] == 3
