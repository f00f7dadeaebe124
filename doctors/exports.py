"""How doctors are exported: the list page's export and the company's full export both use this."""

from django.utils.translation import gettext_lazy as _

from doctors.models import Doctor
from regions.models import City, Clinic, Region, Specialization
from subscription.ui.exports import Column, ExportSpec, ids_of, names_by_id, user_names, yes_no


def _names(doctors) -> dict:
    return {
        "specialization": names_by_id(Specialization, ids_of(doctors, "specialization", "second_specialization")),
        "region": names_by_id(Region, ids_of(doctors, "region")),
        "city": names_by_id(City, ids_of(doctors, "city")),
        "clinic": names_by_id(Clinic, ids_of(doctors, "clinic")),
        "user": user_names(ids_of(doctors, "representative")),
    }


DOCTORS = ExportSpec(
    name="doctors",
    title=_("Doctors"),
    queryset=lambda: Doctor.objects.order_by("code"),
    names=_names,
    columns=[
        Column(_("Code"), lambda d, n: d.code),
        Column(_("Last name"), lambda d, n: d.last_name),
        Column(_("First name"), lambda d, n: d.first_name),
        Column(_("Patronymic"), lambda d, n: d.patronymic),
        Column(_("Specialization"), lambda d, n: n["specialization"].get(d.specialization_id)),
        Column(_("Second specialization"), lambda d, n: n["specialization"].get(d.second_specialization_id)),
        Column(_("Category"), lambda d, n: d.category),
        Column(_("Region"), lambda d, n: n["region"].get(d.region_id)),
        Column(_("City or district"), lambda d, n: n["city"].get(d.city_id)),
        Column(_("Clinic"), lambda d, n: n["clinic"].get(d.clinic_id)),
        Column(_("Position or department"), lambda d, n: d.position),
        Column(_("Mobile phone"), lambda d, n: d.mobile_phone),
        Column(_("Work phone"), lambda d, n: d.work_phone),
        Column(_("E-mail"), lambda d, n: d.email),
        Column(_("Best days or hours to visit"), lambda d, n: d.visit_hours),
        Column(_("Representative"), lambda d, n: n["user"].get(d.representative_id)),
        Column(_("Key opinion leader"), lambda d, n: yes_no(d.is_kol)),
        Column(_("Active"), lambda d, n: yes_no(d.is_active)),
        Column(_("Notes"), lambda d, n: d.notes),
    ],
)
