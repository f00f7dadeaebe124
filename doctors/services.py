"""Writes of doctors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError
from django.db.models import Q
from django.utils.translation import gettext as _

from doctors.codes import take_doctor_code
from doctors.lookup import doctor_lookup_values, reference_words
from doctors.models import Doctor
from doctors.selectors import doctor_has_history
from regions.models import City, Specialization
from subscription.history import history_context
from subscription.limits import ensure_capacity
from subscription.models import Company
from subscription.selectors import company_users
from subscription.tenancy import tenant_atomic, tenant_lock, use_tenant
from subscription.tenant_base import assign_fields, editable_fields

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

EDITABLE_FIELDS = editable_fields(Doctor)
REFRESH_CHUNK = 500


def _validate(doctor: Doctor, company: Company, *, exclude: tuple[str, ...] = ()) -> None:
    doctor.full_clean(exclude=exclude)
    if doctor.representative_id and not company_users(company).filter(pk=doctor.representative_id).exists():
        raise ValidationError({"representative": _("Choose a representative among your company's users.")})


def _save(doctor: Doctor) -> None:
    try:
        doctor.save()
    except IntegrityError as error:
        # Someone else took the code between validation and saving.
        raise ValidationError({"code": _("Another doctor already has this code.")}) from error


def _ensure_a_free_place(company: Company) -> None:
    """Check the plan's doctor limit with every other writer of a doctor waiting (one takes the last place)."""
    tenant_lock("plan-limit:doctors")
    ensure_capacity(company, "doctors")


def doctor_create(*, company: Company, created_by: AbstractUser, **fields: Any) -> Doctor:
    """Add a doctor to the selected company; without a code, the company's next one (doctors.codes).

    Raises ValidationError for bad data or a full plan.
    """
    doctor = Doctor(created_by=created_by, updated_by=created_by)
    assign_fields(doctor, fields, EDITABLE_FIELDS)
    generated = not (doctor.code or "").strip()
    _validate(doctor, company, exclude=("code",) if generated else ())
    # Writers of doctors queue for the plan's last place; the code sequence's row is locked for the code.
    with tenant_atomic():
        if doctor.is_active:
            _ensure_a_free_place(company)
        if generated:
            doctor.code = take_doctor_code(company)
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
            _ensure_a_free_place(company)
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


def doctor_search_refresh(
    *, specialization_ids: Iterable[int] = (), city_ids: Iterable[int] = (), every: bool = False
) -> int:
    """Rebuild the search column of the selected company's doctors with these specializations or
    cities (`every`: of all its doctors), after reference names changed. Returns how many changed."""
    doctors = Doctor.objects.order_by("pk")
    if not every:
        specialization_ids, city_ids = set(specialization_ids), set(city_ids)
        doctors = doctors.filter(
            Q(specialization__in=specialization_ids)
            | Q(second_specialization__in=specialization_ids)
            | Q(city__in=city_ids)
        )
    changed, last = 0, 0
    while chunk := list(doctors.filter(pk__gt=last)[:REFRESH_CHUNK]):
        words = reference_words(chunk)
        stale = []
        for doctor in chunk:
            search_text, _sort_name = doctor_lookup_values(doctor, words)
            if search_text != doctor.search_text:
                doctor.search_text = search_text
                stale.append(doctor)
        Doctor.objects.bulk_update(stale, ["search_text"])
        changed, last = changed + len(stale), chunk[-1].pk
    return changed


def doctor_search_refresh_everywhere(*, model: type, ids: Iterable[int]) -> list[str]:
    """After the names of these specializations or cities changed: refresh the doctors using them in
    every company with a live database. Returns the companies that could not be refreshed (and why)."""
    field = {Specialization: "specialization_ids", City: "city_ids"}.get(model)
    if field is None:
        return []
    failures = []
    for company in Company.objects.with_live_database():
        try:
            with use_tenant(company):
                doctor_search_refresh(**{field: set(ids)})
        except DatabaseError as error:
            failures.append(f"{company.slug}: {error}")
    return failures
