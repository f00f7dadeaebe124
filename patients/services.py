"""Writes of patients; every change (and every look at a record) is recorded in the access log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from patients.models import Patient, PatientAccessLog
from subscription.history import history_context
from subscription.tenancy import tenant_atomic
from subscription.tenant_base import assign_fields, editable_fields

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

EDITABLE_FIELDS = editable_fields(Patient)
Action = PatientAccessLog.Action


def patient_log(*, patient: Patient, user: AbstractUser, action: str) -> PatientAccessLog:
    """Record that `user` did `action` (a PatientAccessLog.Action) to the patient's record."""
    return PatientAccessLog.objects.create(patient=patient, patient_number=patient.pk, user=user, action=action)


def patient_record_view(*, patient: Patient, user: AbstractUser) -> PatientAccessLog:
    """Record that `user` opened the patient's record."""
    return patient_log(patient=patient, user=user, action=Action.VIEW)


def _assign_and_validate(patient: Patient, fields: dict[str, Any]) -> None:
    assign_fields(patient, fields, EDITABLE_FIELDS)
    patient.full_clean()
    if patient.birth_date and patient.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("The birth date is in the future; check the year.")})


def patient_create(*, created_by: AbstractUser, **fields: Any) -> Patient:
    """Add a patient to the selected company. Raises ValidationError for bad data."""
    patient = Patient(created_by=created_by, updated_by=created_by)
    _assign_and_validate(patient, fields)
    with tenant_atomic():
        patient.save()
        patient_log(patient=patient, user=created_by, action=Action.CREATE)
    return patient


def patient_update(*, patient: Patient, updated_by: AbstractUser, **fields: Any) -> Patient:
    """Change a patient's record. Raises ValidationError for bad data."""
    patient.updated_by = updated_by
    _assign_and_validate(patient, fields)
    with tenant_atomic():
        patient.save()
        patient_log(patient=patient, user=updated_by, action=Action.UPDATE)
    return patient


def patient_delete(*, patient: Patient, deleted_by: AbstractUser) -> None:
    """Delete a patient's record; the access log keeps who deleted it (visits stay, without the patient)."""
    with tenant_atomic():
        patient_log(patient=patient, user=deleted_by, action=Action.DELETE)
        with history_context(by=deleted_by):
            patient.delete()
