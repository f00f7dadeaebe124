from django.urls import path

from appointments import call_views, views

app_name = "appointments"

urlpatterns = [
    path("", views.AppointmentListView.as_view(), name="appointment-list"),
    path("add/", views.appointment_create, name="appointment-create"),
    path("upcoming/", views.appointment_upcoming, name="appointment-upcoming"),
    path("today/", call_views.today, name="today"),
    path("report/", call_views.call_report_new, name="call-report-new"),
    path("<id:pk>/report/", call_views.call_report, name="call-report"),
    path("<id:pk>/", views.appointment_detail, name="appointment-detail"),
    path("<id:pk>/edit/", views.appointment_update, name="appointment-update"),
    path("<id:pk>/delete/", views.appointment_delete, name="appointment-delete"),
    path("<id:pk>/reopen/", views.appointment_reopen, name="appointment-reopen"),
]
