"""Writes on payments: drafts, the four-eyes approval of outgoing ones, payment and cancellation.

An outgoing payment is approved by someone other than the person who entered or last changed it, and
above the company's threshold (Company.owner_approval_above) by an owner.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Appointment
from doctors.models import Doctor
from payments.models import Payment
from regions.models import Clinic
from sales.models import Currency, Product, Sale
from subscription.history import history_context, record_change
from subscription.models import Company, UserProfile
from subscription.tenancy import tenant_atomic
from subscription.tenant_base import assign_fields, editable_fields
from subscription.ui.money import format_money

Status = Payment.Status
Direction = Payment.Direction
# The status moves only through approve, mark paid and cancel.
EDITABLE_FIELDS = editable_fields(Payment, except_=("status",))


def payment_create(
    *,
    created_by: AbstractUser,
    direction: str,
    date: datetime.date,
    amount: Decimal,
    kind: str = Payment.Kind.OTHER,
    currency: str = Currency.AZN,
    method: str = Payment.Method.BANK,
    doctor: Doctor | None = None,
    clinic: Clinic | None = None,
    counterparty: str = "",
    sale: Sale | None = None,
    product: Product | None = None,
    appointment: Appointment | None = None,
    reference: str = "",
    notes: str = "",
) -> Payment:
    """Record a payment as a draft. Raises ValidationError if a field is invalid or no counterparty is named."""
    payment = Payment(
        created_by=created_by,
        updated_by=created_by,
        status=Status.DRAFT,
        direction=direction,
        date=date,
        amount=amount,
        kind=kind,
        currency=currency,
        method=method,
        doctor=doctor,
        clinic=clinic,
        counterparty=counterparty,
        sale=sale,
        product=product,
        appointment=appointment,
        reference=reference,
        notes=notes,
    )
    payment.full_clean()
    payment.save()
    return payment


def ensure_draft(payment: Payment) -> None:
    """Raise ValidationError unless the payment, as stored, is a draft (call inside tenant_atomic(): the row is locked)."""
    # The stored status decides: a bound form may already have changed the instance in memory. The row
    # stays locked to the end of the transaction, so an approval cannot slip in before the change is saved.
    stored = Payment.objects.select_for_update().filter(pk=payment.pk).values_list("status", flat=True).first()
    if stored != Status.DRAFT:
        raise ValidationError(
            _("Only a draft payment can be changed or deleted; this one is “%(status)s”.")
            % {"status": Status(stored).label if stored else "?"},
            code="not_draft",
        )


def payment_update(*, payment: Payment, updated_by: AbstractUser, **fields) -> Payment:
    """Change a draft payment. Raises ValidationError if it is no longer a draft or a field is invalid."""
    assign_fields(payment, fields, EDITABLE_FIELDS)
    payment.updated_by = updated_by
    payment.full_clean()
    with tenant_atomic():
        ensure_draft(payment)
        payment.save()
    return payment


def payment_delete(*, payment: Payment, by: AbstractUser | None = None) -> None:
    """Delete a draft payment. Raises ValidationError if it is no longer a draft."""
    with tenant_atomic():
        ensure_draft(payment)
        with history_context(by=by):
            payment.delete()


def _move(
    payment: Payment, *, by: AbstractUser, from_status: str, to_status: str, unchanged: tuple = (), **extra
) -> Payment:
    """Change the status only if it is still `from_status` and the `unchanged` fields still hold what
    was checked (one conditional UPDATE, safe against races)."""
    now = timezone.now()
    changes = {"status": to_status, "updated_by": by, "updated_at": now, **extra}
    still = {name: getattr(payment, name) for name in unchanged}
    with tenant_atomic():
        moved = Payment.objects.filter(pk=payment.pk, status=from_status, **still).update(**changes)
        if moved:
            for name, value in changes.items():
                setattr(payment, name, value)
            record_change(payment, by=by)
    if not moved:
        payment.refresh_from_db(fields=["status"])
        raise ValidationError(
            _("The payment is “%(status)s” now, so this step is not possible. Reload the page to see it.")
            % {"status": payment.get_status_display()},
            code="stale",
        )
    return payment


def approval_refusal(*, payment: Payment, by: AbstractUser, role: str, company: Company) -> ValidationError | None:
    """Why `by` (with `role` in `company`) may not approve `payment` now, or None if they may."""
    if payment.direction != Direction.OUTGOING:
        return ValidationError(_("Incoming payments need no approval: mark it paid."), code="incoming")
    if payment.status != Status.DRAFT:
        return ValidationError(
            _("Only a draft can be approved; this payment is “%(status)s”.") % {"status": payment.get_status_display()},
            code="not_draft",
        )
    if by.pk in (payment.created_by_id, payment.updated_by_id):
        return ValidationError(
            _("You entered or last changed this payment, so someone else must approve it (four-eyes rule)."),
            code="own_payment",
        )
    threshold = company.owner_approval_above
    if threshold is not None and payment.amount > threshold and role != UserProfile.Role.OWNER:
        return ValidationError(
            _("Payments above %(threshold)s need the owner's approval.")
            % {"threshold": format_money(threshold, payment.currency)},
            code="owner_needed",
        )
    return None


# Refusals that depend on who approves (not on the payment's state): pages show them beside the button.
APPROVER_REFUSALS = ("own_payment", "owner_needed")


def payment_approve(*, payment: Payment, by: AbstractUser, role: str, company: Company) -> Payment:
    """Approve an outgoing draft as `by` (with `role` in `company`), recording who and when.

    Raises ValidationError if it is incoming or not a draft, if `by` entered or last changed it, or if
    its amount is above the company's owner threshold and `by` is not an owner.
    """
    refusal = approval_refusal(payment=payment, by=by, role=role, company=company)
    if refusal is not None:
        raise refusal
    # The amount and authors that were checked must still be the stored ones when the status moves.
    return _move(
        payment,
        by=by,
        from_status=Status.DRAFT,
        to_status=Status.APPROVED,
        unchanged=("amount", "created_by_id", "updated_by_id"),
        approved_by=by,
        approved_at=timezone.now(),
    )


def payment_mark_paid(*, payment: Payment, by: AbstractUser) -> Payment:
    """Mark a payment paid. Raises ValidationError if it is outgoing and not yet approved, or already closed."""
    if payment.direction == Direction.OUTGOING:
        if payment.status == Status.DRAFT:
            raise ValidationError(
                _("An outgoing payment must be approved by a manager before it is paid."), code="not_approved"
            )
        from_status = Status.APPROVED
    else:
        from_status = Status.DRAFT
    if payment.status != from_status:
        raise ValidationError(
            _("This payment is “%(status)s”; it cannot be marked paid.") % {"status": payment.get_status_display()},
            code="closed",
        )
    return _move(payment, by=by, from_status=from_status, to_status=Status.PAID)


def payment_cancel(*, payment: Payment, by: AbstractUser) -> Payment:
    """Cancel a payment that is not paid yet. Raises ValidationError if it is paid or cancelled."""
    if payment.status not in (Status.DRAFT, Status.APPROVED):
        raise ValidationError(
            _("This payment is “%(status)s”; only a draft or approved payment can be cancelled.")
            % {"status": payment.get_status_display()},
            code="closed",
        )
    return _move(payment, by=by, from_status=payment.status, to_status=Status.CANCELLED)
