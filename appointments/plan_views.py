"""Monthly plans: a representative drafts and sends next month's calls, a manager approves or returns them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from appointments import plan_services as services
from appointments.models import MonthlyPlan
from appointments.plan_forms import PlanDecisionForm, PlanItemsForm, PlanMonthForm, plan_status_choices
from appointments.plan_selectors import plan_doctors, plan_list, plan_progress, suggested_calls
from doctors.territories import team_user_ids
from doctors.visibility import visible_doctors
from subscription.ui.permissions import MANAGER, company_role, is_representative, require


def _scope(request: HttpRequest) -> set[int] | None:
    """Whose plans the request sees: a representative their own; a manager their team ("team" filter)."""
    if is_representative(request):
        return {request.user.pk}
    if request.GET.get("who") == "team" or (request.GET.get("who") is None and company_role(request) == MANAGER):
        team = team_user_ids(request.user.pk)
        if team:
            return team
    return None


def _visible_plans(request: HttpRequest):
    return plan_list(representative_ids={request.user.pk} if is_representative(request) else None)


@require("plan_view")
def plan_list_view(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    plans = plan_list(representative_ids=scope)
    status = request.GET.get("status", "")
    if status in MonthlyPlan.Status.values:
        plans = plans.filter(status=status)
    context = {
        "plans": plans[:200],
        "status": status,
        "statuses": plan_status_choices(),
        "team_only": scope is not None and not is_representative(request),
        "month_form": PlanMonthForm(),
    }
    return render(request, "appointments/plan_list.html", context)


@require("plan_edit")
@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanMonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month to plan."))
        return redirect("plans:plan-list")
    try:
        plan = services.plan_create(representative=request.user, month=form.cleaned_data["month"], by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("plans:plan-list")
    return redirect("plans:plan-update", pk=plan.pk)


@require("plan_view")
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(_visible_plans(request), pk=pk)
    items = list(plan.items.select_related("doctor").order_by("doctor__category", "doctor__sort_name"))
    context = {
        "plan": plan,
        "items": items,
        "progress": plan_progress(plan.month, plan.representative),
        "own": plan.representative_id == request.user.pk,
        "decision_form": PlanDecisionForm(),
    }
    return render(request, "appointments/plan_detail.html", context)


def _own_plan(request: HttpRequest, pk: int) -> MonthlyPlan:
    plan = get_object_or_404(_visible_plans(request), pk=pk)
    if plan.representative_id != request.user.pk:
        raise PermissionDenied
    return plan


@require("plan_edit")
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick the doctors and the number of calls; the frequency their category asks for is suggested."""
    plan = _own_plan(request, pk)
    if not plan.is_editable:
        messages.warning(
            request, _("This plan is “%(status)s”, so it cannot be changed.") % {"status": plan.get_status_display()}
        )
        return redirect("plans:plan-detail", pk=plan.pk)
    wider = request.GET.get("scope") == "all"
    doctors = plan_doctors(plan, visible_doctors(request, scope="all" if wider else None))
    current = dict(plan.items.values_list("doctor_id", "calls"))
    form = PlanItemsForm(
        request.POST or None, doctors=doctors, current=current, suggested=suggested_calls(doctors, plan.month)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_set_items(plan=plan, calls=form.calls(), by=request.user)
            if "submit" in request.POST:
                services.plan_submit(plan=plan, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if "submit" in request.POST:
                messages.success(request, _("The plan is sent for approval."))
            else:
                messages.success(request, _("The plan is saved."))
            return redirect("plans:plan-detail", pk=plan.pk)
    context = {"plan": plan, "form": form, "wider": wider}
    return render(request, "appointments/plan_form.html", context, status=400 if form.errors else 200)


@require("plan_edit")
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _own_plan(request, pk)
    try:
        services.plan_submit(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The plan is sent for approval."))
    return redirect("plans:plan-detail", pk=plan.pk)


def _decide(request: HttpRequest, pk: int, decide, done: str) -> HttpResponse:
    plan = get_object_or_404(MonthlyPlan, pk=pk)
    form = PlanDecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        decide(plan=plan, by=request.user, comment=comment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:plan-detail", pk=plan.pk)
    messages.success(request, done)
    return redirect("plans:plan-detail", pk=plan.pk)


@require("plan_approve")
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.plan_approve, _("The plan is approved."))


@require("plan_approve")
@require_POST
def plan_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.plan_return, _("The plan is returned to the representative."))


@require("plan_edit")
@require_POST
def plan_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an approved plan's calls into the calendar in one click."""
    plan = _own_plan(request, pk)
    try:
        added = services.plan_schedule(plan=plan, by=request.user, staff=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            ngettext("%(count)d visit is added to the calendar.", "%(count)d visits are added to the calendar.", added)
            % {"count": added},
        )
    return redirect(f"/appointments/upcoming/?view=month&date={plan.month.isoformat()}")
