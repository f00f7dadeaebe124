"""The superusers' server pages: a company's database server (move it to another), and every server."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from master_admin import server_selectors, server_services
from master_admin.server_forms import MoveCompanyForm
from master_admin.views import superuser_required
from subscription.models import Company
from subscription.provisioning import provisioning_error_message
from subscription.scaleout.models import TenantServer
from subscription.scaleout.moves import move_refusal

ASKED_KEY = "move_job_asked:%s"  # in the superuser's session: when a move of the company was asked


def _asked_at(request: HttpRequest, company: Company) -> datetime.datetime | None:
    value = request.session.get(ASKED_KEY % company.slug)
    return datetime.datetime.fromisoformat(value) if value else None


def _move_form(company: Company, data=None) -> MoveCompanyForm:
    return MoveCompanyForm(data, company=company, targets=server_selectors.move_targets(company))


def server_context(request: HttpRequest, company: Company) -> dict:
    """What the company page's server card shows (it polls itself while a move of the company is under way)."""
    return {
        "company": company,
        "database_server": server_selectors.company_server(company),
        "moves": server_selectors.company_moves(company),
        "failed_move_job": server_selectors.failed_move_job(company),
        "move_form": _move_form(company),
        "move_refusal": move_refusal(company),
        "move_under_way": server_selectors.move_under_way(company, _asked_at(request, company)),
    }


@require_GET
@superuser_required
def company_server(request: HttpRequest, slug: str) -> HttpResponse:
    company = get_object_or_404(Company, slug=slug)
    return render(request, "master_admin/_server_card.html", server_context(request, company))


@require_POST
@superuser_required
def company_move(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Move to…": queue the move; the company page's server card shows its steps."""
    company = get_object_or_404(Company, slug=slug)
    form = _move_form(company, request.POST)
    back = reverse("master_admin:company-detail", args=[company.slug]) + "#server"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    asked = timezone.now()  # before the job: in immediate mode it has run when the call returns
    target = form.cleaned_data["target"]
    try:
        server_services.move_request(
            superuser=request.user, company=company, target=target, drop_source=form.cleaned_data["drop_source"]
        )
    except ValidationError as error:
        messages.error(request, provisioning_error_message(error))
    else:
        request.session[ASKED_KEY % company.slug] = asked.isoformat()
        messages.success(
            request,
            _("%(company)s is being moved to %(server)s; it is read-only until that is done. Its steps appear below.")
            % {"company": company.name, "server": target},
        )
    return redirect(back)


@require_GET
@superuser_required
def server_list(request: HttpRequest) -> HttpResponse:
    """Every server: state, companies, size, replica lag or problem; the moves under way."""
    context = {"servers": server_selectors.server_lines(), "unfinished_moves": server_selectors.unfinished_moves()}
    return render(request, "master_admin/server_list.html", context)


@require_POST
@superuser_required
def server_state(request: HttpRequest, name: str) -> HttpResponse:
    """Open, close or drain a server (whether it takes new companies)."""
    state = request.POST.get("state", "")
    try:
        server_services.server_state_change(superuser=request.user, name=name, state=state)
    except ValidationError as error:
        if error.code == "unknown":
            raise Http404(provisioning_error_message(error)) from None
        messages.error(request, provisioning_error_message(error))
    else:
        messages.success(
            request, _("%(server)s: %(state)s.") % {"server": name, "state": TenantServer.State(state).label}
        )
    return redirect("master_admin:server-list")
