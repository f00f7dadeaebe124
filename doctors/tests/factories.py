import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from appointments.models import Appointment
from doctors.models import Doctor, DoctorAssignment, Territory, TerritoryCity, TerritoryMember
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


class TerritoryFactory(factory.django.DjangoModelFactory):
    """A territory of the selected company; `cities=[...]` and `members=[...]` (users) add its rows."""

    class Meta:
        model = Territory
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ərazi {n}")

    @factory.post_generation
    def cities(self, create, extracted, **kwargs):
        for city in extracted or ():
            TerritoryCityFactory(territory=self, city=city)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        for user in extracted or ():
            TerritoryMemberFactory(territory=self, user=user)


class TerritoryCityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TerritoryCity

    territory = factory.SubFactory(TerritoryFactory)
    city = factory.SubFactory("regions.tests.factories.CityFactory")


class TerritoryMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TerritoryMember

    territory = factory.SubFactory(TerritoryFactory)
    user = factory.SubFactory("subscription.tests.factories.UserFactory")


class DoctorAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoctorAssignment

    doctor = factory.SubFactory(DoctorFactory)
    user = factory.SubFactory("subscription.tests.factories.UserFactory")
