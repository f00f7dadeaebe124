"""Visit reports: coverage of A/B/C doctors, visits per representative, visits planned vs done."""

from __future__ import annotations

from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appointments.models import Appointment
from doctors.models import Doctor, Territory
from doctors.territories import territory_doctors_q
from reports.selectors.common import ReportResult, by_name, per, share, user_names
from reports.selectors.periods import Period, month_label, month_name, months_in, weeks_in, working_days
from subscription.ui.aztext import az_sort_key

DONE = Appointment.Status.DONE
CATEGORIES = Doctor.Category


def visits_in(period: Period, *, staff_id: int | None = None) -> QuerySet[Appointment]:
    """Visits planned to start within the period (optionally one staff member's)."""
    start, end = period.datetime_bounds()
    visits = Appointment.objects.filter(planned_start__gte=start, planned_start__lt=end)
    return visits if staff_id is None else visits.filter(staff_id=staff_id)


def coverage_figures(
    *, period: Period, representative_id: int | None = None, by_rep: bool = False, territory: int | None = None
) -> list[dict]:
    """Active doctors and those with a done visit in the period, per category (and per assigned representative).

    Each item: {"category", "representative" (with by_rep), "doctors", "visited"}.
    """
    done_visit = visits_in(period).filter(doctor=OuterRef("pk"), status=DONE)
    doctors = Doctor.objects.filter(is_active=True)
    if representative_id is not None:
        doctors = doctors.filter(representative_id=representative_id)
    if territory is not None:
        found = Territory.objects.filter(pk=territory).first()
        doctors = doctors.filter(territory_doctors_q(found)) if found is not None else doctors.none()
    group = ["representative", "category"] if by_rep else ["category"]
    return list(
        doctors.values(*group)
        .annotate(doctors=Count("pk"), visited=Count("pk", filter=Q(Exists(done_visit))))
        .order_by()
    )


def coverage_by_category(
    *, period: Period, representative_id: int | None = None, territory: int | None = None
) -> list[dict]:
    """One item per category A/B/C (zeros included): label, doctors, visited, share (%)."""
    figures = coverage_figures(period=period, representative_id=representative_id, territory=territory)
    found = {item["category"]: item for item in figures}
    items = []
    for category in CATEGORIES:
        doctors = found.get(category.value, {}).get("doctors", 0)
        visited = found.get(category.value, {}).get("visited", 0)
        items.append(
            {
                "category": category.value,
                "label": category.label,
                "doctors": doctors,
                "visited": visited,
                "share": share(visited, doctors),
            }
        )
    return items


def coverage_report(*, period: Period, by_rep: bool = False, territory: int | None = None) -> ReportResult:
    """Share of active A/B/C doctors with at least one done visit in the period."""
    notes = [_("Active doctors with at least one done visit in the period, by the doctor's category.")]
    if not by_rep:
        items = coverage_by_category(period=period, territory=territory)
        doctors = sum(item["doctors"] for item in items)
        visited = sum(item["visited"] for item in items)
        return ReportResult(
            columns=[_("Category"), _("Active doctors"), _("Visited"), _("Coverage, %")],
            rows=[[item["label"], item["doctors"], item["visited"], item["share"]] for item in items],
            totals=[[_("Total"), doctors, visited, share(visited, doctors)]],
            chart_labels=[item["category"] for item in items],
            chart_series=[(_("Coverage, %"), [item["share"] or 0 for item in items])],
            notes=notes,
        )
    figures = coverage_figures(period=period, by_rep=True, territory=territory)
    names = user_names(item["representative"] for item in figures)
    labels = dict(CATEGORIES.choices)
    figures.sort(key=lambda item: (az_sort_key(names[item["representative"]]), item["category"]))
    reps = list(dict.fromkeys(item["representative"] for item in figures))
    found = {(item["representative"], item["category"]): item for item in figures}
    notes.append(_("A doctor counts for the representative assigned to them."))
    return ReportResult(
        columns=[_("Representative"), _("Category"), _("Active doctors"), _("Visited"), _("Coverage, %")],
        rows=[
            [
                names[item["representative"]],
                labels.get(item["category"], item["category"]),
                item["doctors"],
                item["visited"],
                share(item["visited"], item["doctors"]),
            ]
            for item in figures
        ],
        chart_labels=[names[rep] for rep in reps],
        chart_series=[
            (
                category.value,
                [
                    share(found[rep, category.value]["visited"], found[rep, category.value]["doctors"]) or 0
                    if (rep, category.value) in found
                    else 0
                    for rep in reps
                ],
            )
            for category in CATEGORIES
        ],
        notes=notes,
    )


def visits_per_rep_report(*, period: Period) -> ReportResult:
    """Done visits per staff member, with the average per working day and per day in the field."""
    figures = list(
        visits_in(period)
        .filter(status=DONE)
        .values("staff")
        .annotate(
            visits=Count("pk"),
            doctors=Count("doctor", distinct=True),
            days=Count(TruncDate("planned_start"), distinct=True),
        )
        .order_by()
    )
    names = user_names(item["staff"] for item in figures)
    figures = by_name(figures, lambda item: names[item["staff"]])
    workdays = working_days(period)
    total = sum(item["visits"] for item in figures)
    return ReportResult(
        columns=[
            _("Representative"),
            _("Visits done"),
            _("Doctors visited"),
            _("Days with visits"),
            _("Per working day"),
            _("Per day with visits"),
        ],
        rows=[
            [
                names[item["staff"]],
                item["visits"],
                item["doctors"],
                item["days"],
                per(item["visits"], workdays),
                per(item["visits"], item["days"]),
            ]
            for item in figures
        ],
        totals=[[_("Total"), total, "", "", per(total, workdays), ""]],
        chart_labels=[names[item["staff"]] for item in figures],
        chart_series=[(_("Visits done"), [item["visits"] for item in figures])],
        notes=[
            _("Working days in the period (Monday to Friday): %(days)d.") % {"days": workdays},
        ],
    )


def visits_plan_report(*, period: Period, group: str = "week") -> ReportResult:
    """Visits planned (not cancelled) and done, per week or per month of the period."""
    if group == "month":
        bucket, buckets = TruncMonth("planned_start", output_field=DateField()), months_in(period)
    else:
        bucket, buckets = TruncWeek("planned_start", output_field=DateField()), weeks_in(period)
    found = {
        item["bucket"]: item
        for item in visits_in(period)
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(
            planned=Count("pk", filter=~Q(status=Appointment.Status.CANCELLED)),
            done=Count("pk", filter=Q(status=DONE)),
            missed=Count("pk", filter=Q(status=Appointment.Status.MISSED)),
            open=Count("pk", filter=Q(status=Appointment.Status.PLANNED)),
            cancelled=Count("pk", filter=Q(status=Appointment.Status.CANCELLED)),
        )
        .order_by()
    }
    empty = {"planned": 0, "done": 0, "missed": 0, "open": 0, "cancelled": 0}
    rows, labels = [], []
    for start in buckets:
        item = found.get(start, empty)
        label = month_name(start) if group == "month" else start
        labels.append(month_label(start) if group == "month" else date_format(start, "d.m"))
        rows.append(
            [
                label,
                item["planned"],
                item["done"],
                item["missed"],
                item["open"],
                item["cancelled"],
                share(item["done"], item["planned"]),
            ]
        )
    totals = [sum(row[index] for row in rows) for index in range(1, 6)]
    return ReportResult(
        columns=[
            _("Month") if group == "month" else _("Week of"),
            _("Planned"),
            _("Done"),
            _("Missed"),
            _("Still planned"),
            _("Cancelled"),
            _("Done, %"),
        ],
        rows=rows,
        totals=[[_("Total"), *totals, share(totals[1], totals[0])]],
        chart_kind="line",
        chart_labels=labels,
        chart_series=[(_("Planned"), [row[1] for row in rows]), (_("Done"), [row[2] for row in rows])],
        notes=[_("Planned counts every visit scheduled in the period except cancelled ones.")],
    )
