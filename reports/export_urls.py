"""/settings/export/: the company's data export, one of the settings tabs (config/urls.py mounts it)."""

from django.urls import path

from reports import export_views

app_name = "export"

urlpatterns = [
    path("", export_views.data_export, name="data-export"),
    path("start/", export_views.data_export_start, name="data-export-start"),
]
