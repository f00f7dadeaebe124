"""The <option> lists that dependent selects fetch when a region or city is chosen."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from regions.forms import _as_int, az_sorted
from regions.models import City, Clinic


@login_required
@require_GET
def city_options(request: HttpRequest) -> HttpResponse:
    region_id = _as_int(request.GET.get("region"))
    if region_id:
        cities = az_sorted(City.objects.active().filter(region_id=region_id))
    elif request.GET.get("any_city") == "1":
        cities = az_sorted(City.objects.active())  # a list's filter: no region means any city
    else:
        cities = City.objects.none()
    return render(
        request,
        "regions/options.html",
        {"options": cities, "reset_clinic": request.GET.get("with_clinic") == "1"},
    )


@login_required
@require_GET
def clinic_options(request: HttpRequest) -> HttpResponse:
    city_id = _as_int(request.GET.get("city"))
    clinics = az_sorted(Clinic.objects.active().filter(city_id=city_id)) if city_id else Clinic.objects.none()
    return render(request, "regions/options.html", {"options": clinics})
