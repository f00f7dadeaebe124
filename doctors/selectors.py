"""Reads of doctors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import CASCADE, Case, IntegerField, Q, QuerySet, Value, When

from doctors.models import Doctor
from doctors.territories import territory_doctors_q
from regions.forms import az_sorted
from regions.models import City, Clinic, Region, Specialization
from subscription.selectors import company_users, user_label

if TYPE_CHECKING:
    from subscription.models import Company

# Reference rows live in the master database: select_related cannot reach them, prefetch can
# (one query per relation, whatever the number of doctors).
REFERENCE_FIELDS = ("specialization", "second_specialization", "region", "city", "clinic", "representative")


def doctor_list(
    *, active: bool | None = None, filters: dict[str, Any] | None = None, doctors: QuerySet[Doctor] | None = None
) -> QuerySet[Doctor]:
    """Doctors of the selected company with their reference data, in a constant number of queries.

    `filters` are a DoctorFilterForm's cleaned data (empty values are ignored); `doctors` narrows
    the start (doctors.visibility.visible_doctors).
    """
    doctors = (Doctor.objects.all() if doctors is None else doctors).prefetch_related(*REFERENCE_FIELDS)
    if active is not None:
        doctors = doctors.filter(is_active=active)
    return doctor_filter(doctors, filters or {})


def doctor_filter(doctors: QuerySet[Doctor], filters: dict[str, Any]) -> QuerySet[Doctor]:
    """Narrow `doctors` by the list page's filters."""
    chosen = {name: value for name, value in filters.items() if value not in (None, "")}
    if "territory" in chosen:
        doctors = doctors.filter(territory_doctors_q(chosen.pop("territory")))
    if "specialization" in chosen:
        # A doctor with the specialization as the second one is a match too.
        spec = chosen.pop("specialization")
        doctors = doctors.filter(Q(specialization=spec) | Q(second_specialization=spec))
    for name in ("is_kol", "is_active"):
        if name in chosen:
            doctors = doctors.filter(**{name: chosen.pop(name) == "yes"})
    lookups = {
        name: chosen[name] for name in ("category", "region", "city", "clinic", "representative") if name in chosen
    }
    return doctors.filter(**lookups)


def doctor_city_order() -> Case:
    """An expression ranking doctors by their city's name in Azerbaijani order.

    The cities live in the master database, so the order is read from there (one query) and
    handed to the company's database as a CASE over city ids.
    """
    city_ids = list(az_sorted(City.objects.all()).values_list("pk", flat=True))
    return Case(
        *(When(city_id=pk, then=Value(rank)) for rank, pk in enumerate(city_ids)),
        default=Value(len(city_ids)),
        output_field=IntegerField(),
    )


def doctor_reference_names(*, company: Company) -> dict[str, dict[int, str]]:
    """Names by id of every specialization, region, city and clinic (small tables) and of the
    company's users, in the active language: for exports of thousands of doctors."""
    names = {
        field: {row.pk: row.name for row in model.objects.all()}
        for field, model in (("specialization", Specialization), ("region", Region), ("city", City), ("clinic", Clinic))
    }
    names["representative"] = {user.pk: user_label(user) for user in company_users(company)}
    return names


def doctor_has_history(*, doctor: Doctor) -> bool:
    """Whether any record refers to the doctor (a visit, sale, payment, patient...): then it is kept, not deleted.

    Every relation to Doctor counts, whichever app defines it, so a new kind of record is covered too;
    rows deleted with the doctor (their assignments to representatives) are not history.
    """
    return any(
        relation.related_model._base_manager.filter(**{relation.field.name: doctor}).exists()
        for relation in Doctor._meta.related_objects
        if relation.on_delete is not CASCADE
    )


def doctors_ordered(queryset: QuerySet[Doctor]) -> QuerySet[Doctor]:
    """Doctors by name in Azerbaijani order (for choices)."""
    return queryset.order_by("sort_name", "pk")
