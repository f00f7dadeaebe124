"""Four eyes on outgoing payments: who entered or last changed a payment may not approve it, and above
the company's threshold only an owner may; approvals record who and when, and pages say why not."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from payments import services
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from subscription.models import Company
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

FORM = {"direction": "outgoing", "kind": "fee", "date": "2025-04-01", "currency": "AZN", "method": "bank"}


def approve(client, payment):
    return client.post(reverse("payments:payment-approve", args=[payment.pk]))


def stored(company, payment) -> Payment:
    with use_tenant(company):
        return Payment.objects.get(pk=payment.pk)


def entered_by(client, company, **fields) -> Payment:
    """A payment entered through the form by `client`'s user."""
    response = client.post(reverse("payments:payment-create"), {**FORM, "counterparty": "Kimsə", **fields})
    assert response.status_code == 302, response.content
    with use_tenant(company):
        return Payment.objects.latest("pk")


def test_the_manager_who_entered_a_payment_may_not_approve_it(acme, member, role_client, login):
    author = role_client("manager", acme)
    payment = entered_by(author, acme, amount="1500,50")
    assert stored(acme, payment).amount == Decimal("1500.50")

    refused = approve(author, payment)

    assert refused.status_code == 409
    assert "someone else must approve it" in refused.text
    assert (stored(acme, payment).status, stored(acme, payment).approved_by) == ("draft", None)
    colleague = member("manager", acme, first_name="Leyla", last_name="Məmmədova")
    assert approve(login(colleague), payment).status_code == 302
    approved = stored(acme, payment)
    assert (approved.status, approved.approved_by) == ("approved", colleague)
    assert approved.approved_at is not None
    page = login(colleague).get(reverse("payments:payment-detail", args=[payment.pk])).text
    assert "Leyla Məmmədova" in page


def test_the_last_person_to_change_a_draft_may_not_approve_it_either(acme, member, login):
    author, editor, approver = (member("manager", acme) for _ in range(3))
    with use_tenant(acme):
        payment = PaymentFactory(created_by=author, updated_by=author)
    data = {**FORM, "amount": "200", "counterparty": "Kimsə"}
    assert login(editor).post(reverse("payments:payment-update", args=[payment.pk]), data).status_code == 302
    for refused in (author, editor):
        assert approve(login(refused), payment).status_code == 409
    assert stored(acme, payment).status == "draft"
    assert approve(login(approver), payment).status_code == 302
    assert stored(acme, payment).approved_by == approver


@pytest.mark.parametrize(
    ("amount", "role", "allowed"),
    [
        ("1000.00", "manager", True),  # at the threshold: a manager may
        ("1000.01", "manager", False),  # above it: only an owner
        ("1000.01", "owner", True),
        ("50000.00", "owner", True),
    ],
)
def test_above_the_companys_threshold_only_an_owner_approves(acme, member, login, amount, role, allowed):
    Company.objects.filter(pk=acme.pk).update(owner_approval_above=Decimal("1000.00"))
    with use_tenant(acme):
        payment = PaymentFactory(amount=Decimal(amount), created_by=member("manager", acme))
    response = approve(login(member(role, acme)), payment)
    assert response.status_code == (302 if allowed else 409)
    assert stored(acme, payment).status == ("approved" if allowed else "draft")
    if not allowed:
        assert "need the owner&#x27;s approval" in response.text


def test_without_a_threshold_any_manager_but_the_author_approves(acme, member, login):
    with use_tenant(acme):
        payment = PaymentFactory(amount=Decimal("99999.00"), created_by=member("owner", acme))
    assert approve(login(member("manager", acme)), payment).status_code == 302


def test_the_queue_says_why_instead_of_offering_the_button(acme, member, login):
    manager = member("manager", acme)
    with use_tenant(acme):
        own = PaymentFactory(counterparty="Own draft", created_by=manager)
        other = PaymentFactory(counterparty="Colleague's draft", created_by=member("manager", acme))
    page = login(manager).get(reverse("payments:payment-list"), {"queue": "awaiting"}).text
    assert reverse("payments:payment-approve", args=[other.pk]) in page
    assert reverse("payments:payment-approve", args=[own.pk]) not in page
    assert "someone else must approve it" in page
    detail = login(manager).get(reverse("payments:payment-detail", args=[own.pk])).text
    assert 'id="approval-refusal"' in detail
    assert reverse("payments:payment-approve", args=[own.pk]) not in detail


def test_a_change_between_the_check_and_the_approval_is_not_approved(acme, member):
    """The checked amount must still be the stored one: a draft raised meanwhile is refused, unchanged."""
    Company.objects.filter(pk=acme.pk).update(owner_approval_above=Decimal("1000.00"))
    acme.refresh_from_db()
    manager = member("manager", acme)
    with use_tenant(acme):
        payment = PaymentFactory(amount=Decimal("500.00"))
        Payment.objects.filter(pk=payment.pk).update(amount=Decimal("5000.00"))
        with pytest.raises(ValidationError) as refusal:
            services.payment_approve(payment=payment, by=manager, role="manager", company=acme)
        assert refusal.value.code == "stale"
        assert Payment.objects.get(pk=payment.pk).status == "draft"


@pytest.mark.parametrize(("typed", "saved"), [("1500,50", "1500.50"), ("1 500,50", "1500.50"), ("1500.50", "1500.50")])
def test_an_amount_is_read_as_typed(acme, member, login, typed, saved):
    payment = entered_by(login(member("manager", acme)), acme, amount=typed)
    assert stored(acme, payment).amount == Decimal(saved)


@pytest.mark.parametrize("typed", ["1,500,50", "1,500", "15 00"])
def test_an_ambiguous_amount_is_a_form_error_and_nothing_is_saved(acme, member, login, typed):
    response = login(member("manager", acme)).post(
        reverse("payments:payment-create"), {**FORM, "counterparty": "Kimsə", "amount": typed}
    )
    assert response.status_code == 200
    assert "can be read two ways" in response.context["form"].errors["amount"][0]
    with use_tenant(acme):
        assert not Payment.objects.exists()
