import datetime

import factory

from patients.models import Patient


class PatientFactory(factory.django.DjangoModelFactory):
    """A patient of the selected company."""

    class Meta:
        model = Patient

    last_name = factory.Sequence(lambda n: f"Səfərova{n}")
    first_name = "Leyla"
    birth_date = datetime.date(1985, 4, 12)
    sex = Patient.Sex.FEMALE
    phone = "+994 55 765 43 21"
