"""Writes on products and sales."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from doctors.models import Doctor
from regions.models import City, Region
from sales.models import Currency, Pharmacy, Product, Sale
from subscription.history import history_context
from subscription.tenancy import tenant_atomic
from subscription.tenant_base import assign_fields, editable_fields

PRODUCT_FIELDS = editable_fields(Product)
PHARMACY_FIELDS = editable_fields(Pharmacy)
SALE_FIELDS = editable_fields(Sale)


def product_create(
    *,
    created_by: AbstractUser,
    code: str,
    name: str,
    price: Decimal,
    form: str = "",
    strength: str = "",
    pack: str = "",
    is_active: bool = True,
) -> Product:
    """Add a product to the catalogue. Raises ValidationError if the code is taken or a field is invalid."""
    product = Product(
        created_by=created_by,
        updated_by=created_by,
        code=code,
        name=name,
        price=price,
        form=form,
        strength=strength,
        pack=pack,
        is_active=is_active,
    )
    product.full_clean()
    product.save()
    return product


def product_update(*, product: Product, updated_by: AbstractUser, **fields) -> Product:
    """Change a product. Raises ValidationError if the code is taken or a field is invalid."""
    assign_fields(product, fields, PRODUCT_FIELDS)
    product.updated_by = updated_by
    product.full_clean()
    product.save()
    return product


def product_set_active(*, product: Product, active: bool, by: AbstractUser) -> Product:
    """Deactivate (or activate again) a product; its sales stay. Raises nothing."""
    product.is_active = active
    product.updated_by = by
    product.save(update_fields=["is_active", "updated_by", "updated_at"])
    return product


def sale_create(
    *,
    created_by: AbstractUser,
    date: datetime.date,
    product: Product,
    quantity: int,
    unit_price: Decimal,
    amount: Decimal | None = None,
    currency: str = Currency.AZN,
    source: str = Sale.Source.DISTRIBUTOR_TO_PHARMACY,
    distributor: str = "",
    pharmacy: str = "",
    pharmacy_record: Pharmacy | None = None,
    region: Region | None = None,
    city: City | None = None,
    representative: AbstractUser | None = None,
    doctor: Doctor | None = None,
    invoice_number: str = "",
) -> Sale:
    """Add a sale line; the amount is quantity × unit price unless given. Raises ValidationError."""
    sale = Sale(
        created_by=created_by,
        updated_by=created_by,
        date=date,
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        amount=amount,
        currency=currency,
        source=source,
        distributor=distributor,
        pharmacy=pharmacy,
        pharmacy_record=pharmacy_record,
        region=region,
        city=city,
        representative=representative,
        doctor=doctor,
        invoice_number=invoice_number,
    )
    sale.full_clean()
    sale.save()
    return sale


def sale_update(*, sale: Sale, updated_by: AbstractUser, **fields) -> Sale:
    """Change a sale line; an amount of None is worked out again. Raises ValidationError."""
    assign_fields(sale, fields, SALE_FIELDS)
    sale.updated_by = updated_by
    sale.full_clean()
    sale.save()
    return sale


def sale_delete(*, sale: Sale, by: AbstractUser | None = None) -> None:
    """Delete a sale line (payments that named it keep their data, without the link)."""
    with history_context(by=by):
        sale.delete()


def _save_pharmacy(pharmacy: Pharmacy) -> Pharmacy:
    pharmacy.full_clean()
    try:
        with tenant_atomic():
            pharmacy.save()
    except IntegrityError as error:
        raise ValidationError({"name": _("A pharmacy with this name is already recorded in this city.")}) from error
    return pharmacy


def pharmacy_create(*, created_by: AbstractUser, name: str, city: City, **fields) -> Pharmacy:
    """Add a pharmacy. Raises ValidationError if the name is taken in the city or a field is invalid."""
    pharmacy = Pharmacy(created_by=created_by, updated_by=created_by, name=name, city=city)
    assign_fields(pharmacy, fields, PHARMACY_FIELDS)
    return _save_pharmacy(pharmacy)


def pharmacy_update(*, pharmacy: Pharmacy, updated_by: AbstractUser, **fields) -> Pharmacy:
    """Change a pharmacy. Raises ValidationError as pharmacy_create does."""
    assign_fields(pharmacy, fields, PHARMACY_FIELDS)
    pharmacy.updated_by = updated_by
    return _save_pharmacy(pharmacy)


def pharmacy_delete(*, pharmacy: Pharmacy, by: AbstractUser) -> bool:
    """Delete a pharmacy nothing refers to, or deactivate one with sales or visits. True if deleted."""
    with tenant_atomic():
        in_use = any(
            relation.related_model._base_manager.filter(**{relation.field.name: pharmacy}).exists()
            for relation in Pharmacy._meta.related_objects
        )
        if in_use:
            pharmacy.is_active = False
            pharmacy.updated_by = by
            pharmacy.save(update_fields=["is_active", "updated_by", "updated_at"])
            return False
        pharmacy.delete()
    return True
