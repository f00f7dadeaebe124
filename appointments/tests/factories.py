import datetime

import factory
from django.utils import timezone

from appointments.models import Appointment
from doctors.tests.factories import DoctorFactory
from subscription.tests.factories import UserFactory


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A planned visit of the selected company, tomorrow at 10:00."""

    class Meta:
        model = Appointment

    doctor = factory.SubFactory(DoctorFactory)
    staff = factory.SubFactory(UserFactory)
    planned_start = factory.LazyFunction(
        lambda: timezone.make_aware(
            datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(10))
        )
    )
    channel = Appointment.Channel.IN_PERSON
    status = Appointment.Status.PLANNED
