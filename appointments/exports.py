"""How visits are exported: the list page's export and the company's full export both use this."""

from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from subscription.ui.exports import Column, ExportSpec, ids_of, user_names

VISITS = ExportSpec(
    name="visits",
    title=_("Visits"),
    queryset=lambda: (
        Appointment.objects.select_related("doctor", "patient", "pharmacy")
        .prefetch_related("products")
        .order_by("planned_start", "pk")
    ),
    names=lambda visits: {"user": user_names(ids_of(visits, "staff"))},
    columns=[
        Column(_("Number"), lambda v, n: v.pk),
        Column(_("Planned start"), lambda v, n: v.planned_start),
        Column(_("Duration (minutes)"), lambda v, n: v.duration_minutes),
        Column(_("Doctor code"), lambda v, n: v.doctor.code if v.doctor_id else ""),
        Column(_("Doctor"), lambda v, n: v.doctor.full_name if v.doctor_id else ""),
        Column(_("Patient"), lambda v, n: str(v.patient or "")),
        Column(_("Staff member"), lambda v, n: n["user"].get(v.staff_id)),
        Column(_("Channel"), lambda v, n: v.get_channel_display()),
        Column(_("Status"), lambda v, n: v.get_status_display()),
        Column(_("Products discussed"), lambda v, n: ", ".join(product.code for product in v.products.all())),
        Column(_("Outcome"), lambda v, n: v.outcome),
        Column(_("Next step"), lambda v, n: v.next_step),
        Column(_("Next step date"), lambda v, n: v.next_step_date),
        Column(_("Kind"), lambda v, n: v.get_kind_display()),
        Column(_("Pharmacy"), lambda v, n: str(v.pharmacy) if v.pharmacy_id else ""),
        Column(_("Reported"), lambda v, n: v.reported_at),
    ],
)
