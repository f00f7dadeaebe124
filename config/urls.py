from django.contrib import admin
from django.urls import include, path

from config import views
from reports import views as reports_views

urlpatterns = [
    path("health/", views.health, name="health"),
    # Browsers ask for /favicon.ico on pages that name no icon (the Django admin's).
    path("favicon.ico", views.favicon),
    path("accounts/", include("subscription.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("master-admin/", include("master_admin.urls")),
    path("doctors/", include("doctors.urls")),
    path("territories/", include("doctors.territory_urls")),
    path("patients/", include("patients.urls")),
    path("appointments/", include("appointments.urls")),
    path("plans/", include("appointments.plan_urls")),
    path("sales/", include("sales.urls")),
    path("payments/", include("payments.urls")),
    path("reports/", include("reports.urls")),
    path("targets/", include("reports.target_urls")),
    path("settings/export/", include("reports.export_urls")),
    path("jobs/", include("subscription.job_urls")),
    path("settings/", include("subscription.urls")),
    path("reference/", include("regions.urls")),
    path("", reports_views.dashboard, name="dashboard"),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
