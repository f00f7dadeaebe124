"""Drafts, a manager's approval of outgoing payments, payment and cancellation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from doctors.tests.factories import DoctorFactory
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


def act(client, action, payment):
    return client.post(reverse(f"payments:payment-{action}", args=[payment.pk]))


def stored(company, payment) -> Payment:
    with use_tenant(company):
        return Payment.objects.get(pk=payment.pk)


def test_it_records_a_new_payment_as_a_draft(acme, member, login):
    manager = member("manager", acme)
    with use_tenant(acme):
        doctor = DoctorFactory()
    response = login(manager).post(
        reverse("payments:payment-create"),
        {
            "direction": "outgoing",
            "kind": "congress",
            "date": "2025-04-01",
            "amount": "1200.00",
            "currency": "AZN",
            "method": "bank",
            "doctor": doctor.pk,
            "status": "paid",
        },
    )
    assert response.status_code == 302
    with use_tenant(acme):
        payment = Payment.objects.get()
        assert (payment.status, payment.doctor, payment.created_by) == ("draft", doctor, manager)


def test_it_asks_for_a_counterparty_and_saves_nothing_without_one(acme, member, login):
    response = login(member("manager", acme)).post(
        reverse("payments:payment-create"),
        {
            "direction": "outgoing",
            "kind": "fee",
            "date": "2025-04-01",
            "amount": "10",
            "currency": "AZN",
            "method": "bank",
        },
    )
    assert response.status_code == 200
    assert "Name a counterparty: a doctor, a clinic or a free-text name." in response.text
    with use_tenant(acme):
        assert not Payment.objects.exists()


def test_it_refuses_to_pay_an_outgoing_payment_before_approval(acme, member, login):
    manager = member("manager", acme)
    with use_tenant(acme):
        payment = PaymentFactory(direction="outgoing")
    response = act(login(manager), "pay", payment)
    assert response.status_code == 409
    assert "An outgoing payment must be approved by a manager before it is paid." in response.text
    assert stored(acme, payment).status == "draft"


def test_it_moves_an_outgoing_payment_from_draft_to_approved_to_paid(acme, member, login):
    manager = member("manager", acme)
    with use_tenant(acme):
        payment = PaymentFactory(direction="outgoing")
    assert act(login(manager), "approve", payment).status_code == 302
    approved = stored(acme, payment)
    assert (approved.status, approved.approved_by) == ("approved", manager)
    assert approved.approved_at is not None
    assert act(login(manager), "pay", payment).status_code == 302
    assert stored(acme, payment).status == "paid"
    assert act(login(manager), "cancel", payment).status_code == 409
    assert stored(acme, payment).status == "paid"


@pytest.mark.parametrize("role", ["representative", "viewer"])
def test_it_lets_no_representative_or_viewer_approve(role, acme, member, login):
    with use_tenant(acme):
        payment = PaymentFactory(direction="outgoing")
    assert act(login(member(role, acme)), "approve", payment).status_code == 403
    assert stored(acme, payment).status == "draft"
    assert stored(acme, payment).approved_by is None


def test_it_pays_an_incoming_payment_without_approval_and_refuses_to_approve_it(acme, member, login):
    manager = member("owner", acme)
    with use_tenant(acme):
        payment = PaymentFactory(direction="incoming", kind="invoice")
    refused = act(login(manager), "approve", payment)
    assert refused.status_code == 409
    assert "Incoming payments need no approval" in refused.text
    assert act(login(manager), "pay", payment).status_code == 302
    assert stored(acme, payment).status == "paid"


def test_it_changes_and_deletes_a_payment_only_while_it_is_a_draft(acme, member, login):
    client = login(member("manager", acme))
    with use_tenant(acme):
        draft = PaymentFactory(amount=Decimal("10.00"))
        approved = PaymentFactory(status="approved", amount=Decimal("10.00"))
    data = {"direction": "outgoing", "kind": "fee", "date": "2025-04-01", "amount": "99.00"}
    data.update(currency="AZN", method="cash", counterparty="Kimsə")
    assert client.post(reverse("payments:payment-update", args=[draft.pk]), data).status_code == 302
    assert stored(acme, draft).amount == Decimal("99.00")
    refused = client.post(reverse("payments:payment-update", args=[approved.pk]), data)
    assert refused.status_code == 403
    assert "Only a draft payment can be changed or deleted" in refused.text
    assert client.post(reverse("payments:payment-delete", args=[approved.pk])).status_code == 403
    assert stored(acme, approved).amount == Decimal("10.00")
    assert client.post(reverse("payments:payment-delete", args=[draft.pk])).status_code == 302
    with use_tenant(acme):
        assert list(Payment.objects.values_list("pk", flat=True)) == [approved.pk]


def test_it_approves_from_the_queue_and_returns_there(acme, member, login):
    with use_tenant(acme):
        payment = PaymentFactory()
    response = login(member("manager", acme)).post(
        reverse("payments:payment-approve", args=[payment.pk]), {"back": "queue"}
    )
    assert response.url == reverse("payments:payment-list") + "?queue=awaiting"
    assert stored(acme, payment).status == "approved"


def test_it_refuses_a_sale_number_that_does_not_exist(acme, member, login):
    response = login(member("manager", acme)).post(
        reverse("payments:payment-create"),
        {"direction": "incoming", "kind": "invoice", "date": "2025-04-01", "amount": "10", "currency": "AZN"}
        | {"method": "bank", "counterparty": "Azərfarm", "sale": "999"},
    )
    assert response.status_code == 200
    assert "No sale has this number." in response.text
    with use_tenant(acme):
        assert not Payment.objects.exists()
