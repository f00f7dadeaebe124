"""The call report: what happened at a visit, the products discussed, the samples given, the next step.

A visit cannot be reported before it starts. Once reported it is done; its author may correct the
report for REPORT_EDIT_HOURS, then it is locked until a manager reopens it. Samples come out of the
representative's stock in the same transaction, so a report that asks for more than is left saves
nothing at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appointments.models import Appointment, CallDetail, CallSample
from appointments.services import appointment_create
from sales.models import Product, SampleStock
from sales.sample_services import sample_give, sample_take_back
from subscription.tenancy import tenant_atomic

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Status = Appointment.Status
FOLLOW_UP_TIME = datetime.time(10)


@dataclass(frozen=True)
class ProductDiscussed:
    product: Product
    key_message: str = ""
    response: str = CallDetail.Response.NEUTRAL


@dataclass(frozen=True)
class SampleGiven:
    stock: SampleStock
    quantity: int


def ensure_reportable(visit: Appointment, *, by: AbstractUser, now: datetime.datetime) -> None:
    """Raise ValidationError unless `by` may report (or correct the report of) the visit now."""
    if visit.planned_start > now:
        raise ValidationError(
            _("This visit starts on %(when)s; a visit cannot be completed before it starts.")
            % {"when": date_format(timezone.localtime(visit.planned_start), "DATETIME_FORMAT")},
            code="not_started",
        )
    if visit.status == Status.CANCELLED:
        raise ValidationError(_("This visit was cancelled; plan a new one to report a call."), code="cancelled")
    if visit.status == Status.DONE and not visit.report_editable_by(by, now=now):
        raise ValidationError(
            _(
                "This call report is locked: only its author may correct it, within a day of sending it. "
                "A manager can reopen the visit."
            ),
            code="locked",
        )


def _check(visit: Appointment, details: Sequence[ProductDiscussed], samples: Sequence[SampleGiven]) -> None:
    products = [detail.product.pk for detail in details]
    if len(products) != len(set(products)):
        raise ValidationError(_("Each product is discussed once; join the notes of a product in one row."))
    for sample in samples:
        if sample.stock.representative_id != visit.staff_id:
            raise ValidationError(_("Samples come from the stock of the visit's staff member."), code="not_theirs")


def call_report_submit(
    *,
    appointment: Appointment,
    by: AbstractUser,
    outcome: str,
    details: Sequence[ProductDiscussed] = (),
    samples: Sequence[SampleGiven] = (),
    next_step: str = "",
    next_step_date: datetime.date | None = None,
    follow_up: bool = False,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Record the call and mark the visit done (or correct a report within its window).

    Raises ValidationError if the visit has not started, is cancelled or locked, the outcome is
    empty, a product repeats, a lot is not the staff member's, expired, or short of samples.
    """
    now = now or timezone.now()
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write what came out of the call.")})
    if follow_up and next_step_date is None:
        raise ValidationError({"next_step_date": _("Give the date of the follow-up visit.")})
    with tenant_atomic():
        # Read the visit again under the transaction's lock: two reports of one visit do not interleave.
        visit = Appointment.objects.select_for_update().get(pk=appointment.pk)
        ensure_reportable(visit, by=by, now=now)
        _check(visit, details, samples)
        first_report = visit.status != Status.DONE
        _replace_samples(visit, samples, by=by)
        CallDetail.objects.filter(appointment=visit).delete()
        CallDetail.objects.bulk_create(
            CallDetail(appointment=visit, product=d.product, key_message=d.key_message.strip(), response=d.response)
            for d in details
        )
        visit.products.set([detail.product for detail in details])
        visit.outcome, visit.next_step, visit.next_step_date = outcome.strip(), next_step.strip(), next_step_date
        visit.status, visit.updated_by = Status.DONE, by
        if first_report:
            visit.reported_at, visit.reported_by = now, by
        visit.full_clean()
        if follow_up and visit.follow_up_id is None:
            visit.follow_up = _plan_follow_up(visit, by=by, day=next_step_date)
        visit.save()
    return visit


def _replace_samples(visit: Appointment, samples: Sequence[SampleGiven], *, by: AbstractUser) -> None:
    """Put back what an earlier version of the report took, then take what this one gives."""
    for old in CallSample.objects.filter(appointment=visit).select_related("stock"):
        sample_take_back(
            stock=old.stock, quantity=old.quantity, by=by, note=_("visit #%(id)s corrected") % {"id": visit.pk}
        )
    CallSample.objects.filter(appointment=visit).delete()
    day = timezone.localdate(visit.planned_start)
    for sample in samples:
        sample_give(
            stock=sample.stock, quantity=sample.quantity, by=by, on=day, note=_("visit #%(id)s") % {"id": visit.pk}
        )
        CallSample.objects.create(appointment=visit, stock=sample.stock, quantity=sample.quantity)


def _plan_follow_up(visit: Appointment, *, by: AbstractUser, day: datetime.date) -> Appointment:
    start = timezone.make_aware(datetime.datetime.combine(day, FOLLOW_UP_TIME))
    return appointment_create(
        created_by=by,
        kind=visit.kind,
        doctor=visit.doctor,
        pharmacy=visit.pharmacy,
        staff=visit.staff,
        planned_start=start,
        duration_minutes=visit.duration_minutes,
        channel=visit.channel,
        next_step=visit.next_step,
    )


def call_report_new(
    *,
    by: AbstractUser,
    staff: AbstractUser,
    planned_start: datetime.datetime,
    kind: str = Appointment.Kind.DOCTOR,
    doctor=None,
    pharmacy=None,
    channel: str = Appointment.Channel.IN_PERSON,
    **report,
) -> Appointment:
    """Record a call that was not planned: the visit and its report together, or nothing.

    Raises ValidationError as appointment_create and call_report_submit do.
    """
    now = report.pop("now", None) or timezone.now()
    if planned_start > now:
        raise ValidationError({"planned_start": _("A call can be reported only once it has begun.")})
    with tenant_atomic():
        visit = appointment_create(
            created_by=by,
            kind=kind,
            doctor=doctor,
            pharmacy=pharmacy,
            staff=staff,
            planned_start=planned_start,
            channel=channel,
        )
        return call_report_submit(appointment=visit, by=by, now=now, **report)
