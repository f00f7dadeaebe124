from decimal import Decimal

import factory
from django.utils import timezone

from doctors.tests.factories import DoctorFactory
from payments.models import Payment


class PaymentFactory(factory.django.DjangoModelFactory):
    """A draft outgoing fee to a free-text counterparty, in the selected company, today.

    `to_doctor=True`: an approved fee to a (new) doctor instead.
    """

    class Meta:
        model = Payment

    class Params:
        to_doctor = factory.Trait(
            status=Payment.Status.APPROVED, doctor=factory.SubFactory(DoctorFactory), counterparty=""
        )

    direction = Payment.Direction.OUTGOING
    kind = Payment.Kind.FEE
    date = factory.LazyFunction(timezone.localdate)
    amount = Decimal("100.00")
    method = Payment.Method.BANK
    status = Payment.Status.DRAFT
    counterparty = factory.Sequence(lambda n: f"Counterparty {n}")
