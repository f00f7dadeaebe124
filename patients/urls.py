from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="patient-list"),
    path("add/", views.patient_create, name="patient-create"),
    path("<int:pk>/", views.patient_detail, name="patient-detail"),
    path("<int:pk>/edit/", views.patient_update, name="patient-update"),
    path("<int:pk>/delete/", views.patient_delete, name="patient-delete"),
]
