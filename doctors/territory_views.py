"""Territories: list, detail, add, edit, delete; and a doctor's assignment to representatives."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from doctors import territory_services as services
from doctors.models import Doctor, Territory
from doctors.territories import assigned_user_ids, territory_city_ids, territory_doctors_q, territory_list
from doctors.territory_forms import DoctorAssignForm, TerritoryForm
from doctors.visibility import visible_doctors
from regions.models import City
from subscription.selectors import user_label
from subscription.ui.permissions import require


def _people(territories: list[Territory]) -> None:
    """Attach `manager_name`, `member_names` and `city_names` to each territory (two master queries)."""
    user_ids = {t.manager_id for t in territories} | {m.user_id for t in territories for m in t.members.all()}
    users = get_user_model().objects.in_bulk([pk for pk in user_ids if pk])
    city_ids = {c.city_id for t in territories for c in t.cities.all()}
    cities = City.objects.in_bulk(city_ids)
    for territory in territories:
        territory.manager_name = user_label(users.get(territory.manager_id))
        territory.member_names = sorted(
            user_label(users[m.user_id]) for m in territory.members.all() if m.user_id in users
        )
        territory.city_names = sorted(cities[c.city_id].name for c in territory.cities.all() if c.city_id in cities)


@require("territory_view")
def territory_list_view(request: HttpRequest) -> HttpResponse:
    territories = list(territory_list(active=None))
    _people(territories)
    return render(request, "doctors/territory_list.html", {"territories": territories})


@require("territory_view")
def territory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_object_or_404(territory_list(active=None), pk=pk)
    _people([territory])
    doctors = Doctor.objects.filter(territory_doctors_q(territory), is_active=True)
    context = {
        "territory": territory,
        "doctor_count": doctors.count(),
        "category_counts": sorted(doctors.order_by().values_list("category").annotate(n=Count("pk"))),
        "place_count": len(territory_city_ids([territory.pk])),
    }
    return render(request, "doctors/territory_detail.html", context)


def _edit(request: HttpRequest, territory: Territory | None) -> HttpResponse:
    form = TerritoryForm(request.POST or None, instance=territory, company=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "company": request.tenant,
            "name": data["name"],
            "manager": data["manager"],
            "notes": data["notes"],
            "is_active": data["is_active"],
            "cities": data["cities"],
            "representatives": data["representatives"],
        }
        try:
            if territory is None:
                saved = services.territory_create(created_by=request.user, **fields)
            else:
                saved = services.territory_update(territory=territory, updated_by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Territory %(name)s saved.") % {"name": saved.name})
            return redirect(saved)
    return render(request, "doctors/territory_form.html", {"form": form, "territory": territory})


@require("territory_manage")
@require_http_methods(["GET", "POST"])
def territory_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require("territory_manage")
@require_http_methods(["GET", "POST"])
def territory_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Territory, pk=pk))


@require("territory_manage")
@require_http_methods(["GET", "POST"])
def territory_delete(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_object_or_404(Territory, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            services.territory_delete(territory=territory)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, _("Territory %(name)s deleted.") % {"name": territory.name})
            return redirect("territories:territory-list")
    context = {"territory": territory, "error": error}
    return render(request, "doctors/territory_delete.html", context, status=400 if error else 200)


@require("territory_manage")
@require_http_methods(["GET", "POST"])
def doctor_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign a doctor by name to representatives (they see and plan the doctor wherever they work)."""
    doctor = get_object_or_404(visible_doctors(request, scope="all"), pk=pk)
    form = DoctorAssignForm(request.POST or None, company=request.tenant, current=assigned_user_ids(doctor.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.doctor_assign(doctor=doctor, company=request.tenant, users=form.cleaned_data["users"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Representatives of %(name)s saved.") % {"name": doctor.full_name})
            return redirect(doctor)
    return render(request, "doctors/doctor_assign.html", {"form": form, "doctor": doctor})
