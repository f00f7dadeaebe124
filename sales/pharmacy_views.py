"""Pharmacies: everyone reads them, managers keep them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sales import services
from sales.exports import PHARMACIES
from sales.field_forms import PharmacyFilterForm, PharmacyForm
from sales.models import Pharmacy
from sales.selectors import sale_list, sale_totals
from subscription.ui.listing import CompanyListView
from subscription.ui.permissions import is_representative, require


class PharmacyListView(CompanyListView):
    permission = "pharmacy_view"
    template_name = "sales/pharmacy_list.html"
    context_object_name = "pharmacies"
    search_fields = ("name", "chain", "address", "contact_person")
    filter_form_class = PharmacyFilterForm
    sort_options = {"name": ("name",), "chain": ("chain", "name")}
    text_sort_fields = {"name", "chain"}
    default_sort = "name"
    export_spec = PHARMACIES

    def base_queryset(self) -> QuerySet[Pharmacy]:
        return Pharmacy.objects.prefetch_related("city")

    def apply_filters(self, queryset: QuerySet[Pharmacy], data: dict) -> QuerySet[Pharmacy]:
        if data.get("city"):
            queryset = queryset.filter(city=data["city"])
        elif data.get("region"):
            # The region's cities are master rows: their ids, not a subquery the company's database cannot run.
            queryset = queryset.filter(city__in=list(data["region"].cities.values_list("pk", flat=True)))
        if data.get("chain"):
            queryset = queryset.filter(chain__icontains=data["chain"].strip())
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_placeholder"] = gettext_lazy("Name, chain, address or contact")
        return context


@require("pharmacy_view")
def pharmacy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pharmacy = get_object_or_404(Pharmacy.objects.prefetch_related("city", "created_by"), pk=pk)
    own = request.user if is_representative(request) else None
    sales = sale_list(representative=own).filter(pharmacy_record=pharmacy)
    context = {"pharmacy": pharmacy, "totals": sale_totals(sales), "sales": sales.order_by("-date", "-pk")[:10]}
    return render(request, "sales/pharmacy_detail.html", context)


def _edit(request: HttpRequest, pharmacy: Pharmacy | None) -> HttpResponse:
    form = PharmacyForm(request.POST or None, instance=pharmacy)
    if request.method == "POST" and form.is_valid():
        try:
            if pharmacy is None:
                saved = services.pharmacy_create(created_by=request.user, **form.cleaned_data)
            else:
                saved = services.pharmacy_update(pharmacy=pharmacy, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The pharmacy is saved."))
            return redirect(saved)
    return render(request, "sales/pharmacy_form.html", {"form": form, "pharmacy": pharmacy})


@require("pharmacy_edit")
def pharmacy_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require("pharmacy_edit")
def pharmacy_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Pharmacy, pk=pk))


@require("pharmacy_edit")
def pharmacy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A pharmacy with sales or visits is deactivated, never deleted."""
    pharmacy = get_object_or_404(Pharmacy, pk=pk)
    if request.method == "POST":
        if services.pharmacy_delete(pharmacy=pharmacy, by=request.user):
            messages.success(request, _("The pharmacy is deleted."))
            return redirect("sales:pharmacy-list")
        messages.warning(request, _("The pharmacy has sales or visits on record, so it is deactivated instead."))
        return redirect(pharmacy)
    return render(request, "sales/pharmacy_delete.html", {"pharmacy": pharmacy})
