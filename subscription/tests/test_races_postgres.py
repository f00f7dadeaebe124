"""Business rules that check, then write, hold on PostgreSQL too, where transactions do not queue by themselves.

Two writers meet at a barrier and go at once; the counting of the plan limit is slowed down a little
(the registered counter sleeps after counting), so that without a lock both would count the same
free place.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from doctors.models import Doctor
from doctors.services import doctor_create
from doctors.tests.factories import DoctorFactory
from payments.models import Payment
from payments.services import payment_approve, payment_update
from payments.tests.factories import PaymentFactory
from regions.tests.factories import ClinicFactory, SpecializationFactory
from subscription import limits
from subscription.tenancy import close_tenant_connections, run_with_context, use_tenant
from subscription.tests.factories import PlanFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(company, *works) -> list[str]:
    """Run each work in its own thread inside `company`, all released together; 'ok' or the refusal's code."""
    barrier, outcomes = threading.Barrier(len(works)), []

    def run(work):
        try:
            barrier.wait(timeout=20)
            work()
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.error_list[0].code if hasattr(error, "error_list") else "refused")
        finally:
            close_tenant_connections()

    with use_tenant(company):
        threads = [threading.Thread(target=run_with_context(run, work)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.fixture
def slow_doctor_count(monkeypatch):
    """Widen the window between counting doctors and inserting one, as a busy server would."""
    limit = limits._limits["doctors"]

    def counted_slowly(company):
        counted = limit.in_use(company)
        time.sleep(0.3)
        return counted

    monkeypatch.setitem(limits._limits, "doctors", limits.PlanLimit(**{**limit.__dict__, "in_use": counted_slowly}))


def test_two_writers_racing_for_the_last_place_of_the_plan_get_one_doctor_in(
    on_postgres, company_factory, member, slow_doctor_count
):
    company = company_factory(plan=PlanFactory(max_doctors=3))
    manager = member("manager", company)
    clinic, specialization = ClinicFactory(), SpecializationFactory()
    with use_tenant(company):
        DoctorFactory.create_batch(2)

    def add(code):
        return lambda: doctor_create(
            company=company,
            created_by=manager,
            code=code,
            last_name="Yarışçı",
            first_name="Tural",
            specialization=specialization,
            region=clinic.city.region,
            city=clinic.city,
            clinic=clinic,
        )

    assert at_once(company, add("RACE-1"), add("RACE-2")) == ["doctors_limit", "ok"]
    with use_tenant(company):
        assert Doctor.objects.filter(is_active=True).count() == 3


def test_two_approvals_of_one_payment_apply_once(on_postgres, company_factory, member):
    company = company_factory()
    first, second = member("manager", company), member("owner", company)
    with use_tenant(company):
        payment = PaymentFactory(amount=Decimal("250.00"))
        copies = [Payment.objects.get(pk=payment.pk) for _copy in range(2)]
    outcomes = at_once(
        company,
        lambda: payment_approve(payment=copies[0], by=first, role="manager", company=company),
        lambda: payment_approve(payment=copies[1], by=second, role="owner", company=company),
    )
    assert outcomes == ["ok", "stale"]
    with use_tenant(company):
        assert Payment.objects.get(pk=payment.pk).status == Payment.Status.APPROVED


def test_an_edit_racing_an_approval_never_turns_the_payment_back_into_a_draft(
    on_postgres, company_factory, member, monkeypatch
):
    """The edit has checked "still a draft" and is saving slowly when the approval comes: the approval waits,
    then finds the amount it was shown changed, and is refused (an approval never applies to unseen figures)."""
    company = company_factory()
    manager, owner = member("manager", company), member("owner", company)
    with use_tenant(company):
        payment = PaymentFactory(amount=Decimal("250.00"))
        editing, approving = Payment.objects.get(pk=payment.pk), Payment.objects.get(pk=payment.pk)
    save = Payment.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.4)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Payment, "save", slow_save)

    def approve_a_moment_later():
        time.sleep(0.1)
        payment_approve(payment=approving, by=owner, role="owner", company=company)

    outcomes = at_once(
        company,
        lambda: payment_update(payment=editing, updated_by=manager, amount=Decimal("999.00"), date=editing.date),
        approve_a_moment_later,
    )
    with use_tenant(company):
        stored = Payment.objects.get(pk=payment.pk)
    assert outcomes == ["ok", "stale"]
    assert (stored.status, stored.amount) == (Payment.Status.DRAFT, Decimal("999.00"))
