"""How patients are exported (only in the owner's full company export: patient lists have no export)."""

from django.utils.translation import gettext_lazy as _

from patients.models import Patient
from subscription.ui.exports import Column, ExportSpec

PATIENTS = ExportSpec(
    name="patients",
    title=_("Patients"),
    queryset=lambda: Patient.objects.select_related("doctor").order_by("pk"),
    columns=[
        Column(_("Number"), lambda p, n: p.pk),
        Column(_("Last name"), lambda p, n: p.last_name),
        Column(_("First name"), lambda p, n: p.first_name),
        Column(_("Patronymic"), lambda p, n: p.patronymic),
        Column(_("Birth date"), lambda p, n: p.birth_date),
        Column(_("Sex"), lambda p, n: p.get_sex_display()),
        Column(_("Phone"), lambda p, n: p.phone),
        Column(_("Attending doctor (code)"), lambda p, n: p.doctor.code if p.doctor_id else ""),
        Column(_("Notes"), lambda p, n: p.notes),
    ],
)
