from django.urls import path

from subscription import views

app_name = "settings"

urlpatterns = [
    path("", views.company_edit, name="company-edit"),
    path("users/", views.user_list, name="user-list"),
    path("users/add/", views.user_add, name="user-create"),
    path("users/<id:pk>/role/", views.user_role_edit, name="user-role-edit"),
    path("users/<id:pk>/password/", views.user_password_set, name="user-password"),
    path("users/<id:pk>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("users/<id:pk>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path("subscription/", views.subscription_detail, name="subscription-detail"),
]
