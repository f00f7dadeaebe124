"""/jobs/: the pages of a user's long jobs (config/urls.py mounts it)."""

from django.urls import path

from subscription import job_views

app_name = "jobs"

urlpatterns = [
    path("<uuid:pk>/", job_views.job_detail, name="job-detail"),
    path("<uuid:pk>/status/", job_views.job_status, name="job-status"),
    path("<uuid:pk>/download/", job_views.job_download, name="job-download"),
]
