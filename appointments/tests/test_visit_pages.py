"""Visits as users see them: the list with filters, totals and exports, forms, the lock, upcoming days."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory
from appointments.tests.pages import csv_rows, table_rows, xlsx_rows
from doctors.tests.factories import DoctorFactory
from sales.tests.factories import ProductFactory
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db
LIST = reverse("appointments:appointment-list")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_it_lists_visits_in_the_same_number_of_queries_for_1_and_50_rows(acme, member, login, count_queries):
    client = login(member("manager", acme))
    with use_tenant(acme):
        products = ProductFactory.create_batch(2)
        AppointmentFactory(staff=member("representative", acme)).products.set(products)
    with count_queries() as one:
        assert client.get(LIST).status_code == 200
    with use_tenant(acme):
        for visit in AppointmentFactory.create_batch(49, staff=member("representative", acme)):
            visit.products.set(products)
    with count_queries() as fifty:
        response = client.get(LIST)
    assert response.context["page_obj"].paginator.count == 50
    assert fifty.count == one.count


def test_it_filters_visits_and_totals_them_by_status(acme, member, login):
    rep = member("representative", acme)
    today = timezone.localdate()
    with use_tenant(acme):
        doctor = DoctorFactory(last_name="Filtrov")
        AppointmentFactory.create_batch(3, doctor=doctor, staff=rep, status="done", planned_start=at(today))
        AppointmentFactory(doctor=doctor, staff=rep, status="missed", planned_start=at(today))
        AppointmentFactory(doctor=doctor, staff=rep, status="done", channel="phone", planned_start=at(today))
        AppointmentFactory(doctor=doctor, status="done", planned_start=at(today))  # another staff member
        AppointmentFactory(status="done", staff=rep, planned_start=at(today))  # another doctor
        AppointmentFactory(
            doctor=doctor, staff=rep, status="done", planned_start=at(today - datetime.timedelta(days=40))
        )
    query = {
        "staff": rep.pk,
        "doctor": doctor.pk,
        "channel": "in_person",
        "date_from": (today - datetime.timedelta(days=7)).isoformat(),
        "date_to": today.isoformat(),
    }
    response = login(member("manager", acme)).get(LIST, query)
    totals = {value: count for value, _label, count in response.context["status_totals"]}
    assert totals == {"planned": 0, "done": 3, "cancelled": 0, "missed": 1}
    assert 'id="total-done">3<' in response.text
    assert 'id="total-all">4<' in response.text
    only_done = login(member("manager", acme)).get(LIST, {**query, "status": "done"})
    assert table_rows(only_done).count("<tr>") == 3


def test_it_exports_exactly_the_filtered_visits_of_this_company(acme, globex, member, login):
    with use_tenant(acme):
        done = AppointmentFactory.create_batch(2, status="done", doctor=DoctorFactory(code="ACME-DONE"))
        AppointmentFactory(status="planned", doctor=DoctorFactory(code="ACME-PLANNED"))
    with use_tenant(globex):
        AppointmentFactory.create_batch(3, status="done", doctor=DoctorFactory(code="GLOBEX-DONE"))
    client = login(member("manager", acme))
    rows = csv_rows(client.get(LIST, {"status": "done", "export": "csv"}))
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(visit.pk for visit in done)
    assert {row[3] for row in rows[1:]} == {"ACME-DONE"}
    sheet = xlsx_rows(client.get(LIST, {"status": "done", "export": "xlsx"}))
    assert len(sheet) == 3
    assert {row[3] for row in sheet[1:]} == {"ACME-DONE"}


def test_it_refuses_exports_to_roles_without_the_export_right(acme, member, login):
    for role in ("representative", "viewer"):
        assert login(member(role, acme)).get(LIST, {"export": "csv"}).status_code == 403


def test_it_saves_a_visit_with_the_products_discussed(acme, member, login):
    manager, rep = member("manager", acme), member("representative", acme)
    with use_tenant(acme):
        doctor, product = DoctorFactory(), ProductFactory(name="Neyrovit")
    response = login(manager).post(
        reverse("appointments:appointment-create"),
        {
            "doctor": doctor.pk,
            "staff": rep.pk,
            "planned_start": "2030-05-06T10:30",
            "duration_minutes": 45,
            "channel": "video",
            "status": "planned",
            "products": [product.pk],
            "next_step": "Nümunə gətirmək",
            "next_step_date": "2030-05-20",
        },
    )
    with use_tenant(acme):
        visit = Appointment.objects.get()
        assert list(visit.products.all()) == [product]
    assert response.url == reverse("appointments:appointment-detail", args=[visit.pk])
    assert (visit.staff, visit.channel, visit.duration_minutes, visit.created_by) == (rep, "video", 45, manager)
    detail = login(manager).get(response.url)
    assert "Neyrovit" in detail.text
    assert "Nümunə gətirmək" in detail.text


def test_it_shows_bad_input_next_to_the_field_and_saves_nothing(acme, member, login):
    with use_tenant(acme):
        doctor = DoctorFactory()
    response = login(member("manager", acme)).post(
        reverse("appointments:appointment-create"),
        {
            "doctor": doctor.pk,
            "planned_start": "2030-05-06T10:30",
            "duration_minutes": 2,
            "channel": "in_person",
            "status": "planned",
            "next_step_date": "2030-05-01",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"duration_minutes", "next_step_date"} <= set(form.errors)
    assert "The next step cannot be before the visit." in response.text
    assert "is-invalid" in response.text
    with use_tenant(acme):
        assert not Appointment.objects.exists()


def test_it_locks_a_done_visit_until_a_manager_reopens_it(acme, member, login):
    rep, manager = member("representative", acme), member("manager", acme)
    with use_tenant(acme):
        visit = AppointmentFactory(staff=rep, status="done", outcome="Təqdimat edildi")
    edit = reverse("appointments:appointment-update", args=[visit.pk])
    refused = login(rep).get(edit)
    assert refused.status_code == 403
    assert "This visit is done, so it is locked against changes." in refused.text
    assert "Ask a manager to reopen it" in refused.text
    posted = login(rep).post(edit, {"outcome": "Dəyişdirildi", "status": "planned"})
    assert posted.status_code == 403
    assert login(manager).post(edit, {"outcome": "Dəyişdirildi"}).status_code == 403
    with use_tenant(acme):
        visit.refresh_from_db()
    assert (visit.status, visit.outcome) == ("done", "Təqdimat edildi")

    assert "Reopen for edits" in login(manager).get(edit).text
    login(manager).post(reverse("appointments:appointment-reopen", args=[visit.pk]))
    assert login(rep).get(edit).status_code == 200
    with use_tenant(acme):
        visit.refresh_from_db()
    assert (visit.status, visit.updated_by) == ("planned", manager)


def test_it_refuses_to_reopen_a_visit_that_is_not_done(acme, member, login):
    with use_tenant(acme):
        visit = AppointmentFactory(status="planned")
    response = login(member("manager", acme)).post(reverse("appointments:appointment-reopen", args=[visit.pk]))
    assert response.status_code == 409
    assert "Only a done visit can be reopened." in response.text


def test_it_cancels_a_planned_visit_and_lets_only_managers_delete_one_for_good(acme, member, login):
    rep, manager = member("representative", acme), member("manager", acme)
    with use_tenant(acme):
        visit, other = AppointmentFactory(staff=rep), AppointmentFactory(staff=rep)
    delete = reverse("appointments:appointment-delete", args=[visit.pk])
    assert "Delete for good" not in login(rep).get(delete).text
    assert login(rep).post(delete, {"action": "delete"}).status_code == 403
    assert login(rep).post(delete, {"action": "cancel"}).status_code == 302
    again = login(rep).post(delete, {"action": "cancel"})
    assert again.status_code == 400
    assert "Only a planned visit can be cancelled" in again.text
    assert login(manager).post(delete, {"action": "delete"}).status_code == 302
    with use_tenant(acme):
        assert list(Appointment.objects.values_list("pk", "status")) == [(other.pk, "planned")]


def test_it_never_deletes_a_done_visit(acme, member, login):
    with use_tenant(acme):
        visit = AppointmentFactory(status="done")
    response = login(member("owner", acme)).post(
        reverse("appointments:appointment-delete", args=[visit.pk]), {"action": "delete"}
    )
    assert response.status_code == 403
    with use_tenant(acme):
        assert Appointment.objects.filter(pk=visit.pk, status="done").exists()


def test_it_shows_upcoming_visits_by_day_and_by_week_with_previous_and_next(acme, member, login):
    rep = member("representative", acme)
    monday = datetime.date(2030, 5, 6)
    with use_tenant(acme):
        AppointmentFactory(staff=rep, planned_start=at(monday, 9), doctor=DoctorFactory(last_name="Bazarertəsiov"))
        AppointmentFactory(
            staff=rep,
            planned_start=at(monday + datetime.timedelta(days=3)),
            doctor=DoctorFactory(last_name="Cüməaxşamov"),
        )
        AppointmentFactory(
            staff=rep,
            planned_start=at(monday + datetime.timedelta(days=7)),
            doctor=DoctorFactory(last_name="Gələnhəftəov"),
        )
    upcoming = reverse("appointments:appointment-upcoming")
    client = login(rep)
    week = client.get(upcoming, {"view": "week", "date": "2030-05-08"})
    assert "Bazarertəsiov" in week.text
    assert "Cüməaxşamov" in week.text
    assert "Gələnhəftəov" not in week.text
    assert "date=2030-04-29" in week.text
    assert "date=2030-05-13" in week.text
    day = client.get(upcoming, {"view": "day", "date": "2030-05-09"})
    assert "Cüməaxşamov" in day.text
    assert "Bazarertəsiov" not in day.text
    assert "date=2030-05-08" in day.text
    assert "date=2030-05-10" in day.text
    assert "Gələnhəftəov" in client.get(upcoming, {"view": "week", "date": "2030-05-13"}).text


def test_it_shows_a_wrong_upcoming_date_as_a_form_error(acme, member, login):
    response = login(member("viewer", acme)).get(
        reverse("appointments:appointment-upcoming"), {"view": "day", "date": "2030-02-31"}
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.text


def test_it_answers_dates_at_the_end_of_the_calendar_with_a_message_not_an_error(acme, member, login):
    client = login(member("manager", acme))
    upcoming = client.get(reverse("appointments:appointment-upcoming"), {"view": "week", "date": "9999-12-31"})
    assert upcoming.status_code == 200
    assert "Choose a date between the years 1900 and 2999." in upcoming.text
    assert client.get(LIST, {"date_to": "9999-12-31", "date_from": "0001-01-01"}).status_code == 200
    assert client.get(reverse("sales:sale-list"), {"date_to": "9999-12-31"}).status_code == 200
    assert client.get(reverse("payments:payment-list"), {"date_to": "9999-12-31"}).status_code == 200


def test_it_sorts_visits_by_doctor_in_azerbaijani_order(acme, member, login):
    with use_tenant(acme):
        for name in ("Zeynalov", "Çələbi", "Cəfərov", "İsmayılov", "Ismayılzadə"):
            AppointmentFactory(doctor=DoctorFactory(last_name=name))
    rows = table_rows(login(member("viewer", acme)).get(LIST, {"sort": "doctor"}))
    found = [name for name in ("Cəfərov", "Çələbi", "Ismayılzadə", "İsmayılov", "Zeynalov") if name in rows]
    assert sorted(found, key=rows.index) == ["Cəfərov", "Çələbi", "Ismayılzadə", "İsmayılov", "Zeynalov"]
