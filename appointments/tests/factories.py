import datetime

import factory
from django.utils import timezone

from appointments.models import Appointment
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
