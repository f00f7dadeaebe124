"""Which doctors a request sees: the one rule every doctor list and doctor choice uses.

A representative who works a territory starts with their own doctors (the territory's cities,
doctors assigned to them by name, doctors they are the representative of); a filter lets them
look at the whole company where the role allows it (`all_doctors_view` in the role table). Owners,
managers and viewers start with every doctor, and may narrow to their own territories. Nobody
ever sees another company's doctors: each company's doctors are in its own database.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from doctors.models import Doctor
from doctors.territories import own_doctors_q, works_a_territory
from subscription.ui.permissions import can, is_representative

MINE, ALL = "mine", "all"


def default_scope(request: HttpRequest) -> str:
    """ "mine" for a representative who works a territory; "all" for everyone else."""
    if is_representative(request) and works_a_territory(request.user.pk):
        return MINE
    return ALL


def may_look_wider(request: HttpRequest) -> bool:
    return can(request, "all_doctors_view")


def visible_doctors(request: HttpRequest, *, scope: str | None = None, include: Iterable = ()) -> QuerySet[Doctor]:
    """The doctors this request sees.

    `scope`: "mine", "all" (only where the role may look wider), or None for the role's default.
    `include`: ids of doctors to add where the role may look wider (the doctor a record already
    names, or one opened from the wider list), so that a narrowed choice still accepts them.
    """
    scope = scope if scope in (MINE, ALL) else default_scope(request)
    wider = may_look_wider(request)
    if scope == ALL and wider:
        return Doctor.objects.all()
    condition = own_doctors_q(request.user.pk)
    extra = [int(pk) for pk in include if str(pk or "").isdigit() and int(pk) < 2**63]
    if extra and wider:
        condition |= Q(pk__in=extra)
    return Doctor.objects.filter(condition)


def doctor_choices(request: HttpRequest, *, include: Iterable = ()) -> QuerySet[Doctor]:
    """Doctors to offer in a form's doctor select: the role's default scope (plus `include`), by name."""
    return visible_doctors(request, include=include).order_by("sort_name", "pk")
