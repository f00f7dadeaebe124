"""Payment reports: amounts by type, and the yearly per-doctor disclosure of outgoing payments."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from payments.models import Payment
from regions.models import Clinic, Specialization
from reports.selectors.common import MoneySum, ReportResult, currency_series, reference_names
from reports.selectors.periods import Period, year_period
from sales.models import Currency
from subscription.ui.aztext import az_sort_key

ZERO = Decimal("0.00")
# What a disclosure counts: transfers of value a manager approved (drafts may never happen).
DISCLOSED_STATUSES = (Payment.Status.APPROVED, Payment.Status.PAID)
OUTGOING_KINDS = [kind for kind in Payment.Kind if kind != Payment.Kind.INVOICE]


def payments_in(period: Period) -> QuerySet[Payment]:
    return Payment.objects.filter(date__gte=period.start, date__lte=period.end)


def awaiting_approval() -> list[dict]:
    """Outgoing payments still in draft, per currency: [{"currency", "count", "amount"}]."""
    return list(
        Payment.objects.filter(direction=Payment.Direction.OUTGOING, status=Payment.Status.DRAFT)
        .values("currency")
        .annotate(count=Count("pk"), amount=MoneySum("amount"))
        .order_by("currency")
    )


def payments_by_kind_report(*, period: Period) -> ReportResult:
    """Payments of the period (cancelled ones left out) per type, direction and currency, by status."""
    figures = list(
        payments_in(period)
        .exclude(status=Payment.Status.CANCELLED)
        .values("kind", "direction", "currency")
        .annotate(
            count=Count("pk"),
            total=MoneySum("amount"),
            draft=MoneySum("amount", filter=Q(status=Payment.Status.DRAFT)),
            approved=MoneySum("amount", filter=Q(status=Payment.Status.APPROVED)),
            paid=MoneySum("amount", filter=Q(status=Payment.Status.PAID)),
        )
        .order_by()
    )
    kinds, directions = dict(Payment.Kind.choices), dict(Payment.Direction.choices)
    order = {kind: index for index, kind in enumerate(Payment.Kind.values)}
    figures.sort(key=lambda item: (item["direction"], order.get(item["kind"], 99), item["currency"]))
    keys = list(dict.fromkeys((item["kind"], item["direction"]) for item in figures))
    labels = {key: f"{kinds.get(key[0], key[0])} ({directions.get(key[1], key[1])})" for key in keys}
    currencies = sorted({item["currency"] for item in figures}) or [Currency.AZN.value]
    return ReportResult(
        columns=[
            _("Type"),
            _("Direction"),
            _("Currency"),
            _("Payments"),
            _("Amount"),
            _("Awaiting approval"),
            _("Approved"),
            _("Paid"),
        ],
        rows=[
            [
                kinds.get(item["kind"], item["kind"]),
                directions.get(item["direction"], item["direction"]),
                item["currency"],
                item["count"],
                item["total"],
                item["draft"],
                item["approved"],
                item["paid"],
            ]
            for item in figures
        ],
        totals=[
            [
                _("Total"),
                directions.get(direction, direction),
                currency,
                sum(item["count"] for item in group),
                sum((item["total"] for item in group), ZERO),
                sum((item["draft"] for item in group), ZERO),
                sum((item["approved"] for item in group), ZERO),
                sum((item["paid"] for item in group), ZERO),
            ]
            for direction in Payment.Direction.values
            for currency in currencies
            if (group := [item for item in figures if item["direction"] == direction and item["currency"] == currency])
        ],
        chart_labels=[labels[key] for key in keys],
        chart_series=currency_series(
            keys,
            {((item["kind"], item["direction"]), item["currency"]): item["total"] for item in figures},
            currencies,
        ),
        chart_per_series=True,
        notes=[_("Cancelled payments are left out.")],
    )


def payments_by_doctor_report(*, year: int) -> ReportResult:
    """The yearly disclosure: approved and paid outgoing payments to each doctor, by type."""
    period = year_period(year)
    per_kind = {f"kind_{kind.value}": MoneySum("amount", filter=Q(kind=kind.value)) for kind in OUTGOING_KINDS}
    figures = list(
        payments_in(period)
        .filter(direction=Payment.Direction.OUTGOING, status__in=DISCLOSED_STATUSES, doctor__isnull=False)
        .values(
            "doctor",
            "doctor__code",
            "doctor__last_name",
            "doctor__first_name",
            "doctor__patronymic",
            "doctor__specialization",
            "doctor__clinic",
            "currency",
        )
        .annotate(**per_kind, total=MoneySum("amount"), count=Count("pk"))
        .order_by()
    )
    specializations = reference_names(Specialization, (item["doctor__specialization"] for item in figures))
    clinics = reference_names(Clinic, (item["doctor__clinic"] for item in figures))
    for item in figures:
        item["name"] = " ".join(
            part for part in (item["doctor__last_name"], item["doctor__first_name"], item["doctor__patronymic"]) if part
        )
    figures.sort(key=lambda item: (az_sort_key(item["name"]), item["doctor__code"], item["currency"]))
    currencies = sorted({item["currency"] for item in figures}) or [Currency.AZN.value]
    top = sorted(figures, key=lambda item: -item["total"])[:12]
    top_doctors = list(dict.fromkeys(item["doctor"] for item in top))
    names = {item["doctor"]: item["name"] for item in figures}
    return ReportResult(
        columns=[
            _("Doctor code"),
            _("Doctor"),
            _("Specialization"),
            _("Clinic"),
            _("Currency"),
            *[str(kind.label) for kind in OUTGOING_KINDS],
            _("Total"),
            _("Payments"),
        ],
        rows=[
            [
                item["doctor__code"],
                item["name"],
                specializations[item["doctor__specialization"]],
                clinics[item["doctor__clinic"]],
                item["currency"],
                *[item[f"kind_{kind.value}"] for kind in OUTGOING_KINDS],
                item["total"],
                item["count"],
            ]
            for item in figures
        ],
        totals=[
            [
                _("Total"),
                "",
                "",
                "",
                currency,
                *[sum((item[f"kind_{kind.value}"] for item in group), ZERO) for kind in OUTGOING_KINDS],
                sum((item["total"] for item in group), ZERO),
                sum(item["count"] for item in group),
            ]
            for currency in currencies
            if (group := [item for item in figures if item["currency"] == currency])
        ],
        chart_labels=[names[doctor] for doctor in top_doctors],
        chart_series=currency_series(
            top_doctors, {(item["doctor"], item["currency"]): item["total"] for item in figures}, currencies
        ),
        chart_per_series=True,
        notes=[
            _(
                "Approved and paid outgoing payments to doctors dated in %(year)d; drafts and cancelled payments are left out."
            )
            % {"year": year},
            _("The chart shows the doctors with the largest totals."),
        ],
    )
