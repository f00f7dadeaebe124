import factory

from regions.models import City, Clinic, Region, Specialization


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"region-{n}")
    name_az = factory.Sequence(lambda n: f"Region {n} AZ")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"city-{n}")
    name_az = factory.Sequence(lambda n: f"Şəhər {n}")


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    city = factory.SubFactory(CityFactory)
    code = factory.Sequence(lambda n: f"clinic-{n}")
    name_az = factory.Sequence(lambda n: f"Klinika {n}")


class SpecializationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialization

    code = factory.Sequence(lambda n: f"spec-{n}")
    name_az = factory.Sequence(lambda n: f"İxtisas {n}")
