from django.urls import path

from regions import views

app_name = "regions"

urlpatterns = [
    path("cities/", views.city_options, name="city-options"),
    path("clinics/", views.clinic_options, name="clinic-options"),
]
