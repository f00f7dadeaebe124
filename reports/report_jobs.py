"""A report over a long period (more days than REPORT_INLINE_DAYS) is counted by the worker.

The report page starts the job and sends the user to its page; when done, that page links back to
the report, which shows (and downloads) the rows the job counted instead of counting them again.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.selectors.common import ReportResult
from subscription.jobs.user_jobs import JobFailed, Reporter, register_job_kind
from subscription.models import Job

KIND = "report"


def _encode(value):
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)  # lazy translations and the like: their text


def _decode(value):
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, dict):
        if "decimal" in value:
            return Decimal(value["decimal"])
        if "datetime" in value:
            return datetime.datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return datetime.date.fromisoformat(value["date"])
    return value


def report_job(job: Job, reporter: Reporter) -> None:
    """Count the report the job's parameters describe, and keep its rows with the job."""
    from reports.views import REPORTS  # the report pages' table of reports; views import this module lazily

    page = REPORTS[job.params["kind"]]
    form = page.form(QueryDict(job.params["query"]))
    if not form.is_valid():
        raise JobFailed(_("The report's settings are not valid any more; open the report again."))
    reporter.progress(0, 1, _("Counting…"))
    result = page.build(**form.report_arguments())
    job.result = {
        "report": {field.name: _encode(getattr(result, field.name)) for field in dataclasses.fields(result)},
        "next_url": f"{reverse('reports:report-detail', args=[job.params['kind']])}?{job.params['query']}&job={job.pk}",
        "next_label": str(_("See the report")),
    }
    reporter.progress(1, 1, "")


def start_query(request: HttpRequest) -> str:
    """The report page's query without the parameters that are not the report's (download, job)."""
    query = request.GET.copy()
    for name in ("export", "job"):
        query.pop(name, None)
    return query.urlencode()


def counted_result(request: HttpRequest, kind: str, job_id: str) -> ReportResult:
    """The rows a finished report job of this user counted for this report and query. 404 otherwise."""
    job = Job.objects.filter(
        pk=job_id, kind=KIND, company=request.tenant, user=request.user, state=Job.State.DONE
    ).first()
    if job is None or job.params.get("kind") != kind or job.params.get("query") != start_query(request):
        raise Http404
    return ReportResult(**{name: _decode(value) for name, value in job.result["report"].items()})


def register() -> None:
    register_job_kind(KIND, report_job, gettext_lazy("A report over a long period"))
