"""A sales file with more rows than IMPORT_INLINE_ROWS is imported by the worker, with its page polled."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sales.models import Sale
from sales.tests.factories import ProductFactory
from sales.tests.test_sale_import import HEADER
from subscription.models import Job
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
IMPORT = reverse("sales:sale-import")


def big_file(rows: int, *, bad_line: int | None = None) -> SimpleUploadedFile:
    lines = [
        f"2025-03-{1 + number % 28:02d},{'NOPE' if number + 2 == bad_line else 'CARD-10'},{number + 1},,,,,,,,,INV-{number}"
        for number in range(rows)
    ]
    return SimpleUploadedFile("sales.csv", "\n".join([HEADER, *lines]).encode(), content_type="text/csv")


@pytest.fixture
def products(acme, globex):
    for company in (acme, globex):
        with use_tenant(company):
            ProductFactory(code="CARD-10", price=Decimal("12.50"))


def test_a_large_file_becomes_a_job_whose_page_shows_the_outcome(acme, globex, products, member, login, settings):
    settings.IMPORT_INLINE_ROWS = 1000
    manager = member("manager", acme)
    client = login(manager)
    response = client.post(IMPORT, {"file": big_file(1200)})
    job = Job.objects.get(kind="sale_import")
    assert response.status_code == 302 and response.url == reverse("jobs:job-detail", args=[job.pk])
    assert (job.company, job.user, job.state) == (acme, manager, "done")
    page = client.get(response.url).text
    assert "1200 sales are imported." in page and reverse("sales:sale-list") in page
    with use_tenant(acme):
        assert Sale.objects.count() == 1200 and Sale.objects.filter(created_by=manager).count() == 1200
    with use_tenant(globex):
        assert Sale.objects.count() == 0


def test_a_large_file_with_a_bad_row_saves_nothing_and_lists_it(acme, products, member, login, settings):
    settings.IMPORT_INLINE_ROWS = 10
    client = login(member("manager", acme))
    response = client.post(IMPORT, {"file": big_file(50, bad_line=37)})
    job = Job.objects.get(kind="sale_import")
    assert job.state == "failed" and "1 problem to fix" in job.message
    page = client.get(response.url).text
    assert 'id="job-errors"' in page and "<td>37</td>" in page and "product_code" in page
    with use_tenant(acme):
        assert Sale.objects.count() == 0


def test_a_small_file_is_still_imported_at_once(acme, products, member, login, settings):
    settings.IMPORT_INLINE_ROWS = 10
    response = login(member("manager", acme)).post(IMPORT, {"file": big_file(10)})
    assert response.url.startswith("/sales/import/") and not Job.objects.exists()  # the import's own page


def test_the_job_reports_the_first_hundred_problems_and_the_count(acme, products, member, login, settings):
    settings.IMPORT_INLINE_ROWS = 10
    lines = [f"2025-03-14,NOPE-{number},x,y" for number in range(300)]
    upload = SimpleUploadedFile("s.csv", "\n".join(["date,product_code,quantity,unit_price", *lines]).encode())
    client = login(member("manager", acme))
    response = client.post(IMPORT, {"file": upload})
    job = Job.objects.get(kind="sale_import")
    assert job.state == "failed" and job.result["error_count"] == 900
    assert len(job.result["errors"]) == 100
    assert client.get(response.url).text.count("<tr><td>") == 100
