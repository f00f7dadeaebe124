"""Reads of doctors."""

from django.db.models import QuerySet

from doctors.models import Doctor

# Reference rows live in the master database: select_related cannot reach them, prefetch can
# (one query per relation, whatever the number of doctors).
REFERENCE_FIELDS = ("specialization", "second_specialization", "region", "city", "clinic", "representative")


def doctor_list(*, active: bool | None = None) -> QuerySet[Doctor]:
    """Doctors of the selected company with their reference data, in a constant number of queries."""
    doctors = Doctor.objects.prefetch_related(*REFERENCE_FIELDS)
    if active is not None:
        doctors = doctors.filter(is_active=active)
    return doctors
