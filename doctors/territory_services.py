"""Writes of territories and of doctors' assignments to representatives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from doctors.models import Doctor, DoctorAssignment, Territory, TerritoryCity, TerritoryMember
from regions.models import City
from subscription.selectors import company_users
from subscription.tenancy import tenant_atomic

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

    from subscription.models import Company


def _ensure_company_users(company: Company, users: Iterable, field: str) -> None:
    ids = {user.pk for user in users if user is not None}
    known = set(company_users(company).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - known:
        raise ValidationError({field: _("Choose people among your company's users.")})


def _save_territory(
    territory: Territory, *, company: Company, cities: Iterable[City], representatives: Iterable
) -> Territory:
    cities, representatives = list(cities), list(representatives)
    if not cities:
        raise ValidationError({"cities": _("Choose at least one city or district for the territory.")})
    territory.full_clean()
    _ensure_company_users(company, representatives, "representatives")
    _ensure_company_users(company, [territory.manager], "manager")
    try:
        with tenant_atomic():
            territory.save()
            TerritoryCity.objects.filter(territory=territory).exclude(city__in=cities).delete()
            have = set(TerritoryCity.objects.filter(territory=territory).values_list("city_id", flat=True))
            TerritoryCity.objects.bulk_create(
                TerritoryCity(territory=territory, city=city) for city in cities if city.pk not in have
            )
            TerritoryMember.objects.filter(territory=territory).exclude(user__in=representatives).delete()
            have = set(TerritoryMember.objects.filter(territory=territory).values_list("user_id", flat=True))
            TerritoryMember.objects.bulk_create(
                TerritoryMember(territory=territory, user=user) for user in representatives if user.pk not in have
            )
    except IntegrityError as error:
        raise ValidationError({"name": _("Another territory already has this name.")}) from error
    return territory


def territory_create(
    *,
    company: Company,
    created_by: AbstractUser,
    name: str,
    cities: Iterable[City],
    representatives: Iterable[AbstractUser] = (),
    manager: AbstractUser | None = None,
    notes: str = "",
    is_active: bool = True,
) -> Territory:
    """Add a territory of cities with its representatives and manager.

    Raises ValidationError if the name is taken, no city is chosen or a person is not the company's.
    """
    territory = Territory(
        created_by=created_by, updated_by=created_by, name=name, manager=manager, notes=notes, is_active=is_active
    )
    return _save_territory(territory, company=company, cities=cities, representatives=representatives)


def territory_update(
    *,
    territory: Territory,
    company: Company,
    updated_by: AbstractUser,
    name: str,
    cities: Iterable[City],
    representatives: Iterable[AbstractUser] = (),
    manager: AbstractUser | None = None,
    notes: str = "",
    is_active: bool = True,
) -> Territory:
    """Change a territory, its cities and its people. Raises ValidationError as territory_create does."""
    territory.name, territory.manager, territory.notes, territory.is_active = name, manager, notes, is_active
    territory.updated_by = updated_by
    return _save_territory(territory, company=company, cities=cities, representatives=representatives)


def territory_delete(*, territory: Territory) -> None:
    """Delete a territory (its doctors stay). Raises ValidationError if sales targets name it."""
    try:
        with tenant_atomic():
            territory.delete()
    except ProtectedError as error:
        raise ValidationError(
            _("Sales targets are set for this territory. Deactivate it instead, or delete its targets first."),
            code="protected",
        ) from error


def doctor_assign(*, doctor: Doctor, company: Company, users: Iterable[AbstractUser]) -> Doctor:
    """Assign the doctor by name to exactly these representatives. Raises ValidationError for an outsider."""
    users = list(users)
    _ensure_company_users(company, users, "users")
    with tenant_atomic():
        DoctorAssignment.objects.filter(doctor=doctor).exclude(user__in=users).delete()
        have = set(DoctorAssignment.objects.filter(doctor=doctor).values_list("user_id", flat=True))
        DoctorAssignment.objects.bulk_create(
            DoctorAssignment(doctor=doctor, user=user) for user in users if user.pk not in have
        )
    return doctor
