from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("", views.PaymentListView.as_view(), name="payment-list"),
    path("add/", views.payment_create, name="payment-create"),
    path("<id:pk>/", views.payment_detail, name="payment-detail"),
    path("<id:pk>/edit/", views.payment_update, name="payment-update"),
    path("<id:pk>/delete/", views.payment_delete, name="payment-delete"),
    path("<id:pk>/approve/", views.payment_approve, name="payment-approve"),
    path("<id:pk>/pay/", views.payment_mark_paid, name="payment-pay"),
    path("<id:pk>/cancel/", views.payment_cancel, name="payment-cancel"),
]
