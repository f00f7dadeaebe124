"""Payments as users see them: who may open what, the list's filters, totals and exports."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from appointments.tests.pages import csv_rows, table_rows
from doctors.tests.factories import DoctorFactory
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from regions.tests.factories import ClinicFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
LIST = reverse("payments:payment-list")
PAGES = ("payment-detail", "payment-update", "payment-delete")


def page(name, payment=None):
    return reverse(f"payments:{name}", args=[payment.pk] if payment else [])


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("owner", 200, 200), ("manager", 200, 200), ("representative", 403, 403), ("viewer", 200, 403)],
)
def test_it_lets_roles_read_and_write_payments_as_the_role_table_says(role, read, write, acme, member, login):
    with use_tenant(acme):
        payment = PaymentFactory()
    client = login(member(role, acme))
    assert client.get(LIST).status_code == read
    assert client.get(page("payment-detail", payment)).status_code == read
    assert client.get(page("payment-create")).status_code == write
    assert client.get(page("payment-update", payment)).status_code == write
    assert client.get(page("payment-delete", payment)).status_code == write
    with use_tenant(acme):
        approved = PaymentFactory(status="approved")
    moved = 302 if write == 200 else 403
    assert client.post(page("payment-approve", payment)).status_code == moved
    assert client.post(page("payment-pay", approved)).status_code == moved
    assert client.post(page("payment-cancel", payment)).status_code == moved


def test_it_shows_another_company_nothing_of_this_companys_payments(acme, globex, member, login):
    with use_tenant(acme):
        PaymentFactory(counterparty="Acme Tədarük")
        only_acme = PaymentFactory(counterparty="Acme Tədarük")
    with use_tenant(globex):
        same_id = PaymentFactory(counterparty="Globex Tədarük")
    client = login(member("owner", globex))
    for name in PAGES:
        assert client.get(page(name, only_acme)).status_code == 404
    for action in ("payment-approve", "payment-pay", "payment-cancel"):
        assert client.post(page(action, only_acme)).status_code == 404
    detail = client.get(page("payment-detail", same_id)).text
    assert "Globex Tədarük" in detail
    assert "Acme Tədarük" not in detail
    assert "Acme" not in table_rows(client.get(LIST))
    with use_tenant(acme):
        assert Payment.objects.filter(status="draft").count() == 2


def test_it_sends_anonymous_visitors_to_the_login_page(acme, client):
    with use_tenant(acme):
        payment = PaymentFactory()
    for url in [LIST, page("payment-create")] + [page(name, payment) for name in PAGES]:
        assert client.get(url).url.startswith(reverse("login"))
    assert client.post(page("payment-approve", payment)).url.startswith(reverse("login"))


def test_it_lists_payments_in_the_same_number_of_queries_for_1_and_50_rows(acme, member, login, count_queries):
    client = login(member("manager", acme))
    approver = member("manager", acme)

    def payment(number):
        direction, kind = ("incoming", "invoice") if number % 2 else ("outgoing", "fee")
        return PaymentFactory(
            direction=direction, kind=kind, doctor=DoctorFactory(), clinic=ClinicFactory(), approved_by=approver
        )

    with use_tenant(acme):
        payment(1)
    with count_queries() as one:
        client.get(LIST)
    with use_tenant(acme):
        for number in range(49):
            payment(number)
    with count_queries() as fifty:
        response = client.get(LIST)
    assert response.context["page_obj"].paginator.count == 50
    assert fifty.count == one.count


def test_it_filters_payments_and_totals_them_by_direction(acme, globex, member, login):
    with use_tenant(acme):
        doctor = DoctorFactory()
        march = datetime.date(2025, 3, 10)
        PaymentFactory.create_batch(2, doctor=doctor, date=march, amount=Decimal("150.25"), kind="fee")
        PaymentFactory(doctor=doctor, date=march, amount=Decimal("99.00"), kind="fee", status="cancelled")
        PaymentFactory(doctor=doctor, date=march, amount=Decimal("40.00"), kind="fee", currency="USD")
        PaymentFactory(doctor=doctor, date=march, amount=Decimal("500.00"), kind="sponsorship")
        PaymentFactory(doctor=doctor, date=datetime.date(2025, 5, 1), amount=Decimal("500.00"), kind="fee")
        PaymentFactory(date=march, amount=Decimal("500.00"), kind="fee")
        PaymentFactory(date=march, amount=Decimal("700.00"), direction="incoming", kind="invoice")
    with use_tenant(globex):
        PaymentFactory(date=march, amount=Decimal("900.00"), kind="fee")
    query = {"kind": "fee", "doctor": doctor.pk, "date_from": "2025-03-01", "date_to": "2025-03-31"}
    response = login(member("viewer", acme)).get(LIST, query)
    totals = response.context["totals"]
    assert (totals["count"], totals["cancelled"]) == (4, 1)
    assert totals["outgoing"] == [("AZN", Decimal("300.50")), ("USD", Decimal("40.00"))]
    assert totals["incoming"] == []
    assert "300.50\u00a0₼" in response.text
    incoming = login(member("viewer", acme)).get(LIST, {"direction": "incoming"}).context["totals"]
    assert incoming["incoming"] == [("AZN", Decimal("700.00"))]


def test_it_lists_payments_awaiting_approval_for_managers(acme, member, login):
    with use_tenant(acme):
        PaymentFactory(counterparty="Gözləyən")
        PaymentFactory(counterparty="Təsdiqlənmiş", status="approved")
        PaymentFactory(counterparty="Daxil olan", direction="incoming", kind="invoice")
    response = login(member("manager", acme)).get(LIST, {"queue": "awaiting"})
    rows = table_rows(response)
    assert "Gözləyən" in rows
    assert "Təsdiqlənmiş" not in rows
    assert "Daxil olan" not in rows
    assert 'id="awaiting-count">1<' in response.text
    assert "awaiting-count" not in login(member("viewer", acme)).get(LIST).text


def test_it_exports_exactly_the_filtered_payments_of_this_company(acme, globex, member, login):
    with use_tenant(acme):
        kept = PaymentFactory.create_batch(2, status="approved")
        PaymentFactory(status="draft")
    with use_tenant(globex):
        PaymentFactory.create_batch(3, status="approved")
    rows = csv_rows(login(member("owner", acme)).get(LIST, {"status": "approved", "export": "csv"}))
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(payment.pk for payment in kept)
    assert login(member("viewer", acme)).get(LIST, {"export": "csv"}).status_code == 403
