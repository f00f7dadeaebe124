"""/accounts/: Django's login, logout, password change and reset (with this project's forms), and the second factor.

The URL names are Django's own (login, password_reset_confirm, ...), which its views and mails use.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from subscription.accounts import views
from subscription.accounts.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password_change/", auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm), name="password_change"
    ),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            extra_email_context={"site_name": "MedRep"},
        ),
        name="password_reset",
    ),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("two-factor/", views.second_factor_verify, name="second-factor-verify"),
    path("two-factor/setup/", views.second_factor_enrol, name="second-factor-enrol"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="second-factor-recovery-codes"),
]
