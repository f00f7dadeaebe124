import datetime
from decimal import Decimal

import factory
from django.conf import settings
from django.utils import timezone

from appointments.models import Appointment
from doctors.tests.factories import DoctorFactory
from master_admin.models import ImpersonationSession
from sales.models import Product, Sale
from subscription.tests.factories import UserFactory


class SuperuserFactory(UserFactory):
    is_superuser = True
    is_staff = True


class ImpersonationSessionFactory(factory.django.DjangoModelFactory):
    """A session already in the log (the service makes real ones)."""

    class Meta:
        model = ImpersonationSession

    superuser = factory.SubFactory(SuperuserFactory)
    reason = factory.Sequence(lambda n: f"Support ticket #{n}")
    started_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(
        lambda session: session.started_at + datetime.timedelta(minutes=settings.IMPERSONATION_MINUTES)
    )
    ip_address = "10.0.0.1"


class StaffFactory(UserFactory):
    """A user who never logs in: no password hashing, which keeps tests fast."""

    password = "!"


# Tenant rows: made in the selected company's database.
class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    doctor = factory.SubFactory(DoctorFactory)
    staff = factory.SubFactory(StaffFactory)
    planned_start = factory.LazyFunction(timezone.now)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"MA-P{n:04d}")
    name = factory.Sequence(lambda n: f"Kardiomaks {n}")
    price = Decimal("12.50")


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    date = factory.LazyFunction(timezone.localdate)
    product = factory.SubFactory(ProductFactory)
    quantity = 2
    unit_price = factory.SelfAttribute("product.price")
