"""Targets: the month's sales targets against actuals, visit frequency per category, and their editing."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import target_services as services
from reports.models import SalesTarget
from reports.selectors.common import share, user_names
from reports.selectors.periods import month_period
from reports.selectors.targets import company_frequency, sales_target_totals, sales_targets, visit_target, visits_done
from reports.target_forms import FrequencyForm, SalesTargetForm, TargetMonthForm
from subscription.ui.permissions import is_representative, require


@require("target_view")
def target_list(request: HttpRequest) -> HttpResponse:
    """The month's sales targets with what was sold, and the visit frequency; a representative sees their own."""
    form = TargetMonthForm(request.GET or None)
    month = (form.cleaned_data.get("month") if form.is_valid() else None) or timezone.localdate().replace(day=1)
    form = TargetMonthForm(initial={"month": month})  # the field shows the month the page shows
    period = month_period(month)
    own = is_representative(request)
    items = sales_targets(period, representative_ids={request.user.pk} if own else None)
    names = user_names(item.target.representative_id for item in items)
    for item in items:
        item.who = names[item.target.representative_id] if item.target.representative_id else item.target.territory.name
        item.quantity_share = share(item.quantity, item.target.quantity)
        item.amount_share = share(item.amount, item.target.amount)
    user_id = request.user.pk if own else None
    visits = {"target": visit_target(month, user_id=user_id), "done": visits_done(period, user_id=user_id)}
    context = {
        "form": form,
        "month": month,
        "items": items,
        "totals": sales_target_totals(items),
        "visits": visits,
        "frequency": company_frequency(month),
        "own": own,
    }
    return render(request, "reports/target_list.html", context)


def _edit(request: HttpRequest, target: SalesTarget | None) -> HttpResponse:
    initial = {"month": timezone.localdate().replace(day=1)} if target is None else None
    form = SalesTargetForm(request.POST or None, instance=target, company=request.tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        save = (
            partial(services.sales_target_create, created_by=request.user)
            if target is None
            else partial(services.sales_target_update, target=target, updated_by=request.user)
        )
        try:
            saved = save(company=request.tenant, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The sales target is saved."))
            return redirect(f"/targets/?month={saved.month:%Y-%m}")
    return render(request, "reports/target_form.html", {"form": form, "target": target})


@require("target_manage")
def target_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require("target_manage")
def target_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(SalesTarget, pk=pk))


@require("target_manage")
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(SalesTarget.objects.select_related("product"), pk=pk)
    if request.method == "POST":
        services.sales_target_delete(target=target)
        messages.success(request, _("The sales target is deleted."))
        return redirect(f"/targets/?month={target.month:%Y-%m}")
    return render(request, "reports/target_delete.html", {"target": target})


@require("target_manage")
def frequency_update(request: HttpRequest) -> HttpResponse:
    """The calls a month each doctor category asks for: the company's defaults, or one month's."""
    month_form = TargetMonthForm(request.GET or None)
    month = month_form.cleaned_data.get("month") if month_form.is_valid() else None
    current = company_frequency(month)
    form = FrequencyForm(request.POST or None, current=current, initial={"month": month})
    if request.method == "POST" and form.is_valid():
        try:
            services.frequency_set(calls=form.calls(), month=form.cleaned_data["month"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The visit frequency is saved."))
            return redirect("targets:target-list")
    return render(request, "reports/frequency_form.html", {"form": form}, status=400 if form.errors else 200)
