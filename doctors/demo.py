"""Demo territories (called by seed_demo): two territories that split the company's doctors."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.models import AbstractUser

from doctors.models import Doctor, DoctorAssignment, Territory
from doctors.territory_services import territory_create
from regions.models import City
from subscription.models import Company


def seed_territories(*, company: Company, rep: AbstractUser, manager: AbstractUser) -> list[Territory]:
    """A territory of the cities holding about half of the doctors for the representative, the rest for
    the manager; two doctors outside it assigned to the representative by name. Does nothing if the
    company has territories."""
    if Territory.objects.exists():
        return []
    by_city = Counter(Doctor.objects.values_list("city_id", flat=True))
    cities = list(City.objects.filter(pk__in=by_city))
    cities.sort(key=lambda city: (-by_city[city.pk], city.name_az))
    half, count, own = sum(by_city.values()) / 2, 0, []
    for city in cities:
        if count >= half:
            break
        own.append(city)
        count += by_city[city.pk]
    rest = [city for city in cities if city not in own]
    territories = [
        territory_create(
            company=company, created_by=manager, name="Mərkəz", cities=own, representatives=[rep], manager=manager
        )
    ]
    if rest:
        territories.append(
            territory_create(
                company=company,
                created_by=manager,
                name="Regionlar",
                cities=rest,
                representatives=[manager],
                manager=manager,
            )
        )
        outside = Doctor.objects.filter(city_id__in=[city.pk for city in rest]).order_by("code")[:2]
        DoctorAssignment.objects.bulk_create(DoctorAssignment(doctor=doctor, user=rep) for doctor in outside)
    return territories
