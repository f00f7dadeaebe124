"""Targets against actuals: the report and the dashboard add up what the test adds up by hand."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory, TerritoryFactory
from regions.tests.factories import ClinicFactory
from reports.models import SalesTarget
from reports.selectors.periods import Period, month_period
from reports.selectors.targets import sales_target_totals, sales_targets, target_progress, visit_target
from reports.tests.factories import SalesTargetFactory, VisitFrequencyFactory
from sales.models import Sale
from sales.tests.factories import ProductFactory, SaleFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
MONTHS = [datetime.date(2030, month, 1) for month in (1, 2, 3)]

sale_lines = st.lists(
    st.tuples(
        st.integers(0, 1),  # representative: the first or the second
        st.integers(0, 1),  # product
        st.integers(0, 2),  # month
        st.integers(1, 27),  # day
        st.integers(1, 50),  # packs
        st.sampled_from(["AZN", "AZN", "USD"]),
        st.booleans(),  # sold in the territory's city
    ),
    max_size=12,
)
target_rows = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 2), st.integers(1, 90)), max_size=6
)


@pytest.fixture
def world(tenant, member):
    """Two representatives, two products, a territory of one city."""
    reps = [member("representative", tenant), member("representative", tenant)]
    inside, outside = ClinicFactory(), ClinicFactory()
    return {
        "reps": reps,
        "products": [ProductFactory(price=Decimal("2.50")), ProductFactory(price=Decimal("4.00"))],
        "territory": TerritoryFactory(cities=[inside.city]),
        "cities": (inside.city, outside.city),
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=sale_lines, rep_targets=target_rows, territory_targets=target_rows)
def test_sales_targets_against_actuals_equal_the_sums_made_here(world, lines, rep_targets, territory_targets):
    Sale.objects.all().delete()
    SalesTarget.objects.all().delete()
    reps, products = world["reps"], world["products"]
    for rep, product, month, day, packs, currency, in_territory in lines:
        SaleFactory(
            representative=reps[rep],
            product=products[product],
            date=MONTHS[month].replace(day=day),
            quantity=packs,
            currency=currency,
            city=world["cities"][0 if in_territory else 1],
        )
    for rep, product, month, packs in dict.fromkeys(rep_targets):
        SalesTarget.objects.get_or_create(
            month=MONTHS[month],
            product=products[product],
            representative=reps[rep],
            defaults={"quantity": packs, "amount": packs * products[product].price},
        )
    for _rep, product, month, packs in territory_targets:
        SalesTarget.objects.get_or_create(
            month=MONTHS[month],
            product=products[product],
            territory=world["territory"],
            defaults={"quantity": packs, "amount": packs * products[product].price},
        )
    period = Period(MONTHS[0], month_period(MONTHS[2]).end)
    items = sales_targets(period)
    for item in items:
        target = item.target
        sold = [
            line
            for line in lines
            if products[line[1]].pk == target.product_id
            and MONTHS[line[2]] == target.month
            and (reps[line[0]].pk == target.representative_id if target.representative_id else line[6])
        ]
        assert item.quantity == sum(line[4] for line in sold)
        assert item.amount == sum(
            (line[4] * products[line[1]].price for line in sold if line[5] == "AZN"), Decimal("0")
        )
    assert len(items) == SalesTarget.objects.count()
    totals = sales_target_totals(items)
    assert totals["target_quantity"] == sum(t.quantity for t in SalesTarget.objects.all())
    mine = sales_targets(period, representative_ids={reps[0].pk})
    assert {item.target.pk for item in mine} == set(
        SalesTarget.objects.filter(representative=reps[0]).values_list("pk", flat=True)
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(categories=st.lists(st.sampled_from("ABC"), max_size=8), frequency=st.tuples(*[st.integers(0, 8)] * 3))
def test_a_visit_target_is_the_frequency_of_each_own_doctors_category(world, categories, frequency):
    Doctor.objects.all().delete()
    from reports.models import VisitFrequency

    VisitFrequency.objects.all().delete()
    for category, calls in zip("ABC", frequency, strict=True):
        VisitFrequencyFactory(category=category, calls=calls)
    rep = world["reps"][0]
    for number, category in enumerate(categories):
        DoctorFactory(category=category, representative=rep if number % 2 == 0 else None)
    DoctorFactory(category="A", representative=rep, is_active=False)
    calls = dict(zip("ABC", frequency, strict=True))
    own = [c for n, c in enumerate(categories) if n % 2 == 0]
    assert visit_target(MONTHS[0], user_id=rep.pk) == sum(calls[c] for c in own)
    assert visit_target(MONTHS[0]) == sum(calls[c] for c in categories)


def test_a_months_own_frequency_overrides_the_default(world):
    rep = world["reps"][0]
    DoctorFactory(category="A", representative=rep)
    VisitFrequencyFactory(category="A", calls=4)
    VisitFrequencyFactory(category="A", calls=6, month=MONTHS[1])
    assert visit_target(MONTHS[0], user_id=rep.pk) == 4
    assert visit_target(MONTHS[1], user_id=rep.pk) == 6


def test_the_dashboard_shows_a_representative_their_own_progress(acme, member, login):
    rep, other = member("representative", acme), member("representative", acme)
    today = timezone.localdate()
    with use_tenant(acme):
        product = ProductFactory(price=Decimal("10.00"))
        SalesTargetFactory(product=product, representative=rep, quantity=10, amount=Decimal("100.00"))
        SalesTargetFactory(product=product, representative=other, quantity=50, amount=Decimal("500.00"))
        SaleFactory(product=product, representative=rep, quantity=4, date=today)
        SaleFactory(product=product, representative=other, quantity=9, date=today)
        DoctorFactory(category="A", representative=rep)
        done_at = timezone.now() - datetime.timedelta(minutes=5)
        AppointmentFactory(staff=rep, status=Appointment.Status.DONE, planned_start=done_at)
        progress = target_progress(today, user_id=rep.pk)
    assert progress["month"]["amount"] == Decimal("40.00")
    assert progress["month"]["target_amount"] == Decimal("100.00")
    assert (progress["month"]["visits_done"], progress["month"]["visit_target"]) == (1, 4)
    page = login(rep).get("/").text
    assert 'id="target-sales-month">40.00' in page.replace("\u00a0", "")
    assert "/ 100.00\u00a0₼" in page
    manager_page = login(member("manager", acme)).get("/").text
    assert 'id="target-sales-month">130.00' in manager_page.replace("\u00a0", "")


def test_the_target_vs_actual_report_by_representative(acme, member, login):
    rep = member("representative", acme, first_name="Aynur", last_name="Quliyeva")
    with use_tenant(acme):
        product = ProductFactory(name="Kardiomaks", price=Decimal("10.00"))
        SalesTargetFactory(product=product, representative=rep, quantity=10, amount=Decimal("100.00"))
        SaleFactory(product=product, representative=rep, quantity=7, date=timezone.localdate())
    response = login(member("manager", acme)).get(reverse("reports:report-detail", args=["targets"]))
    assert response.status_code == 200
    rows = response.context["result"].rows
    assert rows[0][0] == "Aynur Quliyeva" and rows[0][2:4] == [10, 7]
    assert rows[0][6] == Decimal("70.00")
    visits = login(member("manager", acme)).get(
        reverse("reports:report-detail", args=["targets"]), {"measure": "visits"}
    )
    assert visits.status_code == 200


def test_managers_set_targets_and_frequency_and_representatives_only_read_their_own(acme, globex, member, login):
    manager, rep = member("manager", acme), member("representative", acme)
    with use_tenant(acme):
        product = ProductFactory(price=Decimal("2.00"))
    month = timezone.localdate().strftime("%Y-%m")
    posted = {"month": month, "product": product.pk, "representative": rep.pk, "quantity": 30}
    assert login(rep).post(reverse("targets:target-create"), posted).status_code == 403
    assert login(manager).post(reverse("targets:target-create"), posted).status_code == 302
    with use_tenant(acme):
        target = SalesTarget.objects.get()
        assert (target.amount, target.month.day) == (Decimal("60.00"), 1)
    both = login(manager).post(reverse("targets:target-create"), {**posted, "territory": ""} | {"representative": ""})
    assert both.status_code == 200
    frequency = reverse("targets:frequency-update")
    assert login(rep).post(frequency, {"calls_A": 9, "calls_B": 2, "calls_C": 1}).status_code == 403
    assert login(manager).post(frequency, {"calls_A": 9, "calls_B": 2, "calls_C": 1}).status_code == 302
    page = login(rep).get(reverse("targets:target-list")).text
    assert "A 9" in page
    assert login(member("manager", globex)).get(reverse("targets:target-update", args=[target.pk])).status_code == 404


def test_reports_filter_by_territory(acme, member, login):
    clinic = ClinicFactory()
    with use_tenant(acme):
        territory = TerritoryFactory(cities=[clinic.city])
        DoctorFactory(clinic=clinic, category="A")
        DoctorFactory(category="A")
        DoctorFactory(category="B")
    client = login(member("manager", acme))
    everyone = client.get(reverse("reports:report-detail", args=["coverage"])).context["result"]
    narrowed = client.get(reverse("reports:report-detail", args=["coverage"]), {"territory": territory.pk})
    assert everyone.totals[0][1] == 3
    assert narrowed.context["result"].totals[0][1] == 1
    for kind in ("targets", "plan_done", "samples"):
        assert client.get(reverse("reports:report-detail", args=[kind]), {"territory": territory.pk}).status_code == 200


def test_the_targets_page_fills_the_month_field_with_the_month_it_shows(acme, member, login):
    client = login(member("manager", acme))
    this_month = timezone.localdate().strftime("%Y-%m")
    page = client.get(reverse("targets:target-list")).text
    assert f'name="month" value="{this_month}"' in page
    asked = client.get(reverse("targets:target-list"), {"month": "2030-02"}).text
    assert 'name="month" value="2030-02"' in asked
    assert "February 2030" in asked
    garbled = client.get(reverse("targets:target-list"), {"month": "soon"}).text
    assert f'name="month" value="{this_month}"' in garbled
