"""Payments: list with totals and the approval queue, detail, drafts, approval, payment, cancellation."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payments import services
from payments.exports import PAYMENTS
from payments.forms import PaymentFilterForm, PaymentForm
from payments.models import Payment
from payments.selectors import AWAITING, awaiting_approval, payment_filter, payment_list, payment_totals
from subscription.ui.cards import card_sections
from subscription.ui.listing import CompanyListView
from subscription.ui.permissions import can, company_role, require


class PaymentListView(CompanyListView):
    permission = "payment_view"
    template_name = "payments/payment_list.html"
    context_object_name = "payments"
    search_column = "doctor__search_text"  # the doctor's names as typed on any keyboard, code, phones
    search_fields = ("counterparty", "reference", "notes")
    filter_form_class = PaymentFilterForm
    sort_options = {"date": ("date",), "amount": ("amount",), "status": ("status",), "direction": ("direction",)}
    default_sort = "-date"
    export_spec = PAYMENTS

    def base_queryset(self) -> QuerySet[Payment]:
        return payment_list()

    def apply_filters(self, queryset: QuerySet[Payment], data: dict) -> QuerySet[Payment]:
        return payment_filter(queryset, **data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = payment_totals(self.object_list)
        context["queue"] = self.filter_form.cleaned_data.get("queue", "") if self.filter_form.is_bound else ""
        if can(self.request, "payment_approve"):
            context["awaiting_count"] = awaiting_approval(Payment.objects.all()).count()
            # Rows this user may not approve (their own, or above their role's limit) say why instead.
            for payment in context["payments"]:
                payment.approval_refusal = _refusal(self.request, payment)
        return context


def _refusal(request: HttpRequest, payment: Payment) -> str:
    """Why this user may not approve `payment` (empty if they may, or if it is not for them to approve)."""
    if not can(request, "payment_approve"):
        return ""
    refusal = services.approval_refusal(
        payment=payment, by=request.user, role=company_role(request), company=request.tenant
    )
    return refusal.messages[0] if refusal is not None and refusal.code in services.APPROVER_REFUSALS else ""


def _detail(request: HttpRequest, payment: Payment, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "payment": payment,
        "error": error,
        "approval_refusal": _refusal(request, payment),
        "sections": card_sections(request, payment),
    }
    return render(request, "payments/payment_detail.html", context, status=status)


@require("payment_view")
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(payment_list(), pk=pk))


def _initial_from_query(request: HttpRequest) -> dict:
    """Links such as ?doctor=12&direction=outgoing or ?sale=40 start the form filled in."""
    initial = {"date": timezone.localdate()}
    initial.update(
        (name, request.GET[name]) for name in ("doctor", "sale", "appointment") if request.GET.get(name, "").isdigit()
    )
    if request.GET.get("direction") in Payment.Direction.values:
        initial["direction"] = request.GET["direction"]
    return initial


@require("payment_edit")
def payment_create(request: HttpRequest) -> HttpResponse:
    form = PaymentForm(request.POST or None, initial=_initial_from_query(request))
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The payment is saved as a draft."))
            return redirect("payments:payment-detail", pk=payment.pk)
    return render(request, "payments/payment_form.html", {"form": form})


def _refuse_unless_draft(request: HttpRequest, payment: Payment) -> HttpResponse | None:
    if payment.status == Payment.Status.DRAFT:
        return None
    message = _("Only a draft payment can be changed or deleted; this one is “%(status)s”.") % {
        "status": payment.get_status_display()
    }
    return _detail(request, payment, error=message, status=403)


@require("payment_edit")
def payment_update(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(payment_list(), pk=pk)
    refusal = _refuse_unless_draft(request, payment)
    if refusal is not None:
        return refusal
    form = PaymentForm(request.POST or None, instance=payment)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_update(payment=payment, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The payment is saved."))
            return redirect("payments:payment-detail", pk=payment.pk)
    return render(request, "payments/payment_form.html", {"form": form, "payment": payment})


@require("payment_edit")
def payment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(payment_list(), pk=pk)
    refusal = _refuse_unless_draft(request, payment)
    if refusal is not None:
        return refusal
    if request.method == "POST":
        try:
            services.payment_delete(payment=payment, by=request.user)
        except ValidationError as error:
            return _detail(request, payment, error=error.messages[0], status=409)
        messages.success(request, _("The draft payment is deleted."))
        return redirect("payments:payment-list")
    return render(request, "payments/payment_delete.html", {"payment": payment})


def _transition(request: HttpRequest, pk: int, service, done_message: str) -> HttpResponse:
    """Run a status change; a refusal shows the payment with the reason (409), nothing changed."""
    payment = get_object_or_404(payment_list(), pk=pk)
    try:
        service(payment=payment, by=request.user)
    except ValidationError as error:
        return _detail(request, payment, error=error.messages[0], status=409)
    messages.success(request, done_message)
    # The approval queue approves from the list and returns there; elsewhere, back to the payment.
    if request.POST.get("back") == "queue":
        return redirect(f"{reverse('payments:payment-list')}?queue={AWAITING}")
    return redirect("payments:payment-detail", pk=payment.pk)


@require("payment_approve")
@require_POST
def payment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    approve = partial(services.payment_approve, role=company_role(request), company=request.tenant)
    return _transition(request, pk, approve, _("The payment is approved."))


@require("payment_edit")
@require_POST
def payment_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.payment_mark_paid, _("The payment is marked paid."))


@require("payment_edit")
@require_POST
def payment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.payment_cancel, _("The payment is cancelled."))
