"""Reads of territories: their cities (with districts), their people, and the doctors in them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from doctors.models import DoctorAssignment, Territory, TerritoryCity, TerritoryMember
from regions.models import City


def territory_list(*, active: bool | None = True) -> QuerySet[Territory]:
    """Territories with their cities and representatives (ids), by name."""
    territories = Territory.objects.prefetch_related("cities", "members").order_by("name", "pk")
    return territories if active is None else territories.filter(is_active=active)


def territory_city_ids(territory_ids: Iterable[int]) -> set[int]:
    """Ids of the cities of the territories, and of those cities' districts (Baku → its districts)."""
    ids = set(TerritoryCity.objects.filter(territory_id__in=list(territory_ids)).values_list("city_id", flat=True))
    if ids:
        # The districts live in the master database: one query there, by the cities' ids.
        ids |= set(City.objects.filter(parent_id__in=ids).values_list("pk", flat=True))
    return ids


def territories_of(user_id: int, *, managed: bool = True) -> QuerySet[Territory]:
    """Active territories the user works as a representative (and, with `managed`, manages)."""
    people = Q(pk__in=TerritoryMember.objects.filter(user_id=user_id).values("territory_id"))
    if managed:
        people |= Q(manager_id=user_id)
    return Territory.objects.filter(people, is_active=True)


def works_a_territory(user_id: int) -> bool:
    return territories_of(user_id).exists()


def own_doctors_q(user_id: int) -> Q:
    """Doctors that are the user's: in the cities of their territories, assigned to them by name, or
    with them as the doctor's representative."""
    cities = territory_city_ids(territories_of(user_id).values_list("pk", flat=True))
    assigned = DoctorAssignment.objects.filter(user_id=user_id).values("doctor_id")
    return Q(city_id__in=cities) | Q(pk__in=assigned) | Q(representative_id=user_id)


def territory_doctors_q(territory: Territory) -> Q:
    """Doctors of one territory: in its cities, or assigned to one of its representatives."""
    cities = territory_city_ids([territory.pk])
    members = TerritoryMember.objects.filter(territory=territory).values("user_id")
    assigned = DoctorAssignment.objects.filter(user_id__in=members).values("doctor_id")
    return Q(city_id__in=cities) | Q(pk__in=assigned)


def team_user_ids(manager_id: int) -> set[int]:
    """The representatives of the active territories the user manages."""
    return set(
        TerritoryMember.objects.filter(territory__manager_id=manager_id, territory__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def territory_member_ids(territory: Territory) -> set[int]:
    return set(TerritoryMember.objects.filter(territory=territory).values_list("user_id", flat=True))


def assigned_user_ids(doctor_id: int) -> list[int]:
    return list(DoctorAssignment.objects.filter(doctor_id=doctor_id).values_list("user_id", flat=True))


def doctor_territories(doctor) -> QuerySet[Territory]:
    """The active territories whose cities (or whose city's parent) hold the doctor's city."""
    places = [pk for pk in (doctor.city_id, getattr(doctor.city, "parent_id", None)) if pk]
    ids = TerritoryCity.objects.filter(city_id__in=places).values("territory_id")
    return Territory.objects.filter(pk__in=ids, is_active=True).order_by("name")
