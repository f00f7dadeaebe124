"""What the backup and bundle tests share: companies with a bit of every kind of data, and their contents."""

import datetime
import io
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory, CallDetailFactory
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from patients.tests.factories import PatientFactory
from payments.tests.factories import PaymentFactory
from sales.models import Sale
from sales.tests.factories import ProductFactory, SaleFactory
from subscription.models import Company
from subscription.storage.tables import fingerprint
from subscription.tenancy import close_tenant_connections, current_alias, use_tenant


def fill(company: Company, tag: str, *, staff, doctors: int = 3) -> None:
    """Doctors, patients, visits with products discussed, sales and payments, with awkward values."""
    with use_tenant(company):
        product = ProductFactory(name=f"Kardiomaks {tag} — ə ö ü ğ ı ş ç", price=Decimal("12.50"))
        for number in range(doctors):
            doctor = DoctorFactory(last_name=f"{tag}ov{number}", notes='line one\nline two, "quoted"\\N')
            visit = AppointmentFactory(doctor=doctor, staff=staff)
            visit.products.add(product)
            CallDetailFactory(appointment=visit, product=product)
            SaleFactory(product=product, doctor=doctor, quantity=number + 1)
        PatientFactory(last_name=f"{tag}ova", birth_date=datetime.date(1980, 2, 29))
        PaymentFactory(amount=Decimal("1234.56"), date=timezone.localdate())
    close_tenant_connections()


def contents(company: Company) -> dict:
    """Each table's row count and content checksum in the company's live database."""
    with use_tenant(company):
        found = fingerprint(current_alias())
    close_tenant_connections()
    return found


def doctor_names(company: Company) -> list[str]:
    with use_tenant(company):
        names = list(Doctor.objects.order_by("last_name").values_list("last_name", flat=True))
    close_tenant_connections()
    return names


def delete_doctors(company: Company) -> None:
    """Delete every doctor (with the visits and sales that point to them)."""
    with use_tenant(company):
        Appointment.objects.all().delete()
        Sale.objects.all().delete()
        Doctor.objects.all().delete()
    close_tenant_connections()


def run(name: str, *args) -> str:
    """A command's output (it raises CommandError when it fails)."""
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()
