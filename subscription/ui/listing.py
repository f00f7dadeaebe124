"""The list page every company section shares: search, filters, sorting, pages, CSV/XLSX export.

class DoctorListView(CompanyListView):
    permission = "doctor_view"
    search_fields = ("last_name", "first_name", "code", "mobile_phone")
    filter_form_class = DoctorFilterForm        # a Form; apply_filters() maps it to the queryset
    sort_options = {"name": ("last_name", "first_name"), "code": ("code",)}
    text_sort_fields = {"last_name", "first_name"}   # sorted in Azerbaijani order
    export_spec = DOCTORS                       # an ExportSpec: the columns of the CSV/XLSX export
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.generic import ListView

from subscription.ui.aztext import AzFold, az_fold, az_ordered
from subscription.ui.exports import EXPORT_FORMATS, ExportSpec, export_response
from subscription.ui.permissions import PermissionMixin, can
from subscription.ui.search import search_needles


class CompanyListView(PermissionMixin, ListView):
    paginate_by = 25
    search_fields: tuple = ()  # field names, or expressions (e.g. digits of a phone number)
    # Or a column kept with subscription.ui.search.search_document (e.g. "doctor__search_text"): every
    # word typed must occur in it, or (when search_fields are given too) in one of those fields.
    search_column: str = ""
    filter_form_class = None
    sort_options: dict[str, tuple[str, ...]] = {}
    default_sort = ""
    text_sort_fields: set[str] = set()
    export_spec: ExportSpec | None = None

    # --- to override -------------------------------------------------------------------------
    def base_queryset(self) -> QuerySet:
        return super().get_queryset()

    def apply_filters(self, queryset: QuerySet, data: dict) -> QuerySet:
        """Narrow `queryset` by the filter form's cleaned data (fields named as model lookups)."""
        lookups = {name: value for name, value in data.items() if value not in (None, "", [])}
        return queryset.filter(**lookups)

    # --- machinery ---------------------------------------------------------------------------
    def get_queryset(self) -> QuerySet:
        queryset = self.base_queryset()
        self.filter_form = self.filter_form_class(self.request.GET or None) if self.filter_form_class else None
        if self.filter_form is not None and self.filter_form.is_valid():
            queryset = self.apply_filters(queryset, self.filter_form.cleaned_data)
        self.search = self.request.GET.get("q", "").strip()[:100]
        if self.search and self.search_column:
            queryset = self.search_by_column(queryset)
        elif self.search and self.search_fields:
            needle = az_fold(self.search)
            folded = {f"_search_{index}": AzFold(field) for index, field in enumerate(self.search_fields)}
            condition = Q()
            for alias in folded:
                condition |= Q(**{f"{alias}__contains": needle})
            queryset = queryset.alias(**folded).filter(condition)
        return queryset.order_by(*self.ordering_for(self.request.GET.get("sort", self.default_sort)))

    def search_by_column(self, queryset: QuerySet) -> QuerySet:
        """Every needle of the search in the kept column, or (per word) in one of the search fields."""
        folded = {f"_search_{index}": AzFold(field) for index, field in enumerate(self.search_fields)}
        if folded:
            queryset = queryset.alias(**folded)
        for needle in search_needles(self.search):
            condition = Q(**{f"{self.search_column}__contains": needle})
            for alias in folded:
                condition |= Q(**{f"{alias}__contains": needle})
            queryset = queryset.filter(condition)
        return queryset

    def ordering_for(self, sort: str) -> list:
        """order_by() arguments for a `sort` key such as "name" or "-name" (unknown keys: the default)."""
        if sort.lstrip("-") not in self.sort_options:
            sort = self.default_sort
        self.sort = sort
        if sort.lstrip("-") not in self.sort_options:
            return ["-pk"]
        descending = sort.startswith("-")
        ordering = [
            az_ordered(field, descending=descending)
            if field in self.text_sort_fields
            else (f"-{field}" if descending else field)
            for field in self.sort_options[sort.lstrip("-")]
        ]
        return [*ordering, "-pk" if descending else "pk"]

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export:
            if self.export_spec is None or not can(request, "export"):
                raise PermissionDenied
            if export not in EXPORT_FORMATS:
                return HttpResponseBadRequest(_("Unknown export format."))
            spec = self.export_spec
            rows = spec.rows(self.get_queryset())
            return export_response(filename=spec.name, columns=spec.headers(), rows=rows, fmt=export)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(filter_form=self.filter_form, search=self.search, sort=getattr(self, "sort", ""))
        return context
