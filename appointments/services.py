"""Writes on visits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Appointment
from doctors.models import Doctor
from patients.models import Patient
from sales.models import Pharmacy, Product
from subscription.history import history_context
from subscription.tenancy import tenant_atomic
from subscription.tenant_base import assign_fields, editable_fields

Status = Appointment.Status
# The status moves through the visit's own steps too, but the form sets it (plan → done) as well.
EDITABLE_FIELDS = editable_fields(Appointment)


def appointment_create(
    *,
    created_by: AbstractUser,
    staff: AbstractUser,
    doctor: Doctor | None = None,
    kind: str = Appointment.Kind.DOCTOR,
    pharmacy: Pharmacy | None = None,
    planned_start: datetime.datetime,
    duration_minutes: int = 30,
    channel: str = Appointment.Channel.IN_PERSON,
    status: str = Status.PLANNED,
    patient: Patient | None = None,
    products: Iterable[Product] = (),
    outcome: str = "",
    next_step: str = "",
    next_step_date: datetime.date | None = None,
) -> Appointment:
    """Add a visit to a doctor (or, of kind pharmacy, to a pharmacy) with the products to discuss.

    Raises ValidationError if a field is invalid (a done visit that has not started yet, too).
    """
    visit = Appointment(
        created_by=created_by,
        updated_by=created_by,
        kind=kind,
        doctor=doctor if kind == Appointment.Kind.DOCTOR else None,
        pharmacy=pharmacy if kind == Appointment.Kind.PHARMACY else None,
        staff=staff,
        planned_start=planned_start,
        duration_minutes=duration_minutes,
        channel=channel,
        status=status,
        patient=patient,
        outcome=outcome,
        next_step=next_step,
        next_step_date=next_step_date,
    )
    visit.full_clean()
    with tenant_atomic():
        visit.save()
        visit.products.set(products)
    return visit


def appointment_update(
    *, appointment: Appointment, updated_by: AbstractUser, products: Iterable[Product] | None = None, **fields
) -> Appointment:
    """Change a visit. Raises ValidationError if it is done (locked) or a field is invalid."""
    assign_fields(appointment, fields, EDITABLE_FIELDS)
    if appointment.kind == Appointment.Kind.PHARMACY:
        appointment.doctor = None
    else:
        appointment.pharmacy = None
    appointment.updated_by = updated_by
    appointment.full_clean()
    with tenant_atomic():
        ensure_not_locked(appointment)
        appointment.save()
        if products is not None:
            appointment.products.set(products)
    return appointment


def ensure_not_locked(appointment: Appointment) -> None:
    """Raise ValidationError if the visit, as stored, is done (call inside tenant_atomic(): the row is locked)."""
    # The stored status decides: a bound form may already have changed the instance in memory. The row
    # stays locked to the end of the transaction, so it cannot be completed before the change is saved.
    stored = Appointment.objects.select_for_update().filter(pk=appointment.pk).values_list("status", flat=True).first()
    if stored == Status.DONE:
        raise ValidationError(
            _("This visit is done, so it is locked against changes. A manager can reopen it first."),
            code="locked",
        )


def _move(appointment: Appointment, *, by: AbstractUser, from_status: str, to_status: str, refusal: str) -> Appointment:
    """Change the status only if it is still `from_status` (one conditional UPDATE: two clicks, one change)."""
    now = timezone.now()
    changes = {"status": to_status, "updated_by": by, "updated_at": now}
    if not Appointment.objects.filter(pk=appointment.pk, status=from_status).update(**changes):
        appointment.refresh_from_db(fields=["status"])
        raise ValidationError(refusal, code="stale")
    for name, value in changes.items():
        setattr(appointment, name, value)
    return appointment


def appointment_reopen(*, appointment: Appointment, by: AbstractUser) -> Appointment:
    """Unlock a done visit (it becomes planned again). Raises ValidationError if it is not done."""
    return _move(
        appointment,
        by=by,
        from_status=Status.DONE,
        to_status=Status.PLANNED,
        refusal=_("Only a done visit can be reopened."),
    )


def appointment_cancel(*, appointment: Appointment, by: AbstractUser) -> Appointment:
    """Cancel a planned visit. Raises ValidationError if it is not planned."""
    refusal = _("Only a planned visit can be cancelled; this one is “%(status)s”.") % {
        "status": appointment.get_status_display()
    }
    return _move(appointment, by=by, from_status=Status.PLANNED, to_status=Status.CANCELLED, refusal=refusal)


def appointment_delete(*, appointment: Appointment, by: AbstractUser | None = None) -> None:
    """Delete a visit for good. Raises ValidationError if it is done (a done visit stays on record)."""
    with tenant_atomic():
        if Appointment.objects.select_for_update().filter(pk=appointment.pk, status=Status.DONE).exists():
            raise ValidationError(_("A done visit stays on record and cannot be deleted."), code="done")
        with history_context(by=by):
            appointment.delete()
