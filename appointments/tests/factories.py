import datetime

import factory
from django.utils import timezone

from appointments.models import Appointment, CallDetail, CallSample, MonthlyPlan, PlanItem
from doctors.tests.factories import DoctorFactory
from subscription.tests.factories import UserFactory


def local_noon(day: datetime.date) -> datetime.datetime:
    """Noon of `day` in the current time zone: safely inside that local day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A planned visit of the selected company, tomorrow at 10:00 (`done_today=True`: done, today at noon)."""

    class Meta:
        model = Appointment

    class Params:
        done_today = factory.Trait(
            status=Appointment.Status.DONE,
            planned_start=factory.LazyFunction(lambda: local_noon(timezone.localdate())),
        )

    doctor = factory.SubFactory(DoctorFactory)
    staff = factory.SubFactory(UserFactory)
    planned_start = factory.LazyFunction(
        lambda: timezone.make_aware(
            datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(10))
        )
    )
    channel = Appointment.Channel.IN_PERSON
    status = Appointment.Status.PLANNED


class CallDetailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallDetail

    appointment = factory.SubFactory(AppointmentFactory)
    product = factory.SubFactory("sales.tests.factories.ProductFactory")
    key_message = "Gündə bir dəfə"


class CallSampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallSample

    appointment = factory.SubFactory(AppointmentFactory)
    stock = factory.SubFactory("sales.tests.factories.SampleStockFactory")
    quantity = 1


class MonthlyPlanFactory(factory.django.DjangoModelFactory):
    """A draft plan of next month."""

    class Meta:
        model = MonthlyPlan

    representative = factory.SubFactory(UserFactory)
    month = factory.LazyFunction(
        lambda: (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    )


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    plan = factory.SubFactory(MonthlyPlanFactory)
    doctor = factory.SubFactory(DoctorFactory)
    calls = 2
