"""The Doctors section: list with filters and export, detail, add, edit, delete."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from doctors import selectors, services
from doctors.exports import DOCTORS
from doctors.forms import DoctorFilterForm, DoctorForm
from doctors.models import Doctor
from doctors.territories import assigned_user_ids, doctor_territories, works_a_territory
from doctors.visibility import ALL, default_scope, may_look_wider, visible_doctors
from subscription.selectors import company_users, user_label
from subscription.ui.cards import card_sections
from subscription.ui.listing import CompanyListView
from subscription.ui.permissions import require


class DoctorListView(CompanyListView):
    permission = "doctor_view"
    template_name = "doctors/doctor_list.html"
    context_object_name = "doctors"
    paginate_by = 50
    search_column = "search_text"  # names, code, phones, specialties, city: see doctors.lookup
    sort_options = {
        "name": ("sort_name",),
        "code": ("code",),
        "category": ("category", "last_name", "first_name"),
        "city": ("city",),  # by the city's name: see ordering_for()
        "created": ("created_at",),
    }
    default_sort = "name"
    export_spec = DOCTORS

    @property
    def filter_form_class(self):
        scopes = may_look_wider(self.request) and works_a_territory(self.request.user.pk)
        return partial(DoctorFilterForm, company=self.request.tenant, scopes=scopes)

    def base_queryset(self) -> QuerySet[Doctor]:
        self.scope = self.request.GET.get("scope") or default_scope(self.request)
        return selectors.doctor_list(doctors=visible_doctors(self.request, scope=self.scope))

    def apply_filters(self, queryset: QuerySet[Doctor], data: dict) -> QuerySet[Doctor]:
        return selectors.doctor_filter(queryset, data)

    def ordering_for(self, sort: str) -> list:
        if sort.lstrip("-") != "city":
            return super().ordering_for(sort)
        # City names live in the master database; rank the company's rows by them.
        descending = sort.startswith("-")
        names = super().ordering_for("-name" if descending else "name")
        self.sort = sort
        rank = selectors.doctor_city_order()
        return [rank.desc() if descending else rank.asc(), *names]

    def get_queryset(self) -> QuerySet[Doctor]:
        queryset = super().get_queryset()
        if self.request.GET.get("export"):
            # An export looks names up in the reference tables read once (export_columns), which
            # beats prefetching them again for every chunk of thousands of doctors.
            return queryset.prefetch_related(None)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_placeholder"] = gettext_lazy("Name, code, phone, specialty or city")
        context["scope"] = self.scope
        return context


@login_required
@require("doctor_view")
def doctor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doctors = selectors.doctor_list(doctors=visible_doctors(request, scope=ALL))
    doctor = get_object_or_404(doctors.prefetch_related("created_by", "updated_by"), pk=pk)
    context = {
        "doctor": doctor,
        "sections": card_sections(request, doctor),
        "territories": list(doctor_territories(doctor)),
        "assigned_names": sorted(
            user_label(user) for user in company_users(request.tenant).filter(pk__in=assigned_user_ids(doctor.pk))
        ),
    }
    return render(request, "doctors/doctor_detail.html", context)


def _edit(request: HttpRequest, doctor: Doctor | None) -> HttpResponse:
    """The add and edit pages: the same form, saved by the matching service."""
    form = DoctorForm(request.POST or None, instance=doctor, company=request.tenant)
    if form.is_refresh:
        form.without_errors()
    elif request.method == "POST" and form.is_valid():
        try:
            if doctor is None:
                saved = services.doctor_create(company=request.tenant, created_by=request.user, **form.cleaned_data)
                messages.success(request, _("Doctor %(name)s added.") % {"name": saved.full_name})
            else:
                saved = services.doctor_update(
                    doctor=doctor, company=request.tenant, updated_by=request.user, **form.cleaned_data
                )
                messages.success(request, _("Changes to %(name)s saved.") % {"name": saved.full_name})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(saved)
    return render(request, "doctors/doctor_form.html", {"form": form, "doctor": doctor})


@login_required
@require("doctor_edit")
@require_http_methods(["GET", "POST"])
def doctor_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
@require("doctor_edit")
@require_http_methods(["GET", "POST"])
def doctor_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Doctor, pk=pk))


@login_required
@require("doctor_edit")
@require_http_methods(["GET", "POST"])
def doctor_delete(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = get_object_or_404(Doctor, pk=pk)
    if request.method == "POST":
        name = doctor.full_name
        if services.doctor_delete(doctor=doctor, deleted_by=request.user):
            messages.success(request, _("Doctor %(name)s deleted.") % {"name": name})
            return redirect("doctors:doctor-list")
        messages.warning(
            request,
            _(
                "%(name)s has visits, sales, payments or patients on record, so the doctor was "
                "deactivated instead of deleted. The history is kept."
            )
            % {"name": name},
        )
        return redirect(doctor)
    has_history = selectors.doctor_has_history(doctor=doctor)
    return render(request, "doctors/doctor_delete.html", {"doctor": doctor, "has_history": has_history})
