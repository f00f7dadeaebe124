from django.urls import path

from doctors import territory_views as views

app_name = "territories"

urlpatterns = [
    path("", views.territory_list_view, name="territory-list"),
    path("add/", views.territory_create, name="territory-create"),
    path("<id:pk>/", views.territory_detail, name="territory-detail"),
    path("<id:pk>/edit/", views.territory_update, name="territory-update"),
    path("<id:pk>/delete/", views.territory_delete, name="territory-delete"),
    path("doctors/<id:pk>/assign/", views.doctor_assign, name="doctor-assign"),
]
