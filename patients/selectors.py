"""Reads of patients and of who looked at them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from doctors.models import Doctor
from patients.models import Patient, PatientAccessLog
from subscription.ui.aztext import az_ordered

if TYPE_CHECKING:
    pass


def patient_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Patient]:
    """Patients of the selected company with their attending doctor (same database: one join)."""
    return patient_filter(Patient.objects.select_related("doctor"), filters or {})


def patient_filter(patients: QuerySet[Patient], filters: dict[str, Any]) -> QuerySet[Patient]:
    """Narrow `patients` by the list page's filters (attending doctor, sex)."""
    lookups = {name: filters[name] for name in ("doctor", "sex") if filters.get(name) not in (None, "")}
    return patients.filter(**lookups)


def _by_name(doctors: QuerySet[Doctor]) -> QuerySet[Doctor]:
    return doctors.order_by(az_ordered("last_name"), az_ordered("first_name"), "pk")


def attending_doctors() -> QuerySet[Doctor]:
    """Doctors who have patients, by name (the list filter's choices)."""
    return _by_name(Doctor.objects.filter(pk__in=Patient.objects.filter(doctor__isnull=False).values("doctor")))


def doctor_choices(*, current_pk: int | None = None) -> QuerySet[Doctor]:
    """Active doctors by name, plus the one already chosen (it may have been deactivated since)."""
    condition = Q(is_active=True) | Q(pk=current_pk) if current_pk else Q(is_active=True)
    return _by_name(Doctor.objects.filter(condition))


def patient_access_log(*, patient: Patient, limit: int = 20) -> list[PatientAccessLog]:
    """The most recent records of who viewed or changed the patient, with the users' names."""
    return list(
        PatientAccessLog.objects.filter(patient=patient).prefetch_related("user").order_by("-at", "-pk")[:limit]
    )
