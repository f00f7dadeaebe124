import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from appointments.models import Appointment
from doctors.models import Doctor
from payments.models import Payment
from regions.tests.factories import ClinicFactory, SpecializationFactory
from sales.models import Product, Sale


class DoctorFactory(factory.django.DjangoModelFactory):
    """A doctor in the selected company, with a consistent clinic, city and region."""

    class Meta:
        model = Doctor

    code = factory.Sequence(lambda n: f"D{n:05d}")
    last_name = factory.Sequence(lambda n: f"Məmmədov{n}")
    first_name = "Elçin"
    specialization = factory.SubFactory(SpecializationFactory)
    clinic = factory.SubFactory(ClinicFactory)
    city = factory.SelfAttribute("clinic.city")
    region = factory.SelfAttribute("clinic.city.region")
    category = "A"


def visit_of(doctor: Doctor, *, staff, **fields) -> Appointment:
    """A visit to `doctor` in the selected company (the visits app has the full factory)."""
    fields.setdefault("planned_start", timezone.now() - datetime.timedelta(days=1))
    return Appointment.objects.create(doctor=doctor, staff=staff, **fields)


def sale_of(doctor: Doctor, **fields) -> Sale:
    """A sale attributed to `doctor`, of a new product."""
    product = Product.objects.create(code=f"P-{Product.objects.count() + 1}", name="Kardiomaks", price=Decimal("12.50"))
    return Sale.objects.create(
        date=datetime.date.today(), product=product, quantity=2, unit_price=product.price, doctor=doctor, **fields
    )


def payment_to(doctor: Doctor, **fields) -> Payment:
    """An outgoing fee to `doctor`."""
    return Payment.objects.create(
        direction=Payment.Direction.OUTGOING,
        kind=Payment.Kind.FEE,
        date=datetime.date.today(),
        amount=Decimal("150.00"),
        doctor=doctor,
        **fields,
    )
