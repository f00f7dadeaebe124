"""The Patients section (personal data): list, detail, add, edit, delete; every look and change is logged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Replace
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from patients import selectors, services
from patients.forms import PatientFilterForm, PatientForm
from patients.models import Patient
from subscription.ui.cards import card_sections
from subscription.ui.listing import CompanyListView
from subscription.ui.permissions import MANAGERS, company_role, require


class PatientListView(CompanyListView):
    permission = "patient_view"
    template_name = "patients/patient_list.html"
    context_object_name = "patients"
    paginate_by = 50
    search_fields = ("last_name", "first_name", "patronymic", "phone", Replace(F("phone"), Value(" "), Value("")))
    filter_form_class = PatientFilterForm
    sort_options = {
        "name": ("last_name", "first_name", "patronymic"),
        "birth_date": ("birth_date",),
        "created": ("created_at",),
    }
    default_sort = "name"
    text_sort_fields = {"last_name", "first_name", "patronymic"}

    def get(self, request, *args, **kwargs):
        # Personal data does not leave in bulk: there is no patient export.
        if request.GET.get("export"):
            return HttpResponseBadRequest(_("Patient lists cannot be exported."))
        return super().get(request, *args, **kwargs)

    def base_queryset(self) -> QuerySet[Patient]:
        return selectors.patient_list()

    def apply_filters(self, queryset: QuerySet[Patient], data: dict) -> QuerySet[Patient]:
        return selectors.patient_filter(queryset, data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_placeholder"] = gettext_lazy("Name or phone")
        return context


@login_required
@require("patient_view")
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(
        Patient.objects.select_related("doctor").prefetch_related("created_by", "updated_by"), pk=pk
    )
    services.patient_record_view(patient=patient, user=request.user)
    context = {
        "patient": patient,
        "sections": card_sections(request, patient),
        "access_log": selectors.patient_access_log(patient=patient) if company_role(request) in MANAGERS else None,
    }
    return render(request, "patients/patient_detail.html", context)


def _edit(request: HttpRequest, patient: Patient | None) -> HttpResponse:
    """The add and edit pages: the same form, saved by the matching service."""
    form = PatientForm(request.POST or None, instance=patient)
    if patient is not None and request.method == "GET":
        # The edit form shows the whole record: that is a look at personal data too.
        services.patient_record_view(patient=patient, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if patient is None:
                saved = services.patient_create(created_by=request.user, **form.cleaned_data)
                messages.success(request, _("Patient %(name)s added.") % {"name": saved.full_name})
            else:
                saved = services.patient_update(patient=patient, updated_by=request.user, **form.cleaned_data)
                messages.success(request, _("Changes to %(name)s saved.") % {"name": saved.full_name})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(saved)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@login_required
@require("patient_edit")
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
@require("patient_edit")
@require_http_methods(["GET", "POST"])
def patient_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Patient, pk=pk))


@login_required
@require("patient_edit")
@require_http_methods(["GET", "POST"])
def patient_delete(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    if request.method == "POST":
        name = patient.full_name
        services.patient_delete(patient=patient, deleted_by=request.user)
        messages.success(request, _("Patient %(name)s deleted.") % {"name": name})
        return redirect("patients:patient-list")
    return render(request, "patients/patient_delete.html", {"patient": patient})
