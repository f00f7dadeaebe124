"""Who may open the report pages: roles, outsiders, anonymous visitors, read-only companies."""

import pytest
from django.urls import reverse

from reports.models import Report
from reports.tests.factories import ReportFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db

KINDS = list(Report.Kind.values)
READ_URLS = [reverse("reports:report-list"), reverse("reports:saved-report-list")] + [
    reverse("reports:report-detail", args=[kind]) for kind in KINDS
]


@pytest.mark.parametrize("url", READ_URLS)
def test_anonymous_is_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", READ_URLS)
def test_a_representative_may_not_open_reports(acme, role_client, url):
    assert role_client("representative", acme).get(url).status_code == 403


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_owners_managers_and_viewers_read_every_report(acme, role_client, role):
    client = role_client(role, acme)
    for url in READ_URLS:
        assert client.get(url).status_code == 200, url


def test_a_representative_may_not_save_or_open_saved_reports(acme, role_client):
    with use_tenant(acme):
        report = ReportFactory()
    client = role_client("representative", acme)
    assert client.post(reverse("reports:report-save", args=["coverage"])).status_code == 403
    assert client.get(reverse("reports:saved-report-detail", args=[report.pk])).status_code == 403
    assert client.post(reverse("reports:saved-report-delete", args=[report.pk])).status_code == 403


def test_an_unknown_report_is_not_found(acme, role_client):
    assert role_client("manager", acme).get("/reports/no-such-report/").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2025-02-01", "date_to": "2025-01-01"},
        {"date_from": "2025-02-01"},
        {"date_from": "not a date", "date_to": "2025-01-01"},
        {"date_from": "1900-01-01", "date_to": "2025-01-01"},
        {"preset": "yesterday"},
        {"group": "fortnight"},
        {"date_from": "2025-02-01", "date_to": "2025-01-01", "export": "csv"},
    ],
)
def test_bad_filters_are_form_errors_not_server_errors(acme, role_client, params):
    client = role_client("manager", acme)
    response = client.get(reverse("reports:report-detail", args=["visits_plan"]), params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["result"] is None


def test_a_disclosure_year_out_of_range_is_a_form_error(acme, role_client):
    response = role_client("manager", acme).get(
        reverse("reports:report-detail", args=["payments_doctor"]), {"year": "1990"}
    )
    assert response.status_code == 200
    assert "year" in response.context["form"].errors


def test_a_read_only_company_reads_reports_but_cannot_save(acme, role_client, make_read_only):
    client = role_client("manager", acme)
    make_read_only(acme)
    page = client.get(reverse("reports:report-detail", args=["coverage"]))
    assert page.status_code == 200
    assert "Save this report" not in page.text
    assert client.post(reverse("reports:report-save", args=["coverage"])).status_code == 403
    with use_tenant(acme):
        report = ReportFactory()
    listing = client.get(reverse("reports:saved-report-list"))
    assert reverse("reports:saved-report-delete", args=[report.pk]) not in listing.text


@pytest.mark.parametrize("url", READ_URLS)
def test_pages_render_in_azerbaijani(acme, member, client, url):
    client.force_login(member("owner", acme))
    client.cookies["django_language"] = "az"
    response = client.get(url)
    assert response.status_code == 200
    assert 'lang="az"' in response.text
