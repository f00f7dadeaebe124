from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("saved/", views.saved_report_list, name="saved-report-list"),
    path("saved/<id:pk>/", views.saved_report_detail, name="saved-report-detail"),
    path("saved/<id:pk>/delete/", views.saved_report_delete, name="saved-report-delete"),
    path("<slug:kind>/", views.report_detail, name="report-detail"),
    path("<slug:kind>/save/", views.report_save_view, name="report-save"),
]
