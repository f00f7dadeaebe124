"""Rows the report tests aggregate: visits, products, sales, payments and saved reports."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from appointments.models import Appointment
from doctors.tests.factories import DoctorFactory
from payments.models import Payment
from reports.models import Report
from sales.models import Product, Sale
from subscription.tests.factories import UserFactory


def local_noon(day: datetime.date) -> datetime.datetime:
    """Noon of `day` in the current time zone: safely inside that local day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


class VisitFactory(factory.django.DjangoModelFactory):
    """A done visit today, in the selected company."""

    class Meta:
        model = Appointment

    doctor = factory.SubFactory(DoctorFactory)
    staff = factory.SubFactory(UserFactory)
    planned_start = factory.LazyFunction(lambda: local_noon(timezone.localdate()))
    status = Appointment.Status.DONE


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"RP{n:04d}")
    name = factory.Sequence(lambda n: f"Kardiomaks {n}")
    form = "tablets"
    strength = "10 mg"
    price = Decimal("12.50")


class SaleFactory(factory.django.DjangoModelFactory):
    """A sale line today; amount = quantity × unit price."""

    class Meta:
        model = Sale

    date = factory.LazyFunction(timezone.localdate)
    product = factory.SubFactory(ProductFactory)
    quantity = 10
    unit_price = factory.SelfAttribute("product.price")


class PaymentFactory(factory.django.DjangoModelFactory):
    """An approved outgoing fee to a doctor, today."""

    class Meta:
        model = Payment

    direction = Payment.Direction.OUTGOING
    kind = Payment.Kind.FEE
    status = Payment.Status.APPROVED
    date = factory.LazyFunction(timezone.localdate)
    amount = Decimal("100.00")
    doctor = factory.SubFactory(DoctorFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    kind = Report.Kind.SALES_MONTH
    title = factory.Sequence(lambda n: f"Saved report {n}")
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 1, 31)
    columns = ["Month", "Amount"]
    rows = [["2025-01", 10.5]]
