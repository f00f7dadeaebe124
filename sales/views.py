"""Sales: list with totals, detail, add, edit, delete (the import of distributors' files: import_views.py)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from doctors.visibility import visible_doctors
from sales import services
from sales.exports import SALES
from sales.forms import SaleFilterForm, SaleForm
from sales.models import Sale
from sales.selectors import sale_filter, sale_list, sale_totals
from subscription.ui.cards import card_sections
from subscription.ui.listing import CompanyListView
from subscription.ui.permissions import is_representative, require


def visible_sales(request: HttpRequest) -> QuerySet[Sale]:
    """The sale lines this user may see: a representative only their own."""
    return sale_list(representative=request.user if is_representative(request) else None)


class SaleListView(CompanyListView):
    permission = "sale_view"
    template_name = "sales/sale_list.html"
    context_object_name = "sales"
    search_fields = ("invoice_number", "distributor", "pharmacy", "product__name", "product__code")
    sort_options = {
        "date": ("date",),
        "product": ("product__name",),
        "quantity": ("quantity",),
        "amount": ("amount",),
    }
    text_sort_fields = {"product__name"}
    default_sort = "-date"
    export_spec = SALES

    @property
    def filter_form_class(self):
        return partial(SaleFilterForm, company=self.request.tenant, own_only=is_representative(self.request))

    def base_queryset(self) -> QuerySet[Sale]:
        return visible_sales(self.request)

    def apply_filters(self, queryset: QuerySet[Sale], data: dict) -> QuerySet[Sale]:
        return sale_filter(queryset, **data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = sale_totals(self.object_list)
        return context


@require("sale_view")
def sale_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sale = get_object_or_404(visible_sales(request), pk=pk)
    return render(request, "sales/sale_detail.html", {"sale": sale, "sections": card_sections(request, sale)})


def _form(request: HttpRequest, **kwargs) -> SaleForm:
    instance = kwargs.get("instance")
    include = [request.POST.get("doctor"), getattr(instance, "doctor_id", None)]
    return SaleForm(
        request.POST or None,
        company=request.tenant,
        user=request.user,
        own_only=is_representative(request),
        doctors=visible_doctors(request, include=include),
        **kwargs,
    )


def _save(request: HttpRequest, form: SaleForm, save) -> HttpResponse | None:
    """Run `save(**cleaned_data)` for a valid form; a redirect, or None to show the form again."""
    if request.method != "POST" or form.is_refresh or not form.is_valid():
        return None
    try:
        sale = save(**form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, _("The sale is saved."))
    return redirect("sales:sale-detail", pk=sale.pk)


@require("sale_edit")
def sale_create(request: HttpRequest) -> HttpResponse:
    form = _form(request, initial={"date": timezone.localdate()})
    response = _save(request, form, partial(services.sale_create, created_by=request.user))
    if response is not None:
        return response
    return render(request, "sales/sale_form.html", {"form": form.without_errors() if form.is_refresh else form})


@require("sale_edit")
def sale_update(request: HttpRequest, pk: int) -> HttpResponse:
    sale = get_object_or_404(visible_sales(request), pk=pk)
    form = _form(request, instance=sale)
    response = _save(request, form, partial(services.sale_update, sale=sale, updated_by=request.user))
    if response is not None:
        return response
    form = form.without_errors() if form.is_refresh else form
    return render(request, "sales/sale_form.html", {"form": form, "sale": sale})


@require("sale_edit")
def sale_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sale = get_object_or_404(visible_sales(request), pk=pk)
    if request.method == "POST":
        services.sale_delete(sale=sale, by=request.user)
        messages.success(request, _("The sale is deleted."))
        return redirect("sales:sale-list")
    return render(request, "sales/sale_delete.html", {"sale": sale})
