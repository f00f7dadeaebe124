"""The product catalogue: everyone reads it, managers keep it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sales import services
from sales.exports import PRODUCTS
from sales.forms import ProductFilterForm, ProductForm
from sales.models import Product
from sales.selectors import product_list, product_sales_summary
from subscription.ui.listing import CompanyListView
from subscription.ui.permissions import is_representative, require


class ProductListView(CompanyListView):
    permission = "product_view"
    template_name = "sales/product_list.html"
    context_object_name = "products"
    search_fields = ("name", "code", "form", "strength")
    filter_form_class = ProductFilterForm
    sort_options = {"name": ("name", "strength"), "code": ("code",), "price": ("price",)}
    text_sort_fields = {"name"}
    default_sort = "name"
    export_spec = PRODUCTS

    def base_queryset(self) -> QuerySet[Product]:
        return product_list()


@require("product_view")
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    own = request.user if is_representative(request) else None
    context = {"product": product, "summary": product_sales_summary(product, representative=own)}
    return render(request, "sales/product_detail.html", context)


@require("product_edit")
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The product is added."))
            return redirect("sales:product-detail", pk=product.pk)
    return render(request, "sales/product_form.html", {"form": form})


@require("product_edit")
def product_update(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The product is saved."))
            return redirect("sales:product-detail", pk=product.pk)
    return render(request, "sales/product_form.html", {"form": form, "product": product})


@require("product_edit")
def product_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """A product with sales cannot disappear: "deleting" it takes it out of new entries."""
    product = get_object_or_404(Product, pk=pk)
    if request.method == "POST":
        active = request.POST.get("active") == "1"
        services.product_set_active(product=product, active=active, by=request.user)
        if active:
            messages.success(request, _("The product is active again."))
        else:
            messages.success(request, _("The product is deactivated: it is no longer offered for new entries."))
        return redirect("sales:product-detail", pk=product.pk)
    return render(request, "sales/product_deactivate.html", {"product": product})
