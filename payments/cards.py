"""The payments section of a doctor's page, and a payment's changes (registered in PaymentsConfig.ready)."""

from payments.models import Payment
from subscription.ui.cards import CardSection, add_card_section
from subscription.ui.history import history_section


def register() -> None:
    add_card_section("payments.Payment", history_section(permission="payment_view"))
    add_card_section(
        "doctors.Doctor",
        CardSection(
            key="payments",
            order=30,
            permission="payment_view",
            template="payments/_card_doctor_payments.html",
            rows=lambda request, doctor: Payment.objects.filter(doctor=doctor).order_by("-date", "-pk"),
        ),
    )
