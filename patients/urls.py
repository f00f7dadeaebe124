from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="patient-list"),
    path("add/", views.patient_create, name="patient-create"),
    path("<id:pk>/", views.patient_detail, name="patient-detail"),
    path("<id:pk>/edit/", views.patient_update, name="patient-update"),
    path("<id:pk>/delete/", views.patient_delete, name="patient-delete"),
]
