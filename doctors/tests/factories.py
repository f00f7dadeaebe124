import factory

from doctors.models import Doctor
from regions.tests.factories import ClinicFactory, SpecializationFactory


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
