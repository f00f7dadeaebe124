"""The dashboard's figures equal what the test computes from the rows it made."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory, local_noon
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from master_admin.models import ImpersonationSession
from master_admin.services import IMPERSONATION_SESSION_KEY
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from reports.selectors.periods import add_months, month_period
from sales.tests.factories import SaleFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


def month_days():
    """Three days of this month, one of last month and one of next month (whatever today is)."""
    this = month_period(timezone.localdate())
    return (
        [this.start, timezone.localdate(), this.end],
        this.start - datetime.timedelta(days=1),
        this.end + datetime.timedelta(days=1),
    )


@pytest.fixture
def activity(acme, globex, member):
    """This month's, last month's and next month's visits, sales and payments of acme's staff."""
    rep, other = member("representative", acme), member("manager", acme)
    this_month, last_day_before, first_day_after = month_days()
    with use_tenant(globex):
        AppointmentFactory(done_today=True, planned_start=local_noon(timezone.localdate()))
        SaleFactory(quantity=1000)
        PaymentFactory(to_doctor=True, status="draft", amount=Decimal("9999.00"))
    with use_tenant(acme):
        mine_a, mine_b, mine_c = (DoctorFactory(category=c, representative=rep) for c in "ABC")
        theirs_a, theirs_b = (DoctorFactory(category=c, representative=other) for c in "AB")
        DoctorFactory(category="A", representative=rep, is_active=False)
        visits = [
            AppointmentFactory(
                done_today=True, doctor=mine_a, staff=rep, planned_start=local_noon(this_month[0]), status="done"
            ),
            AppointmentFactory(
                done_today=True, doctor=mine_a, staff=rep, planned_start=local_noon(this_month[2]), status="done"
            ),
            AppointmentFactory(
                done_today=True, doctor=mine_b, staff=rep, planned_start=local_noon(this_month[1]), status="missed"
            ),
            AppointmentFactory(
                done_today=True, doctor=mine_c, staff=rep, planned_start=local_noon(this_month[1]), status="cancelled"
            ),
            AppointmentFactory(
                done_today=True, doctor=theirs_a, staff=other, planned_start=local_noon(this_month[1]), status="done"
            ),
            AppointmentFactory(
                done_today=True, doctor=theirs_b, staff=other, planned_start=local_noon(this_month[2]), status="planned"
            ),
            AppointmentFactory(
                done_today=True, doctor=mine_b, staff=rep, planned_start=local_noon(last_day_before), status="done"
            ),
            AppointmentFactory(
                done_today=True, doctor=mine_c, staff=rep, planned_start=local_noon(first_day_after), status="done"
            ),
        ]
        sales = [
            SaleFactory(date=this_month[0], quantity=3, unit_price=Decimal("12.50"), representative=rep),
            SaleFactory(date=this_month[1], quantity=2, unit_price=Decimal("7.25"), representative=other),
            SaleFactory(date=last_day_before, quantity=5, unit_price=Decimal("10.00"), representative=rep),
            SaleFactory(date=last_day_before, quantity=1, unit_price=Decimal("3.10"), representative=other),
        ]
        payments = [
            PaymentFactory(to_doctor=True, status="draft", amount=Decimal("120.00")),
            PaymentFactory(to_doctor=True, status="draft", amount=Decimal("80.50")),
            PaymentFactory(to_doctor=True, status="approved", amount=Decimal("1000.00")),
            PaymentFactory(
                to_doctor=True,
                status="draft",
                direction="incoming",
                kind="invoice",
                doctor=None,
                counterparty="Avromed",
            ),
        ]
    return {"rep": rep, "other": other, "visits": visits, "sales": sales, "payments": payments}


def in_this_month(day: datetime.date) -> bool:
    period = month_period(timezone.localdate())
    return period.start <= day <= period.end


def expected_visits(visits, staff=None):
    chosen = [v for v in visits if in_this_month(v.planned_start.date()) and (staff is None or v.staff_id == staff.pk)]
    return {
        "planned": sum(v.status != "cancelled" for v in chosen),
        "done": sum(v.status == "done" for v in chosen),
    }


def expected_coverage(visits, rep=None):
    done = {v.doctor_id for v in visits if v.status == "done" and in_this_month(v.planned_start.date())}
    doctors = [d for d in Doctor.objects.filter(is_active=True) if rep is None or d.representative_id == rep.pk]
    return {
        category: (
            sum(d.category == category for d in doctors),
            sum(d.category == category and d.pk in done for d in doctors),
        )
        for category in "ABC"
    }


def expected_sales(sales, rep=None):
    last = month_period(add_months(timezone.localdate(), -1))
    mine = [s for s in sales if rep is None or s.representative_id == rep.pk]
    return (
        sum((s.amount for s in mine if in_this_month(s.date)), Decimal(0)),
        sum((s.amount for s in mine if last.start <= s.date <= last.end), Decimal(0)),
    )


def test_it_shows_the_companys_figures_to_a_manager(activity, acme, role_client):
    response = role_client("manager", acme).get(reverse("dashboard"))

    assert response.status_code == 200
    figures = response.context["figures"]
    assert {key: figures["visits"][key] for key in ("planned", "done")} == expected_visits(activity["visits"])
    with use_tenant(acme):
        coverage = expected_coverage(activity["visits"])
    assert {item["category"]: (item["doctors"], item["visited"]) for item in figures["coverage"]} == coverage
    this_month, last_month = expected_sales(activity["sales"])
    assert [(item["currency"], item["this_month"], item["last_month"]) for item in figures["sales"]] == [
        ("AZN", this_month, last_month)
    ]
    drafts = [p for p in activity["payments"] if p.status == "draft" and p.direction == Payment.Direction.OUTGOING]
    assert figures["awaiting"]["count"] == len(drafts) == 2
    assert figures["awaiting"]["amounts"][0]["amount"] == sum(p.amount for p in drafts)
    # The charts end with this month (sales) and this week (visits).
    assert figures["month_series"][0][1][-2:] == [last_month, this_month]
    html = response.text
    assert f'<span id="visits-planned">{figures["visits"]["planned"]}</span>' in html
    assert 'id="awaiting-count">2<' in html
    assert "<svg" in html
    for path in ("/doctors/", "/appointments/", "/sales/", "/payments/"):
        assert f'href="{path}"' in html


def test_a_representative_sees_their_own_figures_and_no_payments(activity, acme, client):
    rep = activity["rep"]
    client.force_login(rep)
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")

    figures = response.context["figures"]
    assert {key: figures["visits"][key] for key in ("planned", "done")} == expected_visits(activity["visits"], rep)
    with use_tenant(acme):
        coverage = expected_coverage(activity["visits"], rep)
    assert {item["category"]: (item["doctors"], item["visited"]) for item in figures["coverage"]} == coverage
    this_month, last_month = expected_sales(activity["sales"], rep)
    assert (figures["sales"][0]["this_month"], figures["sales"][0]["last_month"]) == (this_month, last_month)
    assert "awaiting" not in figures
    assert "Payments awaiting approval" not in response.text
    assert 'href="/payments/"' not in response.text


def test_upcoming_visits_are_the_planned_ones_of_the_next_days(acme, role_client, member):
    now = timezone.now()
    staff = member("representative", acme)
    with use_tenant(acme):
        soon = AppointmentFactory(
            done_today=True, staff=staff, status="planned", planned_start=now + datetime.timedelta(days=1)
        )
        later = AppointmentFactory(
            done_today=True, staff=staff, status="planned", planned_start=now + datetime.timedelta(days=3)
        )
        AppointmentFactory(
            done_today=True, staff=staff, status="planned", planned_start=now + datetime.timedelta(days=10)
        )
        AppointmentFactory(
            done_today=True, staff=staff, status="planned", planned_start=now - datetime.timedelta(days=1)
        )
        AppointmentFactory(done_today=True, staff=staff, status="done", planned_start=now + datetime.timedelta(days=2))

    response = role_client("manager", acme).get(reverse("dashboard"))

    assert [visit.pk for visit in response.context["figures"]["upcoming"]] == [soon.pk, later.pk]
    assert soon.doctor.full_name in response.text


def test_another_companys_figures_are_not_shown(activity, globex, role_client):
    response = role_client("manager", globex).get(reverse("dashboard"))

    figures = response.context["figures"]
    assert (figures["visits"]["planned"], figures["visits"]["done"]) == (1, 1)  # globex's own visit only
    assert figures["sales"][0]["this_month"] == Decimal("12500.00")
    assert figures["awaiting"]["count"] == 1


def test_a_superuser_without_a_company_goes_to_the_master_admin(superuser_client):
    response = superuser_client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == "/master-admin/"


def test_a_superuser_inside_a_company_sees_it_as_its_owner(activity, acme, superuser, client):
    session = ImpersonationSession.objects.create(
        superuser=superuser, company=acme, reason="test", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    client.force_login(superuser)
    stored = client.session
    stored[IMPERSONATION_SESSION_KEY] = session.pk
    stored.save()

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert response.context["figures"]["awaiting"]["count"] == 2


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_renders_in_azerbaijani(activity, acme, member, client):
    client.force_login(member("owner", acme))
    client.cookies["django_language"] = "az"
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert 'lang="az"' in response.text
