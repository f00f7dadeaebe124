import datetime
from decimal import Decimal

import factory

from payments.models import Payment


class PaymentFactory(factory.django.DjangoModelFactory):
    """A draft outgoing fee to a free-text counterparty, in the selected company."""

    class Meta:
        model = Payment

    direction = Payment.Direction.OUTGOING
    kind = Payment.Kind.FEE
    date = factory.LazyFunction(datetime.date.today)
    amount = Decimal("100.00")
    method = Payment.Method.BANK
    status = Payment.Status.DRAFT
    counterparty = factory.Sequence(lambda n: f"Counterparty {n}")
