from django.urls import path

from appointments import plan_views as views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list_view, name="plan-list"),
    path("add/", views.plan_create, name="plan-create"),
    path("<id:pk>/", views.plan_detail, name="plan-detail"),
    path("<id:pk>/edit/", views.plan_update, name="plan-update"),
    path("<id:pk>/submit/", views.plan_submit, name="plan-submit"),
    path("<id:pk>/approve/", views.plan_approve, name="plan-approve"),
    path("<id:pk>/return/", views.plan_return, name="plan-return"),
    path("<id:pk>/schedule/", views.plan_schedule, name="plan-schedule"),
]
