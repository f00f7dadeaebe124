"""Reads of visits, and of the company's users (who can be a visit's staff member)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db.models import Count, QuerySet
from django.utils import timezone

from appointments.models import Appointment

User = get_user_model()


def appointment_list(*, staff: AbstractUser | None = None) -> QuerySet[Appointment]:
    """Visits with what a list shows, in a constant number of queries (`staff`: only theirs)."""
    # Doctor and patient share the company database (select_related); users live in the master
    # database, which only prefetch_related can reach.
    visits = Appointment.objects.select_related("doctor", "patient", "pharmacy").prefetch_related("staff", "products")
    if staff is not None:
        visits = visits.filter(staff=staff)
    return visits


def appointment_filter(
    visits: QuerySet[Appointment],
    *,
    status: str = "",
    kind: str = "",
    channel: str = "",
    staff: AbstractUser | None = None,
    doctor=None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Appointment]:
    """Narrow `visits` by the list's filters (empty values do not narrow)."""
    if status:
        visits = visits.filter(status=status)
    if kind:
        visits = visits.filter(kind=kind)
    if channel:
        visits = visits.filter(channel=channel)
    if staff is not None:
        visits = visits.filter(staff=staff)
    if doctor is not None:
        visits = visits.filter(doctor=doctor)
    if date_from:
        visits = visits.filter(planned_start__gte=day_start(date_from))
    if date_to:
        visits = visits.filter(planned_start__lt=day_start(date_to + datetime.timedelta(days=1)))
    return visits


def appointment_status_totals(visits: QuerySet[Appointment]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, counted over `visits` in one query."""
    counts = dict(visits.order_by().values_list("status").annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in Appointment.Status.choices]


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the company's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def appointments_between(
    start: datetime.date, end: datetime.date, *, staff: AbstractUser | None = None
) -> QuerySet[Appointment]:
    """Visits planned from the start of `start` up to (not including) the start of `end`."""
    return (
        appointment_list(staff=staff)
        .filter(planned_start__gte=day_start(start), planned_start__lt=day_start(end))
        .order_by("planned_start", "pk")
    )
