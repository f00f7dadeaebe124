"""A large sales file (more rows than IMPORT_INLINE_ROWS) is imported by the worker, all rows or none."""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sales import import_services
from sales.importing import ImportRejected
from subscription.jobs.user_jobs import JobFailed, Reporter, read_job_input, register_job_kind
from subscription.models import Job
from subscription.ui.tables import TableRow


def import_job(job: Job, reporter: Reporter) -> None:
    """Check every row, then save them all or none; the job's page lists the rows to fix."""
    upload = read_job_input(job)
    rows = [TableRow(values, line=line) for line, values in upload["rows"]]
    reporter.progress(0, len(rows), _("Checking %(count)d rows…") % {"count": len(rows)})
    try:
        batch = import_services.sale_import(
            rows=rows,
            company=job.company,
            created_by=job.user,
            file_name=upload["file_name"],
            sha256=upload["sha256"],
        )
    except import_services.DuplicateImport as duplicate:
        job.result = {"next_url": duplicate.batch.get_absolute_url(), "next_label": str(_("See the earlier import"))}
        raise JobFailed(_("This file was imported before; nothing was saved.")) from None
    except ImportRejected as rejection:
        job.result = {"errors": [asdict(error) for error in rejection.errors], "error_count": rejection.count}
        raise JobFailed(
            ngettext(
                "Nothing was saved: %(count)d problem to fix.",
                "Nothing was saved: %(count)d problems to fix.",
                rejection.count,
            )
            % {"count": rejection.count}
        ) from None
    except ValidationError as error:
        raise JobFailed(" ".join(error.messages)) from None
    job.result = {"next_url": batch.get_absolute_url(), "next_label": str(_("See the import"))}
    count = batch.rows
    reporter.progress(
        len(rows),
        len(rows),
        ngettext("%(count)d sale is imported.", "%(count)d sales are imported.", count) % {"count": count},
    )


def register() -> None:
    register_job_kind("sale_import", import_job, gettext_lazy("Import of a sales file"))
