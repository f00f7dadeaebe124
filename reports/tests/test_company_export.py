"""The owner's data export: one workbook, a sheet per entity, this company's rows only."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from appointments.models import Appointment
from doctors.tests.factories import DoctorFactory
from patients.models import Patient, PatientAccessLog
from payments.models import Payment
from sales.models import Product, Sale
from sales.tests.factories import PharmacyFactory, SampleStockFactory
from subscription.models import Job, Subscription
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
SHEETS = ["Doctors", "Patients", "Visits", "Products", "Sales", "Payments", "Pharmacies", "Sample stock"]


def fill(company, prefix: str, staff, count: int) -> None:
    """`count` rows of every entity, each naming `prefix` so that its company can be told."""
    with use_tenant(company):
        for number in range(count):
            doctor = DoctorFactory(code=f"{prefix}-D{number}")
            Patient.objects.create(last_name=f"{prefix}-patient-{number}", first_name="Aynur", doctor=doctor)
            product = Product.objects.create(code=f"{prefix}-P{number}", name="Neyrovit", price=Decimal("9.80"))
            visit = Appointment.objects.create(
                doctor=doctor, staff=staff, planned_start=datetime.datetime(2025, 1, 6, 9, tzinfo=datetime.UTC)
            )
            visit.products.add(product)
            Sale.objects.create(date=datetime.date(2025, 1, 6), product=product, quantity=3, unit_price=Decimal("9.80"))
            Payment.objects.create(
                direction="outgoing", kind="fee", date=datetime.date(2025, 1, 6), amount=Decimal("50.00"), doctor=doctor
            )
            PharmacyFactory(name=f"{prefix}-pharmacy-{number}")
            SampleStockFactory(representative=staff, product=product, lot=f"{prefix}-L{number}")


def column(book, sheet: str, header: str) -> list:
    """The values under `header` in `sheet`."""
    first, *rows = list(book[sheet].iter_rows(values_only=True))
    index = list(first).index(header)
    return [row[index] for row in rows]


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def export(client, kind: str = "workbook"):
    """Start an export job (run at once in tests), open its page, and download what it made."""
    started = client.post(reverse("export:data-export-start"), {"kind": kind})
    assert started.status_code == 302, started.status_code
    page = client.get(started.url)
    assert page.status_code == 200
    job = page.context["job"]
    assert job.state == "done", job.message
    return client.get(reverse("jobs:job-download", args=[job.pk]))


def test_the_workbook_has_a_sheet_per_entity_with_this_companys_rows_only(acme, globex, member):
    owner = member("owner", acme)
    fill(acme, "ACME", owner, 2)
    fill(globex, "GLOBEX", member("owner", globex), 3)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)

    response = export(client)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="{acme.slug}-data-')
    book = workbook(response)
    assert book.sheetnames == SHEETS
    for name in SHEETS:
        header, *rows = list(book[name].iter_rows(values_only=True))
        assert len(rows) == 2, name
        text = " ".join(str(value) for row in rows for value in row)
        assert "GLOBEX" not in text, name
        assert "ACME" in text, name
    assert sorted(column(book, "Doctors", "Code")) == ["ACME-D0", "ACME-D1"]
    assert [Decimal(str(amount)) for amount in column(book, "Sales", "Amount")] == [Decimal("29.40")] * 2
    assert set(column(book, "Visits", "Products discussed")) == {"ACME-P0", "ACME-P1"}


def test_exporting_records_a_view_of_every_patient(acme, member):
    owner = member("owner", acme)
    fill(acme, "ACME", owner, 2)
    client = Client()
    client.force_login(owner)
    export(client)
    with use_tenant(acme):
        assert sorted(PatientAccessLog.objects.values_list("action", "user_id")) == [("export", owner.pk)] * 2


def test_the_export_page_counts_the_rows(acme, member):
    owner = member("owner", acme)
    fill(acme, "ACME", owner, 2)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    page = client.get(reverse("export:data-export"))
    assert page.context["counts"] == [(name, 2) for name in SHEETS]


def test_a_read_only_company_may_still_take_its_data(acme, member):
    owner = member("owner", acme)
    Subscription.objects.filter(company=acme).update(status=Subscription.Status.PAST_DUE)
    client = Client()
    client.force_login(owner)
    assert export(client).status_code == 200
    assert export(client, "bundle").status_code == 200


@pytest.mark.parametrize("role", ["manager", "representative", "viewer"])
def test_only_the_owner_may_export(acme, member, role):
    client = Client()
    client.force_login(member(role, acme))
    assert client.post(reverse("export:data-export-start"), {"kind": "workbook"}).status_code == 403


def test_the_bundle_is_made_from_settings_and_only_its_owner_may_fetch_it(acme, globex, member):
    owner = member("owner", acme)
    fill(acme, "ACME", owner, 2)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    response = export(client, "bundle")
    assert response["Content-Disposition"].startswith(f'attachment; filename="{acme.slug}-bundle-')
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert {"manifest.json", "README.txt", "tables/doctors_doctor.csv"} <= set(archive.namelist())
        assert "ACME-D0" in archive.read("tables/doctors_doctor.csv").decode()
    job = Job.objects.get(company=acme, kind="company_bundle")
    page = client.get(reverse("export:data-export"))
    assert reverse("jobs:job-detail", args=[job.pk]) in page.text
    # Another owner of the same company, an owner of another company: the job is not theirs.
    for other in (member("owner", acme), member("owner", globex)):
        stranger = Client()
        stranger.force_login(other)
        assert stranger.get(reverse("jobs:job-download", args=[job.pk])).status_code == 404
        assert stranger.get(reverse("jobs:job-detail", args=[job.pk])).status_code == 404


def test_the_job_page_polls_until_the_job_ends(acme, member):
    owner = member("owner", acme)
    job = Job.objects.create(kind="company_bundle", company=acme, user=owner, state="running", done=3, total=12)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    status = reverse("jobs:job-status", args=[job.pk])
    running = client.get(status)
    assert f'hx-get="{status}"' in running.text and 'hx-trigger="every 1s"' in running.text
    assert 'value="25"' in running.text
    Job.objects.filter(pk=job.pk).update(state="failed", message="Something to act on.")
    ended = client.get(status)
    assert "hx-get" not in ended.text and "Something to act on." in ended.text
