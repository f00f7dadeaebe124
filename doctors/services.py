"""Writes of doctors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from doctors.models import Doctor
from doctors.selectors import doctor_has_history
from subscription.history import history_context
from subscription.limits import ensure_capacity
from subscription.selectors import company_users
from subscription.tenancy import tenant_atomic
from subscription.tenant_base import assign_fields, editable_fields

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

    from subscription.models import Company

EDITABLE_FIELDS = editable_fields(Doctor)


def _validate(doctor: Doctor, company: Company) -> None:
    doctor.full_clean()
    if doctor.representative_id and not company_users(company).filter(pk=doctor.representative_id).exists():
        raise ValidationError({"representative": _("Choose a representative among your company's users.")})


def _save(doctor: Doctor) -> None:
    try:
        doctor.save()
    except IntegrityError as error:
        # Someone else took the code between validation and saving.
        raise ValidationError({"code": _("Another doctor already has this code.")}) from error


def doctor_create(*, company: Company, created_by: AbstractUser, **fields: Any) -> Doctor:
    """Add a doctor to the selected company. Raises ValidationError for bad data or a full plan."""
    doctor = Doctor(created_by=created_by, updated_by=created_by)
    assign_fields(doctor, fields, EDITABLE_FIELDS)
    _validate(doctor, company)
    # IMMEDIATE transactions serialise writers, so two people cannot both take the last place.
    with tenant_atomic():
        if doctor.is_active:
            ensure_capacity(company, "doctors")
        _save(doctor)
    return doctor


def doctor_update(*, doctor: Doctor, company: Company, updated_by: AbstractUser, **fields: Any) -> Doctor:
    """Change a doctor. Raises ValidationError for bad data, or when re-activating it would pass the plan's limit."""
    assign_fields(doctor, fields, EDITABLE_FIELDS)
    doctor.updated_by = updated_by
    _validate(doctor, company)
    with tenant_atomic():
        was_active = Doctor.objects.filter(pk=doctor.pk).values_list("is_active", flat=True).first()
        if doctor.is_active and not was_active:
            ensure_capacity(company, "doctors")
        _save(doctor)
    return doctor


def doctor_deactivate(*, doctor: Doctor, updated_by: AbstractUser) -> Doctor:
    """Mark a doctor inactive (kept with their history, no longer counted against the plan)."""
    doctor.is_active = False
    doctor.updated_by = updated_by
    doctor.save(update_fields=["is_active", "updated_by", "updated_at"])
    return doctor


def doctor_delete(*, doctor: Doctor, deleted_by: AbstractUser) -> bool:
    """Delete a doctor without history, or deactivate one with visits, sales, payments or patients.

    Returns True if the doctor was deleted, False if deactivated.
    """
    with tenant_atomic():
        if doctor_has_history(doctor=doctor):
            doctor_deactivate(doctor=doctor, updated_by=deleted_by)
            return False
        with history_context(by=deleted_by):
            doctor.delete()
    return True
