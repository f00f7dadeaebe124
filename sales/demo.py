"""Demo pharmacies, sample stock and an imported distributor's file (called by seed_demo)."""

from __future__ import annotations

import datetime
import hashlib

from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from doctors.models import Doctor
from sales.import_services import sale_import
from sales.models import ImportBatch, Pharmacy, Product, Sale, SampleStock
from sales.sample_services import sample_issue
from sales.services import pharmacy_create
from subscription.models import Company

PHARMACIES = [
    ("Zəfəran aptek", "Zəfəran", "Elnur Qasımov"),
    ("Ziko aptek", "Ziko", "Aygün Həsənova"),
    ("Buta aptek", "Buta", "Rəşad Əliyev"),
    ("Sağlam ailə", "", "Nərgiz Babayeva"),
]


def seed_pharmacies(*, company: Company, by: AbstractUser) -> list[Pharmacy]:
    """Pharmacies in the doctors' busiest city; sales naming them are linked. Does nothing if there are some."""
    if Pharmacy.objects.exists():
        return []
    city = Doctor.objects.order_by("code").first().city
    made = [
        pharmacy_create(
            created_by=by, name=name, city=city, chain=chain, contact_person=contact, phone="+994 12 555 10 10"
        )
        for name, chain, contact in PHARMACIES
    ]
    for pharmacy in made:
        Sale.objects.filter(pharmacy=pharmacy.name, pharmacy_record__isnull=True).update(pharmacy_record=pharmacy)
    return made


def seed_samples(*, company: Company, rep: AbstractUser, manager: AbstractUser) -> int:
    """Sample lots issued by the manager to the representative. Does nothing if there is stock."""
    if SampleStock.objects.exists():
        return 0
    today = timezone.localdate()
    issued = 0
    for number, product in enumerate(Product.objects.order_by("code")[:4]):
        sample_issue(
            company=company,
            by=manager,
            representative=rep,
            product=product,
            lot=f"L{today:%y%m}{number + 1:02d}",
            expiry=today + datetime.timedelta(days=120 + 60 * number),
            quantity=[40, 25, 12, 6][number],
        )
        issued += 1
    return issued


def seed_import(*, company: Company, manager: AbstractUser) -> ImportBatch | None:
    """A distributor's monthly file imported by the manager. Does nothing if an import is recorded."""
    if ImportBatch.objects.exists():
        return None
    today = timezone.localdate()
    rows = [
        {
            "date": (today - datetime.timedelta(days=3 + number)).isoformat(),
            "product_code": product.code,
            "quantity": str(12 + 6 * number),
            "source": Sale.Source.COMPANY_TO_DISTRIBUTOR,
            "distributor": "Azərfarm",
            "city_code": "Gəncə",
            "invoice_number": f"AZF-{today:%y%m}-{number + 1:03d}",
        }
        for number, product in enumerate(Product.objects.order_by("code")[:5])
    ]
    text = "\n".join([",".join(rows[0]), *(",".join(row.values()) for row in rows)])
    return sale_import(
        rows=rows,
        company=company,
        created_by=manager,
        file_name=f"azerfarm-{today:%Y-%m}.csv",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
