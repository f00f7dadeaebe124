"""Field-force reports: target vs actual, monthly plans planned vs done, sample accountability."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from appointments.models import Appointment, MonthlyPlan
from appointments.plan_selectors import plan_vs_done
from doctors.models import Doctor, DoctorAssignment, Territory, TerritoryMember
from doctors.territories import territory_member_ids
from reports.selectors.common import ReportResult, share, user_names
from reports.selectors.periods import Period, months_in
from reports.selectors.targets import sales_target_totals, sales_targets, visit_targets_by_month
from sales.models import Product
from sales.sample_selectors import sample_accountability
from subscription.ui.aztext import az_sort_key


def _members(territory_id: int | None) -> set[int] | None:
    if territory_id is None:
        return None
    territory = Territory.objects.filter(pk=territory_id).first()
    return territory_member_ids(territory) if territory is not None else set()


def _figures(totals: dict) -> list:
    """Target, sold and share, in packs then in AZN."""
    return [
        totals["target_quantity"],
        totals["quantity"],
        share(totals["quantity"], totals["target_quantity"]),
        totals["target_amount"],
        totals["amount"],
        share(totals["amount"], totals["target_amount"]),
    ]


def targets_report(*, period: Period, measure: str = "sales", territory: int | None = None) -> ReportResult:
    """Sales targets per representative (or territory) and product, or visit targets per representative."""
    if measure == "visits":
        return _visit_targets_report(period, territory)
    items = sales_targets(period, territory_id=territory)
    names = user_names(item.target.representative_id for item in items)
    groups: dict[tuple, list] = {}
    for item in items:
        who = names[item.target.representative_id] if item.target.representative_id else item.target.territory.name
        groups.setdefault((who, str(item.target.product)), []).append(item)
    keys = sorted(groups, key=lambda key: (az_sort_key(key[0]), az_sort_key(key[1])))
    rows = [[who, product, *_figures(sales_target_totals(groups[who, product]))] for who, product in keys]
    columns = [_("Target, packs"), _("Sold, packs"), _("Packs, %"), _("Target, AZN"), _("Sold, AZN"), _("AZN, %")]
    return ReportResult(
        columns=[_("Representative or territory"), _("Product"), *columns],
        rows=rows,
        totals=[[_("Total"), "", *_figures(sales_target_totals(items))]],
        chart_labels=[f"{who} · {product}" for who, product in keys],
        chart_series=[(_("Target, AZN"), [row[5] for row in rows]), (_("Sold, AZN"), [row[6] for row in rows])],
        notes=[
            _(
                "Sold: sales of the target's product in its month, credited to the representative or made in "
                "the territory's cities."
            )
        ],
    )


def field_user_ids(period: Period) -> set[int]:
    """Everyone with doctors of their own or done visits in the period (the company database knows them by id)."""
    start, end = period.datetime_bounds()
    ids = set(TerritoryMember.objects.values_list("user_id", flat=True))
    ids |= set(DoctorAssignment.objects.values_list("user_id", flat=True))
    ids |= set(Doctor.objects.filter(is_active=True).values_list("representative_id", flat=True))
    ids |= set(
        Appointment.objects.filter(
            status=Appointment.Status.DONE, planned_start__gte=start, planned_start__lt=end
        ).values_list("staff_id", flat=True)
    )
    return ids - {None}


def _visit_targets_report(period: Period, territory: int | None) -> ReportResult:
    members = _members(territory)
    users = field_user_ids(period) if members is None else members
    names = user_names(users)
    rows = []
    for user_id in sorted(users, key=lambda pk: az_sort_key(names[pk])):
        months = visit_targets_by_month(period, user_id=user_id)
        target, done = sum(m["target"] for m in months), sum(m["done"] for m in months)
        if target or done:
            rows.append([names[user_id], target, done, share(done, target)])
    target, done = sum(row[1] for row in rows), sum(row[2] for row in rows)
    return ReportResult(
        columns=[_("Representative"), _("Calls the frequency asks for"), _("Calls done"), _("Done, %")],
        rows=rows,
        totals=[[_("Total"), target, done, share(done, target)]],
        chart_labels=[row[0] for row in rows],
        chart_series=[(_("Target"), [row[1] for row in rows]), (_("Done"), [row[2] for row in rows])],
        notes=[
            _(
                "Target: for each month, the calls a month each of the representative's own active doctors "
                "needs by category."
            )
        ],
    )


def plan_done_report(*, period: Period, territory: int | None = None) -> ReportResult:
    """Per month of the period and representative: calls planned in the monthly plan and calls done."""
    members = _members(territory)
    rows = []
    for month in months_in(period):
        items = plan_vs_done(month, members)
        names = user_names(item["representative"] for item in items)
        for item in sorted(items, key=lambda item, names=names: az_sort_key(names[item["representative"]])):
            rows.append(
                [
                    date_format(month, "Y-m"),
                    names[item["representative"]],
                    MonthlyPlan.Status(item["status"]).label,
                    item["doctors"],
                    item["planned"],
                    item["done_planned"],
                    share(item["done_planned"], item["planned"]),
                    item["done_all"],
                ]
            )
    planned, done = sum(row[4] for row in rows), sum(row[5] for row in rows)
    return ReportResult(
        columns=[_("Month"), _("Representative"), pgettext("work plan", "Plan"), _("Doctors")]
        + [_("Calls planned"), _("Planned calls done"), _("Done, %"), _("All calls done")],
        rows=rows,
        totals=[
            [
                _("Total"),
                "",
                "",
                sum(row[3] for row in rows),
                planned,
                done,
                share(done, planned),
                sum(row[7] for row in rows),
            ]
        ],
        chart_labels=[f"{row[0]} · {row[1]}" for row in rows],
        chart_series=[
            (_("Calls planned"), [row[4] for row in rows]),
            (_("Planned calls done"), [row[5] for row in rows]),
        ],
        notes=[_("A planned doctor's calls count as done up to the number planned for them.")],
    )


def samples_report(*, period: Period, territory: int | None = None) -> ReportResult:
    """Per representative and product: samples issued and given in the period, and on hand now."""
    start, end = period.datetime_bounds()
    members = _members(territory)
    items = [
        item
        for item in sample_accountability(start=start, end=end)
        if members is None or item["representative"] in members
    ]
    names = user_names(item["representative"] for item in items)
    products = {product.pk: str(product) for product in Product.objects.filter(pk__in={i["product"] for i in items})}
    items.sort(key=lambda item: (az_sort_key(names[item["representative"]]), az_sort_key(products[item["product"]])))
    rows = [
        [names[item["representative"]], products[item["product"]], item["issued"], item["given"], item["on_hand"]]
        for item in items
    ]
    return ReportResult(
        columns=[
            _("Representative"),
            _("Product"),
            _("Issued in the period"),
            _("Given in the period"),
            _("On hand now"),
        ],
        rows=rows,
        totals=[[_("Total"), "", sum(r[2] for r in rows), sum(r[3] for r in rows), sum(r[4] for r in rows)]],
        chart_labels=[f"{row[0]} · {row[1]}" for row in rows],
        chart_series=[
            (_("Given in the period"), [row[3] for row in rows]),
            (_("On hand now"), [row[4] for row in rows]),
        ],
        notes=[_("Given: samples handed out at calls, net of those put back when a call report was corrected.")],
    )
