"""Each report's figures equal sums computed here from the rows the test made."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from appointments.tests.factories import AppointmentFactory, local_noon
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from regions.tests.factories import RegionFactory
from sales.tests.factories import ProductFactory, SaleFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

Q1 = {"date_from": "2025-01-01", "date_to": "2025-03-31"}
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)
D = datetime.date
DONE, MISSED, CANCELLED, PLANNED = "done", "missed", "cancelled", "planned"


def in_q1(day: datetime.date) -> bool:
    return START <= day <= END


@pytest.fixture
def data(acme, globex, member):
    """Two representatives' doctors, visits, sales and payments in acme (and a decoy row in globex)."""
    rep1 = member("representative", acme, first_name="Aysel", last_name="Əliyeva")
    rep2 = member("representative", acme, first_name="Tural", last_name="Babayev")
    with use_tenant(globex):
        AppointmentFactory(done_today=True, planned_start=local_noon(D(2025, 1, 10)), staff=rep1)
        SaleFactory(date=D(2025, 1, 10), quantity=999)
        PaymentFactory(to_doctor=True, date=D(2025, 1, 10), amount=Decimal("999.00"))
    with use_tenant(acme):
        doctors = SimpleNamespace(
            a1=DoctorFactory(category="A", representative=rep1, last_name="Abbasov"),
            a2=DoctorFactory(category="A", representative=rep2, last_name="Cəfərov"),
            b1=DoctorFactory(category="B", representative=rep1, last_name="Əliyev"),
            b2=DoctorFactory(category="B", representative=rep1, last_name="Həsənov"),
            c1=DoctorFactory(category="C", representative=rep2, last_name="İsmayılov"),
            gone=DoctorFactory(category="A", representative=rep1, is_active=False, last_name="Orucov"),
        )
        visit_specs = [
            (doctors.a1, rep1, D(2025, 1, 6), DONE),
            (doctors.a1, rep1, D(2025, 1, 20), DONE),
            (doctors.b1, rep1, D(2025, 2, 3), MISSED),
            (doctors.b1, rep1, D(2025, 2, 4), CANCELLED),
            (doctors.b2, rep1, D(2025, 3, 31), DONE),
            (doctors.c1, rep2, D(2025, 2, 10), DONE),
            (doctors.a2, rep2, D(2025, 2, 10), DONE),
            (doctors.a2, rep2, D(2025, 4, 1), DONE),
            (doctors.gone, rep1, D(2025, 1, 15), DONE),
            (doctors.a1, rep1, D(2025, 3, 15), PLANNED),
            (doctors.c1, rep2, D(2024, 12, 31), DONE),
        ]
        visits = [
            AppointmentFactory(
                done_today=True, doctor=doctor, staff=staff, planned_start=local_noon(day), status=status
            )
            for doctor, staff, day, status in visit_specs
        ]
        north, south = RegionFactory(name_en="North"), RegionFactory(name_en="South")
        p1, p2 = ProductFactory(name="Kardiomaks"), ProductFactory(name="Neyrovit")
        sale_specs = [
            (D(2025, 1, 10), p1, 10, "12.50", north, rep1, "AZN"),
            (D(2025, 1, 25), p2, 3, "40.00", south, rep2, "AZN"),
            (D(2025, 2, 14), p1, 7, "12.50", north, rep2, "AZN"),
            (D(2025, 3, 3), p2, 1, "99.99", None, None, "AZN"),
            (D(2025, 3, 20), p1, 2, "10.00", north, rep1, "USD"),
            (D(2025, 4, 2), p1, 5, "12.50", north, rep1, "AZN"),
        ]
        sales = [
            SaleFactory(
                date=day,
                product=product,
                quantity=quantity,
                unit_price=Decimal(price),
                region=region,
                representative=rep,
                currency=currency,
            )
            for day, product, quantity, price, region, rep, currency in sale_specs
        ]
        out, inc = Payment.Direction.OUTGOING, Payment.Direction.INCOMING
        payment_specs = [
            (out, "fee", "approved", D(2025, 2, 1), "500.00", doctors.a1, "AZN"),
            (out, "sponsorship", "paid", D(2025, 6, 1), "1200.50", doctors.a1, "AZN"),
            (out, "congress", "draft", D(2025, 3, 1), "300.00", doctors.a1, "AZN"),
            (out, "fee", "cancelled", D(2025, 3, 5), "80.00", doctors.b1, "AZN"),
            (out, "grant", "paid", D(2025, 1, 15), "250.00", doctors.b1, "AZN"),
            (out, "fee", "paid", D(2024, 12, 30), "70.00", doctors.c1, "AZN"),
            (out, "fee", "approved", D(2025, 2, 2), "45.00", None, "AZN"),
            (inc, "invoice", "paid", D(2025, 1, 20), "1000.00", None, "AZN"),
            (out, "fee", "paid", D(2025, 2, 20), "100.00", doctors.a2, "USD"),
        ]
        payments = [
            PaymentFactory(
                to_doctor=True,
                direction=direction,
                kind=kind,
                status=status,
                date=day,
                amount=Decimal(amount),
                doctor=doctor,
                counterparty="" if doctor else "Azərfarm",
                currency=currency,
            )
            for direction, kind, status, day, amount, doctor, currency in payment_specs
        ]
    return SimpleNamespace(
        reps=[rep1, rep2], doctors=doctors, visits=visits, sales=sales, payments=payments, regions=[north, south]
    )


def report(client, kind: str, **params):
    response = client.get(reverse("reports:report-detail", args=[kind]), params)
    assert response.status_code == 200
    assert response.context["result"] is not None, response.context["form"].errors
    return response.context["result"]


def keyed(rows, width: int = 1) -> dict:
    return {tuple(row[:width]) if width > 1 else row[0]: row[width:] for row in rows}


def name(user) -> str:
    return user.get_full_name() or user.username


def test_coverage_by_category(data, acme, role_client):
    result = report(role_client("manager", acme), "coverage", **Q1)

    active = [d for d in vars(data.doctors).values() if d.is_active]
    visited = {v.doctor_id for v in data.visits if v.status == DONE and in_q1(v.planned_start.date())}
    expected = {}
    with translation.override("en"):
        for category in Doctor.Category:
            of_category = [d for d in active if d.category == category]
            seen = [d for d in of_category if d.pk in visited]
            expected[str(category.label)] = [len(of_category), len(seen)]
    assert {label: figures[:2] for label, figures in keyed(result.rows).items()} == expected
    # A: a1 and a2 visited of a1, a2 (the inactive doctor does not count); B: b2 of b1, b2; C: c1 of c1.
    assert keyed(result.rows)["A — key"] == [2, 2, Decimal("100.0")]
    assert keyed(result.rows)["B — regular"] == [2, 1, Decimal("50.0")]
    assert result.totals == [["Total", len(active), len([d for d in active if d.pk in visited]), Decimal("80.0")]]


def test_coverage_by_representative(data, acme, role_client):
    result = report(role_client("manager", acme), "coverage", by_rep="on", **Q1)

    visited = {v.doctor_id for v in data.visits if v.status == DONE and in_q1(v.planned_start.date())}
    expected = defaultdict(lambda: [0, 0])
    with translation.override("en"):
        for doctor in vars(data.doctors).values():
            if doctor.is_active:
                key = (name(doctor.representative), str(Doctor.Category(doctor.category).label))
                expected[key][0] += 1
                expected[key][1] += doctor.pk in visited
    assert {key: figures[:2] for key, figures in keyed(result.rows, 2).items()} == dict(expected)


def test_visits_per_representative_and_per_day(data, acme, role_client):
    result = report(role_client("manager", acme), "visits_per_rep", **Q1)

    done = [v for v in data.visits if v.status == DONE and in_q1(v.planned_start.date())]
    workdays = sum(1 for n in range((END - START).days + 1) if (START + datetime.timedelta(n)).weekday() < 5)
    rows = keyed(result.rows)
    for rep in data.reps:
        own = [v for v in done if v.staff_id == rep.pk]
        days = {v.planned_start.date() for v in own}
        assert rows[name(rep)] == [
            len(own),
            len({v.doctor_id for v in own}),
            len(days),
            (Decimal(len(own)) / workdays).quantize(Decimal("0.01")),
            (Decimal(len(own)) / len(days)).quantize(Decimal("0.01")),
        ]
    assert result.totals[0][1] == len(done)
    assert workdays == 64  # January 23, February 20, March 21


@pytest.mark.parametrize("group", ["month", "week"])
def test_visits_planned_vs_done(data, acme, role_client, group):
    result = report(role_client("manager", acme), "visits_plan", group=group, **Q1)

    def bucket(day):
        if group == "month":
            return day.strftime("%B %Y")
        return day - datetime.timedelta(days=day.weekday())

    expected = defaultdict(Counter)
    for visit in data.visits:
        day = visit.planned_start.date()
        if in_q1(day):
            expected[bucket(day)][visit.status] += 1
            expected[bucket(day)]["planned_total"] += visit.status != CANCELLED
    rows = keyed(result.rows)
    for key, counts in expected.items():
        assert rows[key][:5] == [
            counts["planned_total"],
            counts[DONE],
            counts[MISSED],
            counts[PLANNED],
            counts[CANCELLED],
        ]
    assert sum(row[2] for row in result.rows) == sum(counts[DONE] for counts in expected.values())
    # Every bucket of the period is listed, the empty ones with zeros.
    assert len(result.rows) == (3 if group == "month" else 14)


def expected_sales(data, key):
    totals = defaultdict(lambda: [0, Decimal("0"), 0])
    for sale in data.sales:
        if in_q1(sale.date):
            entry = totals[(key(sale), sale.currency)]
            entry[0] += sale.quantity
            entry[1] += sale.quantity * sale.unit_price
            entry[2] += 1
    return dict(totals)


def figures_of(result) -> dict:
    """{(label, currency): [quantity, amount, lines]} of a sales report."""
    return {(row[0], row[1]): [row[2], row[3], row[5]] for row in result.rows if row[5]}


def test_sales_by_month(data, acme, role_client):
    result = report(role_client("manager", acme), "sales_month", **Q1)
    assert figures_of(result) == expected_sales(data, lambda sale: sale.date.strftime("%B %Y"))
    assert [row[0] for row in result.rows if row[1] == "AZN"] == ["January 2025", "February 2025", "March 2025"]


def test_sales_by_region(data, acme, role_client):
    result = report(role_client("manager", acme), "sales_region", **Q1)
    with translation.override("en"):
        expected = expected_sales(data, lambda sale: sale.region.name if sale.region else "Not specified")
    assert figures_of(result) == expected
    azn = sum(amount for (_label, currency), (_q, amount, _n) in expected.items() if currency == "AZN")
    assert [row for row in result.totals if row[1] == "AZN"][0][3] == azn


def test_sales_by_product(data, acme, role_client):
    result = report(role_client("manager", acme), "sales_product", **Q1)
    assert figures_of(result) == expected_sales(data, lambda sale: str(sale.product))


def test_sales_by_representative(data, acme, role_client):
    result = report(role_client("manager", acme), "sales_rep", **Q1)
    expected = expected_sales(data, lambda sale: name(sale.representative) if sale.representative else "Not assigned")
    assert figures_of(result) == expected


def test_payments_by_type(data, acme, role_client):
    result = report(role_client("manager", acme), "payments_kind", **Q1)

    expected = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0), Decimal(0)])
    with translation.override("en"):
        for payment in data.payments:
            if in_q1(payment.date) and payment.status != "cancelled":
                entry = expected[(payment.get_kind_display(), payment.get_direction_display(), payment.currency)]
                entry[0] += 1
                entry[1] += payment.amount
                entry[2 + ["draft", "approved", "paid"].index(payment.status)] += payment.amount
    assert keyed(result.rows, 3) == dict(expected)


def test_yearly_disclosure_total_per_doctor(data, acme, role_client):
    result = report(role_client("manager", acme), "payments_doctor", year="2025")

    totals = defaultdict(Decimal)
    for payment in data.payments:
        if (
            payment.date.year == 2025
            and payment.direction == "outgoing"
            and payment.status in ("approved", "paid")
            and payment.doctor
        ):
            totals[(payment.doctor.code, payment.currency)] += payment.amount
    got = {(row[0], row[4]): row[-2] for row in result.rows}
    assert got == dict(totals)
    # a1: the approved fee and the paid sponsorship; the draft congress trip is not disclosed.
    assert got[(data.doctors.a1.code, "AZN")] == Decimal("1700.50")
    fee_column = result.columns.index("Fee for services")
    a1_row = next(row for row in result.rows if row[0] == data.doctors.a1.code)
    assert a1_row[fee_column] == Decimal("500.00")


def test_disclosure_of_another_year(data, acme, role_client):
    result = report(role_client("manager", acme), "payments_doctor", year="2024")
    assert [(row[0], row[-2]) for row in result.rows] == [(data.doctors.c1.code, Decimal("70.00"))]


def test_a_preset_period_is_relative_to_today(acme, role_client):
    with use_tenant(acme):
        sale = SaleFactory(quantity=4, unit_price=Decimal("2.50"))
    result = report(role_client("manager", acme), "sales_month", preset="this_month")
    assert figures_of(result) == {(sale.date.strftime("%B %Y"), "AZN"): [4, Decimal("10.00"), 1]}
    result = report(role_client("manager", acme), "sales_month", preset="last_month")
    assert figures_of(result) == {}
