from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("", views.PaymentListView.as_view(), name="payment-list"),
    path("add/", views.payment_create, name="payment-create"),
    path("<int:pk>/", views.payment_detail, name="payment-detail"),
    path("<int:pk>/edit/", views.payment_update, name="payment-update"),
    path("<int:pk>/delete/", views.payment_delete, name="payment-delete"),
    path("<int:pk>/approve/", views.payment_approve, name="payment-approve"),
    path("<int:pk>/pay/", views.payment_mark_paid, name="payment-pay"),
    path("<int:pk>/cancel/", views.payment_cancel, name="payment-cancel"),
]
