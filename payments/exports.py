"""How payments are exported: the list page's export and the company's full export both use this."""

from django.utils.translation import gettext_lazy as _

from payments.models import Payment
from regions.models import Clinic
from subscription.ui.exports import Column, ExportSpec, ids_of, names_by_id, user_names


def _names(payments) -> dict:
    return {
        "clinic": names_by_id(Clinic, ids_of(payments, "clinic")),
        "user": user_names(ids_of(payments, "approved_by")),
    }


def _counterparty(payment: Payment, names: dict) -> str:
    if payment.doctor_id:
        return payment.doctor.full_name
    if payment.clinic_id:
        return names["clinic"].get(payment.clinic_id, "")
    return payment.counterparty


PAYMENTS = ExportSpec(
    name="payments",
    title=_("Payments"),
    queryset=lambda: Payment.objects.select_related("doctor", "product").order_by("date", "pk"),
    names=_names,
    columns=[
        Column(_("Number"), lambda p, n: p.pk),
        Column(_("Date"), lambda p, n: p.date),
        Column(_("Direction"), lambda p, n: p.get_direction_display()),
        Column(_("Type"), lambda p, n: p.get_kind_display()),
        Column(_("Status"), lambda p, n: p.get_status_display()),
        Column(_("Amount"), lambda p, n: p.amount),
        Column(_("Currency"), lambda p, n: p.currency),
        Column(_("Method"), lambda p, n: p.get_method_display()),
        Column(_("Counterparty"), _counterparty),
        Column(_("Doctor code"), lambda p, n: p.doctor.code if p.doctor_id else ""),
        Column(_("Product"), lambda p, n: str(p.product or "")),
        Column(_("Sale number"), lambda p, n: p.sale_id),
        Column(_("Visit number"), lambda p, n: p.appointment_id),
        Column(_("Reference"), lambda p, n: p.reference),
        Column(_("Approved by"), lambda p, n: n["user"].get(p.approved_by_id)),
        Column(_("Approved"), lambda p, n: p.approved_at),
        Column(_("Notes"), lambda p, n: p.notes),
    ],
)
