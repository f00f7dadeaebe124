"""A user's job: its page (progress polled with htmx, no inline script), the polled fragment, its file."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from subscription.jobs.user_jobs import job_file, job_title
from subscription.models import Job


def _own_job(request: HttpRequest, pk) -> Job:
    """The job, if it is the requesting user's in the request's company; 404 otherwise (never another's)."""
    if not request.user.is_authenticated or request.tenant is None:
        raise Http404
    job = Job.objects.filter(pk=pk, company=request.tenant, user=request.user).first()
    if job is None:
        raise Http404
    return job


def _context(job: Job) -> dict:
    return {"job": job, "title": job_title(job), "has_file": job_file(job) is not None}


@require_GET
def job_detail(request: HttpRequest, pk) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "jobs/job_detail.html", _context(job))


@require_GET
def job_status(request: HttpRequest, pk) -> HttpResponse:
    """The part of the page that polls itself while the job runs (and stops polling when it ends)."""
    job = _own_job(request, pk)
    return render(request, "jobs/_job_status.html", _context(job))


@require_GET
def job_download(request: HttpRequest, pk) -> HttpResponse:
    job = _own_job(request, pk)
    path = job_file(job)
    if path is None or job.state != Job.State.DONE:
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=job.download_name or path.name)
