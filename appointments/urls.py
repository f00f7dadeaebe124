from django.urls import path

from appointments import views

app_name = "appointments"

urlpatterns = [
    path("", views.AppointmentListView.as_view(), name="appointment-list"),
    path("add/", views.appointment_create, name="appointment-create"),
    path("upcoming/", views.appointment_upcoming, name="appointment-upcoming"),
    path("<id:pk>/", views.appointment_detail, name="appointment-detail"),
    path("<id:pk>/edit/", views.appointment_update, name="appointment-update"),
    path("<id:pk>/delete/", views.appointment_delete, name="appointment-delete"),
    path("<id:pk>/reopen/", views.appointment_reopen, name="appointment-reopen"),
]
