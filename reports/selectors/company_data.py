"""The whole company's data as one workbook: a sheet per entity (the owner's data export)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from appointments.models import Appointment
from doctors.models import Doctor
from patients.models import Patient
from payments.models import Payment
from regions.models import City, Clinic, Region, Specialization
from sales.models import Product, Sale

CHUNK = 2000


@dataclass
class Sheet:
    name: str
    columns: list[str]
    rows: Iterable[list]


def _names(model, ids: Iterable[int | None]) -> dict[int | None, str]:
    """Names of master rows by id (one query): tenant rows hold their ids only."""
    wanted = {pk for pk in ids if pk is not None}
    names = {pk: str(row) for pk, row in model.objects.in_bulk(wanted).items()} if wanted else {}
    names[None] = ""
    return names


def _usernames(ids: Iterable[int | None]) -> dict[int | None, str]:
    wanted = {pk for pk in ids if pk is not None}
    users = get_user_model().objects.filter(pk__in=wanted).values_list("pk", "username") if wanted else []
    names: dict[int | None, str] = dict(users)
    names[None] = ""
    return names


def _ids(queryset, *fields: str) -> set:
    """Distinct values of id columns, so that master names are fetched once for the whole sheet."""
    return {value for row in queryset.values_list(*fields).distinct().order_by() for value in row}


def doctors_sheet() -> Sheet:
    doctors = Doctor.objects.order_by("code")
    specializations = _names(Specialization, _ids(doctors, "specialization", "second_specialization"))
    regions = _names(Region, _ids(doctors, "region"))
    cities = _names(City, _ids(doctors, "city"))
    clinics = _names(Clinic, _ids(doctors, "clinic"))
    users = _usernames(_ids(doctors, "representative"))
    rows = (
        [
            d.code,
            d.last_name,
            d.first_name,
            d.patronymic,
            specializations.get(d.specialization_id, ""),
            specializations.get(d.second_specialization_id, ""),
            d.category,
            regions.get(d.region_id, ""),
            cities.get(d.city_id, ""),
            clinics.get(d.clinic_id, ""),
            d.position,
            d.mobile_phone,
            d.work_phone,
            d.email,
            d.visit_hours,
            users.get(d.representative_id, ""),
            d.is_kol,
            d.is_active,
            d.notes,
        ]
        for d in doctors.iterator(chunk_size=CHUNK)
    )
    columns = [
        _("Code"),
        _("Last name"),
        _("First name"),
        _("Patronymic"),
        _("Specialization"),
        _("Second specialization"),
        _("Category"),
        _("Region"),
        _("City or district"),
        _("Clinic"),
        _("Position or department"),
        _("Mobile phone"),
        _("Work phone"),
        _("E-mail"),
        _("Best days or hours to visit"),
        _("Representative"),
        _("Key opinion leader"),
        _("Active"),
        _("Notes"),
    ]
    return Sheet(_("Doctors"), columns, rows)


def patients_sheet() -> Sheet:
    patients = Patient.objects.select_related("doctor").order_by("pk")
    rows = (
        [
            p.pk,
            p.last_name,
            p.first_name,
            p.patronymic,
            p.birth_date,
            p.get_sex_display(),
            p.phone,
            p.doctor.code if p.doctor_id else "",
            p.notes,
        ]
        for p in patients.iterator(chunk_size=CHUNK)
    )
    columns = [
        _("ID"),
        _("Last name"),
        _("First name"),
        _("Patronymic"),
        _("Birth date"),
        _("Sex"),
        _("Phone"),
        _("Attending doctor (code)"),
        _("Notes"),
    ]
    return Sheet(_("Patients"), columns, rows)


def visits_sheet() -> Sheet:
    visits = Appointment.objects.select_related("doctor").prefetch_related("products").order_by("planned_start", "pk")
    users = _usernames(_ids(visits, "staff"))
    rows = (
        [
            v.pk,
            v.planned_start,
            v.duration_minutes,
            v.doctor.code,
            v.doctor.full_name,
            v.patient_id,
            users.get(v.staff_id, ""),
            v.get_channel_display(),
            v.get_status_display(),
            ", ".join(product.code for product in v.products.all()),
            v.outcome,
            v.next_step,
            v.next_step_date,
        ]
        for v in visits.iterator(chunk_size=CHUNK)
    )
    columns = [
        _("ID"),
        _("Planned start"),
        _("Duration (minutes)"),
        _("Doctor code"),
        _("Doctor"),
        _("Patient ID"),
        _("Staff member"),
        _("Channel"),
        _("Status"),
        _("Products discussed"),
        _("Outcome"),
        _("Next step"),
        _("Next step date"),
    ]
    return Sheet(_("Visits"), columns, rows)


def products_sheet() -> Sheet:
    rows = (
        [p.code, p.name, p.form, p.strength, p.pack, p.price, p.is_active]
        for p in Product.objects.order_by("code").iterator(chunk_size=CHUNK)
    )
    columns = [_("Code"), _("Name"), _("Form"), _("Strength"), _("Pack"), _("Price (AZN)"), _("Active")]
    return Sheet(_("Products"), columns, rows)


def sales_sheet() -> Sheet:
    sales = Sale.objects.select_related("product", "doctor").order_by("date", "pk")
    regions = _names(Region, _ids(sales, "region"))
    cities = _names(City, _ids(sales, "city"))
    users = _usernames(_ids(sales, "representative"))
    rows = (
        [
            s.pk,
            s.date,
            s.product.code,
            s.quantity,
            s.unit_price,
            s.amount,
            s.currency,
            s.get_source_display(),
            s.distributor,
            s.pharmacy,
            regions.get(s.region_id, ""),
            cities.get(s.city_id, ""),
            users.get(s.representative_id, ""),
            s.doctor.code if s.doctor_id else "",
            s.invoice_number,
        ]
        for s in sales.iterator(chunk_size=CHUNK)
    )
    columns = [
        _("ID"),
        _("Date"),
        _("Product code"),
        _("Quantity"),
        _("Unit price"),
        _("Amount"),
        _("Currency"),
        _("Source"),
        _("Distributor"),
        _("Pharmacy"),
        _("Region"),
        _("City or district"),
        _("Representative"),
        _("Doctor code"),
        _("Invoice number"),
    ]
    return Sheet(_("Sales"), columns, rows)


def payments_sheet() -> Sheet:
    payments = Payment.objects.select_related("doctor").order_by("date", "pk")
    clinics = _names(Clinic, _ids(payments, "clinic"))
    users = _usernames(_ids(payments, "approved_by"))
    rows = (
        [
            p.pk,
            p.date,
            p.get_direction_display(),
            p.get_kind_display(),
            p.amount,
            p.currency,
            p.get_method_display(),
            p.get_status_display(),
            p.doctor.code if p.doctor_id else "",
            p.doctor.full_name if p.doctor_id else "",
            clinics.get(p.clinic_id, ""),
            p.counterparty,
            p.reference,
            p.notes,
            users.get(p.approved_by_id, ""),
            p.approved_at,
        ]
        for p in payments.iterator(chunk_size=CHUNK)
    )
    columns = [
        _("ID"),
        _("Date"),
        _("Direction"),
        _("Type"),
        _("Amount"),
        _("Currency"),
        _("Method"),
        _("Status"),
        _("Doctor code"),
        _("Doctor"),
        _("Clinic"),
        _("Other counterparty"),
        _("Reference"),
        _("Notes"),
        _("Approved by"),
        _("Approved"),
    ]
    return Sheet(_("Payments"), columns, rows)


def company_sheets() -> list[Sheet]:
    """Every entity of the selected company, in the order a reader expects."""
    return [doctors_sheet(), patients_sheet(), visits_sheet(), products_sheet(), sales_sheet(), payments_sheet()]


def company_row_counts() -> list[tuple[str, int]]:
    """How many rows each sheet of the export will have."""
    return [
        (_("Doctors"), Doctor.objects.count()),
        (_("Patients"), Patient.objects.count()),
        (_("Visits"), Appointment.objects.count()),
        (_("Products"), Product.objects.count()),
        (_("Sales"), Sale.objects.count()),
        (_("Payments"), Payment.objects.count()),
    ]


def _xlsx_value(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, Decimal, datetime.date)):
        return value
    return str(value)


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX workbook with one sheet per `Sheet`."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        target = workbook.create_sheet(title=str(sheet.name)[:31])
        target.append([str(column) for column in sheet.columns])
        for row in sheet.rows:
            target.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def company_workbook() -> bytes:
    """The selected company's data as an XLSX workbook."""
    return workbook_bytes(company_sheets())
