"""The call report: reported once the visit has begun, with products, responses and samples; editable
by its author for a day; reachable from the visit, the doctor's page and today's list; usable on a phone."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.call_services import SampleGiven, call_report_submit
from appointments.models import Appointment, CallDetail, CallSample
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory
from sales.models import SampleStock
from sales.tests.factories import PharmacyFactory, ProductFactory, SampleStockFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


def started(hours=1):
    return timezone.now() - datetime.timedelta(hours=hours)


def report_data(*, outcome="Təqdimat edildi", products=(), samples=(), **extra):
    """POST data of the call report form: product rows (product, message, response) and sample rows (stock, qty)."""
    data = {"outcome": outcome, "p-TOTAL_FORMS": 3, "p-INITIAL_FORMS": 3, "s-TOTAL_FORMS": 2, "s-INITIAL_FORMS": 2}
    for index, (product, message, response) in enumerate(products):
        data.update(
            {f"p-{index}-product": product.pk, f"p-{index}-key_message": message, f"p-{index}-response": response}
        )
    for index, (stock, quantity) in enumerate(samples):
        data.update({f"s-{index}-stock": stock.pk, f"s-{index}-quantity": quantity})
    return {**data, **extra}


def test_a_future_visit_cannot_be_completed(acme, member, login):
    rep = member("representative", acme)
    with use_tenant(acme):
        visit = AppointmentFactory(staff=rep, planned_start=timezone.now() + datetime.timedelta(days=3))
    url = reverse("appointments:call-report", args=[visit.pk])
    client = login(rep)
    refused = client.get(url)
    assert refused.status_code == 409
    assert "cannot be completed before it starts" in refused.text
    assert client.post(url, report_data()).status_code == 409
    with use_tenant(acme):
        visit.refresh_from_db()
        assert visit.status == "planned"
    # Nor through the visit's own form: "done" is not a status it offers.
    edit = client.get(reverse("appointments:appointment-update", args=[visit.pk]))
    assert 'value="done"' not in edit.text


def test_reporting_a_call_records_products_samples_and_takes_the_stock(acme, member, login):
    rep = member("representative", acme)
    with use_tenant(acme):
        visit = AppointmentFactory(staff=rep, planned_start=started())
        product = ProductFactory(name="Kardiomaks")
        stock = SampleStockFactory(representative=rep, product=product, quantity=10)
    response = login(rep).post(
        reverse("appointments:call-report", args=[visit.pk]),
        report_data(
            products=[(product, "Gündə bir dəfə", "will_prescribe")],
            samples=[(stock, 3)],
            next_step="Nəticələri soruşmaq",
            next_step_date=(timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
            follow_up="on",
        ),
    )
    assert response.status_code == 302
    with use_tenant(acme):
        visit.refresh_from_db()
        assert (visit.status, visit.reported_by_id) == ("done", rep.pk)
        assert list(CallDetail.objects.values_list("product_id", "key_message", "response")) == [
            (product.pk, "Gündə bir dəfə", "will_prescribe")
        ]
        assert list(visit.products.all()) == [product]
        assert SampleStock.objects.get(pk=stock.pk).quantity == 7
        follow_up = Appointment.objects.get(pk=visit.follow_up_id)
        assert (follow_up.status, follow_up.doctor_id, follow_up.staff_id) == ("planned", visit.doctor_id, rep.pk)
        assert follow_up.planned_start.date() == visit.next_step_date
    page = login(rep).get(reverse("appointments:appointment-detail", args=[visit.pk])).text
    assert "Gündə bir dəfə" in page and "Will prescribe" in page


def test_asking_for_more_samples_than_are_left_saves_nothing(acme, member, login):
    rep = member("representative", acme)
    with use_tenant(acme):
        visit = AppointmentFactory(staff=rep, planned_start=started())
        stock = SampleStockFactory(representative=rep, quantity=2)
    response = login(rep).post(reverse("appointments:call-report", args=[visit.pk]), report_data(samples=[(stock, 5)]))
    assert response.status_code == 400
    assert "Only 2 samples" in response.text
    with use_tenant(acme):
        visit.refresh_from_db()
        assert visit.status == "planned"
        assert SampleStock.objects.get(pk=stock.pk).quantity == 2
        assert not CallSample.objects.exists()


def test_the_outcome_is_required(acme, member, login):
    rep = member("representative", acme)
    with use_tenant(acme):
        visit = AppointmentFactory(staff=rep, planned_start=started())
    response = login(rep).post(reverse("appointments:call-report", args=[visit.pk]), report_data(outcome=""))
    assert response.status_code == 400
    assert "outcome" in response.context["form"].errors


def test_only_the_author_corrects_a_report_and_only_for_a_day(acme, member, login):
    rep, manager = member("representative", acme), member("manager", acme)
    with use_tenant(acme):
        visit = AppointmentFactory(staff=rep, planned_start=started(30))
        stock = SampleStockFactory(representative=rep, quantity=10)
        call_report_submit(appointment=visit, by=rep, outcome="Birinci", samples=[SampleGiven(stock, 4)])
    url = reverse("appointments:call-report", args=[visit.pk])
    corrected = login(rep).post(url, report_data(outcome="Düzəldildi", samples=[(stock, 1)]))
    assert corrected.status_code == 302
    with use_tenant(acme):
        assert SampleStock.objects.get(pk=stock.pk).quantity == 9  # the first 4 went back, 1 went out
    assert login(manager).post(url, report_data(outcome="Menecer")).status_code == 403
    with use_tenant(acme):
        Appointment.objects.filter(pk=visit.pk).update(reported_at=timezone.now() - datetime.timedelta(hours=25))
    locked = login(rep).post(url, report_data(outcome="Gec"))
    assert locked.status_code == 403
    with use_tenant(acme):
        visit.refresh_from_db()
        assert visit.outcome == "Düzəldildi"
    # A manager reopens it, as for any done visit, and the representative reports it again.
    assert login(manager).post(reverse("appointments:appointment-reopen", args=[visit.pk])).status_code == 302
    assert login(rep).post(url, report_data(outcome="Yenidən")).status_code == 302
    with use_tenant(acme):
        visit.refresh_from_db()
        assert (visit.status, visit.outcome) == ("done", "Yenidən")
        assert SampleStock.objects.get(pk=stock.pk).quantity == 10


def test_a_representative_cannot_report_another_representatives_visit(acme, globex, member, login):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        theirs = AppointmentFactory(staff=colleague, planned_start=started())
    url = reverse("appointments:call-report", args=[theirs.pk])
    assert login(rep).post(url, report_data()).status_code == 404
    assert login(member("manager", globex)).post(url, report_data()).status_code == 404
    assert login(member("viewer", acme)).get(url).status_code == 403
    with use_tenant(acme):
        theirs.refresh_from_db()
        assert theirs.status == "planned"


def test_report_call_from_the_doctor_card_and_from_todays_list(acme, member, login):
    rep = member("representative", acme)
    with use_tenant(acme):
        doctor = DoctorFactory(last_name="Kartov")
        today_visit = AppointmentFactory(staff=rep, doctor=DoctorFactory(last_name="Bugünov"), planned_start=started())
    client = login(rep)
    card = client.get(doctor.get_absolute_url()).text
    new_call = reverse("appointments:call-report-new") + f"?doctor={doctor.pk}"
    assert new_call in card
    assert client.get(new_call).status_code == 200
    saved = client.post(
        new_call,
        report_data(
            kind="doctor", doctor=doctor.pk, planned_start=started().strftime("%Y-%m-%dT%H:%M"), channel="phone"
        ),
    )
    assert saved.status_code == 302
    with use_tenant(acme):
        reported = Appointment.objects.get(doctor=doctor)
        assert (reported.status, reported.staff_id, reported.channel) == ("done", rep.pk, "phone")
    today = client.get(reverse("appointments:today")).text
    assert "Bugünov" in today
    assert reverse("appointments:call-report", args=[today_visit.pk]) in today
    # From the doctor card, a visit planned today that has begun is the one reported.
    redirect = client.get(reverse("appointments:call-report-new"), {"doctor": today_visit.doctor_id})
    assert redirect.status_code == 302
    assert redirect.url == reverse("appointments:call-report", args=[today_visit.pk])


def test_a_pharmacy_visit_is_a_visit_kind(acme, member, login):
    rep = member("representative", acme)
    with use_tenant(acme):
        pharmacy = PharmacyFactory(name="Ziko aptek")
    client = login(rep)
    url = reverse("appointments:call-report-new") + f"?pharmacy={pharmacy.pk}"
    saved = client.post(
        url,
        report_data(
            kind="pharmacy",
            pharmacy=pharmacy.pk,
            planned_start=started().strftime("%Y-%m-%dT%H:%M"),
            channel="in_person",
        ),
    )
    assert saved.status_code == 302
    with use_tenant(acme):
        visit = Appointment.objects.get()
        assert (visit.kind, visit.pharmacy_id, visit.doctor_id) == ("pharmacy", pharmacy.pk, None)
    assert "Ziko aptek" in client.get(reverse("appointments:appointment-list")).text


def test_the_call_report_form_is_made_for_a_phone(acme, member, login):
    rep = member("representative", acme)
    with use_tenant(acme):
        visit = AppointmentFactory(staff=rep, planned_start=started())
        SampleStockFactory(representative=rep)
    page = login(rep).get(reverse("appointments:call-report", args=[visit.pk])).text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    form = page[
        page.index('<form method="post" id="call-report"') : page.index("</form>", page.index('id="call-report"'))
    ]
    assert "<table" not in form  # no table to scroll sideways
    assert re.search(r'class="col-12 col-md-10', page)  # full width on a phone
    widths = re.findall(r'<div class="(col-[^"]*)">\s*<label', form)
    assert widths and all(width.split()[0] in {"col-12", "col-8", "col-4"} for width in widths)
    assert not re.search(r"width:\s*\d{3,}px", form)  # nothing wider than a phone
    controls = re.findall(r"<(?:input|select|textarea)[^>]*>", form)
    visible = [c for c in controls if 'type="hidden"' not in c and 'type="checkbox"' not in c]
    assert visible and all("form-control" in c or "form-select" in c for c in visible)
    assert 'class="btn btn-success btn-lg w-100"' in form
    assert 'inputmode="numeric"' in form
