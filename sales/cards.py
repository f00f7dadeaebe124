"""The sales section of a doctor's page, and a sale's changes (registered in SalesConfig.ready)."""

from django.http import HttpRequest

from sales.models import Sale
from subscription.ui.cards import CardSection, add_card_section
from subscription.ui.history import history_section
from subscription.ui.permissions import is_representative


def _doctor_sales(request: HttpRequest, doctor):
    sales = Sale.objects.filter(doctor=doctor).select_related("product").prefetch_related("representative")
    if is_representative(request):
        sales = sales.filter(representative=request.user)
    return sales.order_by("-date", "-pk")


def register() -> None:
    add_card_section("sales.Sale", history_section(permission="sale_view"))
    add_card_section(
        "doctors.Doctor",
        CardSection(
            key="sales", order=20, permission="sale_view", template="sales/_card_doctor_sales.html", rows=_doctor_sales
        ),
    )
