from django.urls import path

from reports import target_views as views

app_name = "targets"

urlpatterns = [
    path("", views.target_list, name="target-list"),
    path("add/", views.target_create, name="target-create"),
    path("frequency/", views.frequency_update, name="frequency-update"),
    path("<id:pk>/edit/", views.target_update, name="target-update"),
    path("<id:pk>/delete/", views.target_delete, name="target-delete"),
]
