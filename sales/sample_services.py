"""Writes of sample stock: managers issue it to representatives, calls give it away.

Stock never goes below zero: giving is one conditional UPDATE (`quantity >= n`), so two calls that
race for the last units cannot both take them, on SQLite or on PostgreSQL; a CHECK constraint
backs it up.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sales.models import Product, SampleMovement, SampleStock
from subscription.models import UserProfile
from subscription.selectors import company_users
from subscription.tenancy import tenant_atomic

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

    from subscription.models import Company

Kind = SampleMovement.Kind


def _stock_row(*, representative: AbstractUser, product: Product, lot: str, expiry: datetime.date) -> SampleStock:
    stock = SampleStock.objects.filter(representative=representative, product=product, lot=lot).first()
    if stock is None:
        try:
            with tenant_atomic():
                return SampleStock.objects.create(
                    representative=representative, product=product, lot=lot, expiry=expiry, quantity=0
                )
        except IntegrityError:  # issued by someone else at the same moment
            stock = SampleStock.objects.get(representative=representative, product=product, lot=lot)
    if stock.expiry != expiry:
        raise ValidationError(
            {
                "expiry": _("Lot %(lot)s of this product is recorded with the expiry date %(date)s.")
                % {"lot": lot, "date": date_format(stock.expiry, "SHORT_DATE_FORMAT")}
            }
        )
    return stock


def sample_issue(
    *,
    company: Company,
    by: AbstractUser,
    representative: AbstractUser,
    product: Product,
    lot: str,
    expiry: datetime.date,
    quantity: int,
    note: str = "",
) -> SampleStock:
    """Give a representative samples of a product lot. Raises ValidationError for a bad quantity, an
    expired lot, someone who is not the company's representative, or a lot known with another expiry."""
    lot = lot.strip()
    if not lot:
        raise ValidationError({"lot": _("Enter the lot number printed on the pack.")})
    if quantity < 1:
        raise ValidationError({"quantity": _("Issue at least one sample.")})
    if expiry < timezone.localdate():
        raise ValidationError({"expiry": _("This lot has expired; expired samples cannot be issued.")})
    if not company_users(company).filter(pk=representative.pk, profile__role=UserProfile.Role.REPRESENTATIVE).exists():
        raise ValidationError({"representative": _("Choose one of your company's representatives.")})
    with tenant_atomic():
        stock = _stock_row(representative=representative, product=product, lot=lot, expiry=expiry)
        SampleStock.objects.filter(pk=stock.pk).update(quantity=F("quantity") + quantity)
        SampleMovement.objects.create(stock=stock, kind=Kind.ISSUED, quantity=quantity, by=by, note=note)
    stock.refresh_from_db()
    return stock


def sample_give(
    *, stock: SampleStock, quantity: int, by: AbstractUser, on: datetime.date, note: str = ""
) -> SampleMovement:
    """Take samples out of a representative's stock (given at a call on day `on`).

    Raises ValidationError if fewer are left than asked (nothing is taken) or the lot had expired.
    """
    if quantity < 1:
        raise ValidationError(_("Give at least one sample, or leave the row empty."))
    if stock.expiry < on:
        raise ValidationError(
            _("Lot %(lot)s of %(product)s expired on %(date)s; expired samples cannot be given.")
            % {"lot": stock.lot, "product": stock.product, "date": date_format(stock.expiry, "SHORT_DATE_FORMAT")}
        )
    with tenant_atomic():
        # The condition and the change are one statement: two racing calls cannot both take the last units.
        taken = SampleStock.objects.filter(pk=stock.pk, quantity__gte=quantity).update(
            quantity=F("quantity") - quantity
        )
        if not taken:
            left = SampleStock.objects.filter(pk=stock.pk).values_list("quantity", flat=True).first() or 0
            raise ValidationError(
                _("Only %(left)d samples of %(product)s lot %(lot)s are left; %(asked)d were asked for.")
                % {"left": left, "product": stock.product, "lot": stock.lot, "asked": quantity},
                code="not_enough",
            )
        return SampleMovement.objects.create(stock=stock, kind=Kind.GIVEN, quantity=-quantity, by=by, note=note)


def sample_take_back(*, stock: SampleStock, quantity: int, by: AbstractUser, note: str = "") -> SampleMovement:
    """Put samples back into the stock (a call report corrected within its editing window). Raises nothing."""
    with tenant_atomic():
        SampleStock.objects.filter(pk=stock.pk).update(quantity=F("quantity") + quantity)
        return SampleMovement.objects.create(stock=stock, kind=Kind.RETURNED, quantity=quantity, by=by, note=note)
