from django.urls import path

from doctors import views

app_name = "doctors"

urlpatterns = [
    path("", views.DoctorListView.as_view(), name="doctor-list"),
    path("add/", views.doctor_create, name="doctor-create"),
    path("<id:pk>/", views.doctor_detail, name="doctor-detail"),
    path("<id:pk>/edit/", views.doctor_update, name="doctor-update"),
    path("<id:pk>/delete/", views.doctor_delete, name="doctor-delete"),
]
