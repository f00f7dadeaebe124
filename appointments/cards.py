"""The visits sections of a doctor's and a patient's page, and a visit's changes (registered in AppointmentsConfig.ready)."""

from django.db.models import QuerySet
from django.http import HttpRequest

from appointments.models import Appointment
from subscription.ui.cards import CardSection, add_card_section
from subscription.ui.history import history_section
from subscription.ui.permissions import is_representative


def _visible(request: HttpRequest, visits: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """A representative sees their own visits only."""
    if is_representative(request):
        visits = visits.filter(staff=request.user)
    return visits.prefetch_related("staff").order_by("-planned_start", "-pk")


def register() -> None:
    add_card_section("appointments.Appointment", history_section(permission="appointment_view"))
    add_card_section(
        "doctors.Doctor",
        CardSection(
            key="visits",
            order=10,
            permission="appointment_view",
            template="appointments/_card_doctor_visits.html",
            rows=lambda request, doctor: _visible(request, Appointment.objects.filter(doctor=doctor)),
        ),
    )
    add_card_section(
        "patients.Patient",
        CardSection(
            key="visits",
            order=10,
            permission="appointment_view",
            template="appointments/_card_patient_visits.html",
            rows=lambda request, patient: _visible(
                request, Appointment.objects.filter(patient=patient).select_related("doctor")
            ),
        ),
    )
