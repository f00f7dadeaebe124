"""Writes of targets: visit frequency per doctor category, sales targets per product and month."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from doctors.models import Doctor, Territory
from reports.models import SalesTarget, VisitFrequency
from sales.models import Product
from subscription.models import UserProfile
from subscription.selectors import company_users
from subscription.tenancy import tenant_atomic

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

    from subscription.models import Company


def frequency_set(*, calls: Mapping[str, int | None], month: datetime.date | None = None) -> None:
    """Set the calls a month per category: the company's defaults (no month) or one month's own.

    None for a category of a month removes that month's figure (the default applies again).
    Raises ValidationError for a number outside 0–31 or an unknown category.
    """
    month = month.replace(day=1) if month else None
    with tenant_atomic():
        for category, number in calls.items():
            if category not in Doctor.Category.values:
                raise ValidationError(_("Unknown doctor category %(category)s.") % {"category": category})
            if number is None:
                VisitFrequency.objects.filter(category=category, month=month).delete()
                continue
            row = VisitFrequency.objects.filter(category=category, month=month).first() or VisitFrequency(
                category=category, month=month
            )
            row.calls = number
            row.full_clean(validate_constraints=False)
            row.save()


def _check_target(target: SalesTarget, company: Company) -> SalesTarget:
    target.month = target.month.replace(day=1) if target.month else target.month
    if target.amount is None and target.product_id and target.quantity:
        target.amount = (target.product.price * target.quantity).quantize(Decimal("0.01"))
    target.full_clean(validate_constraints=False)
    if (
        target.representative_id
        and not company_users(company)
        .filter(pk=target.representative_id, profile__role=UserProfile.Role.REPRESENTATIVE)
        .exists()
    ):
        raise ValidationError({"representative": _("Choose one of your company's representatives.")})
    try:
        with tenant_atomic():
            target.save()
    except IntegrityError as error:
        raise ValidationError(
            _("A target for this product, month and representative or territory exists already; change that one."),
            code="exists",
        ) from error
    return target


def sales_target_create(
    *,
    company: Company,
    created_by: AbstractUser,
    month: datetime.date,
    product: Product,
    quantity: int,
    representative: AbstractUser | None = None,
    territory: Territory | None = None,
    amount: Decimal | None = None,
) -> SalesTarget:
    """Add a sales target; the amount is quantity × catalogue price unless given.

    Raises ValidationError unless exactly one of representative and territory is given, or if the
    target exists already or a field is invalid.
    """
    target = SalesTarget(
        created_by=created_by,
        updated_by=created_by,
        month=month,
        product=product,
        quantity=quantity,
        representative=representative,
        territory=territory,
        amount=amount,
    )
    return _check_target(target, company)


def sales_target_update(*, target: SalesTarget, company: Company, updated_by: AbstractUser, **fields) -> SalesTarget:
    """Change a sales target (month, product, who, quantity, amount). Raises ValidationError as sales_target_create."""
    allowed = {"month", "product", "quantity", "representative", "territory", "amount"}
    if set(fields) - allowed:
        raise TypeError(f"SalesTarget has no editable field(s) {', '.join(sorted(set(fields) - allowed))}.")
    for name, value in fields.items():
        setattr(target, name, value)
    target.updated_by = updated_by
    return _check_target(target, company)


def sales_target_delete(*, target: SalesTarget) -> None:
    """Delete a sales target. Raises nothing."""
    target.delete()
