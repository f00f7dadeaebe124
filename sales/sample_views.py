"""Sample stock: managers issue it, representatives see their own, everyone with the right reads it."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sales.exports import SAMPLE_STOCK
from sales.field_forms import SampleIssueForm, SampleStockFilterForm
from sales.models import SampleStock
from sales.sample_selectors import sample_stock_filter, sample_stock_list
from sales.sample_services import sample_issue
from subscription.ui.listing import CompanyListView
from subscription.ui.permissions import is_representative, require


class SampleStockListView(CompanyListView):
    """Lots on hand per representative, with what was issued and given of each."""

    permission = "sample_view"
    template_name = "sales/sample_stock_list.html"
    context_object_name = "stock"
    search_fields = ("product__name", "product__code", "lot")
    sort_options = {"expiry": ("expiry",), "product": ("product__name", "expiry"), "quantity": ("quantity",)}
    text_sort_fields = {"product__name"}
    default_sort = "expiry"
    export_spec = SAMPLE_STOCK

    @property
    def filter_form_class(self):
        return partial(SampleStockFilterForm, company=self.request.tenant, own_only=is_representative(self.request))

    def base_queryset(self) -> QuerySet[SampleStock]:
        return sample_stock_list(representative=self.request.user if is_representative(self.request) else None)

    def apply_filters(self, queryset: QuerySet[SampleStock], data: dict) -> QuerySet[SampleStock]:
        return sample_stock_filter(queryset, today=timezone.localdate(), **data)

    def get_queryset(self) -> QuerySet[SampleStock]:
        queryset = super().get_queryset()
        if self.filter_form is None or not self.filter_form.is_bound:
            queryset = queryset.filter(quantity__gt=0)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


@require("sample_issue")
def sample_issue_view(request: HttpRequest) -> HttpResponse:
    form = SampleIssueForm(request.POST or None, company=request.tenant, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        try:
            stock = sample_issue(company=request.tenant, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(quantity)d samples of %(product)s (lot %(lot)s) issued; the representative now holds %(held)d.")
                % {
                    "quantity": form.cleaned_data["quantity"],
                    "product": stock.product,
                    "lot": stock.lot,
                    "held": stock.quantity,
                },
            )
            return redirect("sales:sample-stock")
    return render(request, "sales/sample_issue.html", {"form": form}, status=400 if form.errors else 200)
