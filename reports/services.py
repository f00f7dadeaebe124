"""Writes on saved reports."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from patients.models import Patient, PatientAccessLog
from reports.models import Report
from subscription.tenancy import tenant_atomic


def _jsonable(value):
    """A table cell as JSON: numbers stay numbers (for spreadsheets), dates become ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def report_save(
    *,
    kind: str,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    parameters: dict,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    created_by: AbstractBaseUser | None,
) -> Report:
    """Save a generated report with its rows. Raises ValidationError for an unknown kind, no title or a reversed period."""
    if period_end < period_start:
        raise ValidationError(_("The end date is before the start date."), code="reversed_period")
    report = Report(
        kind=kind,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        parameters={key: _jsonable(value) for key, value in parameters.items()},
        columns=[str(column) for column in columns],
        rows=[[_jsonable(value) for value in row] for row in rows],
        created_by=created_by,
    )
    # An empty table is a valid report (nothing happened in the period); the model calls it blank.
    report.full_clean()
    report.save()
    return report


def report_delete(*, report: Report) -> None:
    """Delete a saved report."""
    report.delete()


def patients_export_record(*, user: AbstractBaseUser) -> int:
    """Log that `user` exported every patient of the company (personal data: views are logged)."""
    now = timezone.now()
    entries = (
        PatientAccessLog(patient_id=pk, user=user, action="export", at=now)
        for pk in Patient.objects.values_list("pk", flat=True).iterator()
    )
    with tenant_atomic():
        return len(PatientAccessLog.objects.bulk_create(entries, batch_size=500))
