"""A report over a long period is counted by the worker; the report page then shows what it counted."""

import pytest
from django.urls import reverse

from reports.tests.test_reports import Q1, data, figures_of  # noqa: F401 - the fixture of the report tests
from subscription.models import Job

pytestmark = pytest.mark.django_db


def test_a_long_period_becomes_a_job_and_the_page_shows_its_rows(data, acme, role_client, settings):  # noqa: F811
    client = role_client("manager", acme)
    address = reverse("reports:report-detail", args=["sales_month"])
    inline = client.get(address, Q1).context["result"]
    settings.REPORT_INLINE_DAYS = 60  # Q1 has 90 days: long enough now
    started = client.get(address, Q1)
    job = Job.objects.get(kind="report")
    assert started.status_code == 302 and started.url == reverse("jobs:job-detail", args=[job.pk])
    assert job.state == "done"
    page = client.get(started.url).text
    back = job.result["next_url"]
    assert back.replace("&", "&amp;") in page
    shown = client.get(back)
    assert shown.status_code == 200
    counted = shown.context["result"]
    assert figures_of(counted) == figures_of(inline) and counted.rows == inline.rows
    assert counted.totals == inline.totals and counted.chart_labels == inline.chart_labels
    csv = client.get(back + "&export=csv")
    assert (
        csv.status_code == 200
        and "February 2025" in b"".join(csv.streaming_content if csv.streaming else [csv.content]).decode()
    )
    # Another user, or the same job for another period, is not found.
    other = role_client("manager", acme)
    assert other.get(back).status_code == 404
    assert client.get(back.replace("2025-03-31", "2025-03-30")).status_code == 404
    assert Job.objects.count() == 1
