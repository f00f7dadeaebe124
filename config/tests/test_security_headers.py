"""Content-Security-Policy on every page, no inline script or style in any rendered page, and
`Cache-Control: no-store, private` on patient pages and every download.

The pages are generated from the URL patterns: a new URL is checked without being listed here.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory
from patients.tests.factories import PatientFactory
from payments.tests.factories import PaymentFactory
from reports.tests.factories import ReportFactory
from sales.tests.factories import ProductFactory, SaleFactory
from subscription.jobs.user_jobs import job_start
from subscription.tenancy import use_tenant
from subscription.ui.listing import CompanyListView

pytestmark = pytest.mark.django_db

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def routes(patterns=None, prefix: str = "", namespace: str = ""):
    """(namespace, route, view) for every path() pattern of the project except the Django admin's."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            yield from routes(entry.url_patterns, prefix + route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and not route.startswith("^"):
            yield namespace, prefix + route, entry.callback


@pytest.fixture
def objects(acme, member):
    """One row of each kind in acme, and the ids that fill the URL patterns' parameters."""
    owner = member("owner", acme)
    with use_tenant(acme):
        doctor = DoctorFactory()
        values = {
            "doctors": doctor.pk,
            "patients": PatientFactory(doctor=doctor).pk,
            "appointments": AppointmentFactory(doctor=doctor, staff=owner).pk,
            "sales": SaleFactory().pk,
            "products": ProductFactory().pk,
            "payments": PaymentFactory().pk,
            "reports": ReportFactory(created_by=owner).pk,
        }
    values["settings"] = member("representative", acme).pk
    # A finished export of the owner's (jobs run at once in tests): its page and its download.
    values["jobs"] = job_start(kind="company_workbook", company=acme, user=owner).pk
    return {"owner": owner, "ids": values, "company": acme}


def fill(namespace: str, route: str, objects: dict) -> str:
    """The route with its parameters replaced by ids of rows that exist."""

    def value(match: re.Match) -> str:
        name = match.group("name")
        if name == "slug":
            return objects["company"].slug
        if name == "kind":
            return "coverage"
        key = "products" if route.startswith("sales/products/") else namespace
        if key in objects["ids"]:
            return str(objects["ids"][key])
        # A pattern this test does not know yet still gets an address (its 404 page is checked too).
        return "1" if match.group("converter") == "int" else "unknown"

    return "/" + PARAMETER.sub(value, route)


def every_page(objects) -> list[tuple[str, str]]:
    """(who, address): company pages for the owner, the superuser's pages and the admin's lists and forms."""
    pages = []
    for namespace, route, _view in routes():
        who = "superuser" if namespace == "master_admin" else "owner"
        pages.append((who, fill(namespace, route, objects)))
    for model in admin.site._registry:
        meta = model._meta
        pages.append(("superuser", reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")))
        pages.append(("superuser", reverse(f"admin:{meta.app_label}_{meta.model_name}_add")))
    return [("superuser", reverse("admin:index")), ("anonymous", reverse("login")), *pages]


@pytest.fixture
def clients(objects, superuser):
    owner = Client()
    owner.force_login(objects["owner"])
    boss = Client()
    boss.force_login(superuser)
    return {"owner": owner, "superuser": boss, "anonymous": Client()}


def policy(response) -> dict[str, str]:
    header = response.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def test_it_generates_pages_from_every_url_pattern(objects):
    addresses = {address for _who, address in every_page(objects)}
    assert len(addresses) > 60
    assert {"/doctors/", f"/patients/{objects['ids']['patients']}/", "/settings/export/start/"} <= addresses


def test_every_page_has_the_policy_and_no_inline_script_or_style(objects, clients):
    checked = 0
    for who, address in every_page(objects):
        response = clients[who].get(address)
        assert policy(response).items() >= REQUIRED_DIRECTIVES.items(), (
            f"{address}: {response.get('Content-Security-Policy')}"
        )
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        checked += 1
        html = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
        for name, rule in [
            ("inline <script>", INLINE_SCRIPT),
            ("on*= attribute", EVENT_ATTRIBUTE),
            ("style= attribute", STYLE_ATTRIBUTE),
            ("javascript: URL", JAVASCRIPT_URL),
        ]:
            found = rule.search(html)
            assert found is None, f"{address} has an {name}: {found and found.group(0)[:120]}"
    assert checked > 50


def test_the_checks_catch_inline_script_and_handlers():
    """The patterns above do find what they look for (and leave scripts with a src alone)."""
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert EVENT_ATTRIBUTE.search('<select name="language" onchange="this.form.submit()">')
    assert not EVENT_ATTRIBUTE.search('<button data-submit-on-change type="submit">Go</button>')
    assert STYLE_ATTRIBUTE.search('<span style="color:red">')


def test_error_pages_have_the_policy(clients):
    response = clients["owner"].get("/no-such-page/")
    assert response.status_code == 404
    assert policy(response).items() >= REQUIRED_DIRECTIVES.items()


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_every_patient_page_is_not_stored(objects, clients):
    patient_pages = [fill(ns, route, objects) for ns, route, _view in routes() if ns == "patients"]
    assert len(patient_pages) >= 5
    for address in patient_pages:
        response = clients["owner"].get(address)
        assert response.status_code == 200, address
        assert no_store(response), f"{address}: {response.get('Cache-Control')}"


def downloads(objects) -> list[str]:
    """Every list's exports (the views built on CompanyListView), the reports', saved reports', and the rest."""
    lists = [
        fill(ns, route, objects)
        for ns, route, view in routes()
        # Every list that has exports (patient lists have none: personal data does not leave in bulk).
        if issubclass(getattr(view, "view_class", object), CompanyListView) and view.view_class.export_spec
    ]
    assert len(lists) >= 5
    saved = reverse("reports:saved-report-detail", args=[objects["ids"]["reports"]])
    return [
        *[f"{address}?export={fmt}" for address in [*lists, "/reports/coverage/", saved] for fmt in ("csv", "xlsx")],
        reverse("jobs:job-download", args=[objects["ids"]["jobs"]]),
        reverse("sales:sale-import-template") + "?format=xlsx",
    ]


def test_every_download_is_not_stored(objects, clients):
    for address in downloads(objects):
        response = clients["owner"].get(address)
        assert response.status_code == 200, address
        assert response["Content-Disposition"].startswith("attachment"), address
        assert no_store(response), f"{address}: {response.get('Cache-Control')}"


def test_ordinary_pages_stay_cacheable_by_the_browser(clients):
    """Only private responses are marked: the doctor list is not patient data."""
    response = clients["owner"].get("/doctors/")
    assert response.status_code == 200
    assert not no_store(response)
