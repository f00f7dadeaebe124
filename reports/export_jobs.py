"""The owner's full exports as jobs: the Excel workbook (a sheet per entity) and the portable bundle."""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.selectors.company_data import COMPANY_EXPORT
from reports.services import patients_export_record
from subscription.backups.bundle import export_bundle
from subscription.jobs.user_jobs import Reporter, register_job_kind
from subscription.models import Job
from subscription.ui.exports import Sheet, workbook_bytes


def _sheets(reporter: Reporter) -> Iterator[Sheet]:
    for index, spec in enumerate(COMPANY_EXPORT):
        reporter.progress(index, len(COMPANY_EXPORT), str(spec.title))
        yield spec.sheet()
    reporter.progress(len(COMPANY_EXPORT), len(COMPANY_EXPORT), "")


def _stamp(job: Job, kind: str, suffix: str) -> str:
    return f"{job.company.slug}-{kind}-{timezone.localdate().isoformat()}{suffix}"


def workbook_job(job: Job, reporter: Reporter) -> None:
    """Every entity of the company as one XLSX workbook (logged as an export of every patient)."""
    content = workbook_bytes(_sheets(reporter))
    path = reporter.file(".xlsx", _stamp(job, "data", ".xlsx"))
    building = path.with_name(f".{path.name}.part")
    building.write_bytes(content)
    os.replace(building, path)
    patients_export_record(user=job.user)


def bundle_job(job: Job, reporter: Reporter) -> None:
    """The portable bundle (zip of CSV per table, manifest, README), logged as an export of every patient."""
    path = reporter.file(".zip", _stamp(job, "bundle", ".zip"))
    building = path.with_name(f".{path.name}.part")
    try:
        export_bundle(job.company, building, progress=reporter.progress)
        os.replace(building, path)
    finally:
        building.unlink(missing_ok=True)
    patients_export_record(user=job.user)


def register() -> None:
    register_job_kind("company_workbook", workbook_job, _("The company's data as an Excel workbook"))
    register_job_kind("company_bundle", bundle_job, _("The company's data as a portable bundle"))
