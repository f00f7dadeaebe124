from django.urls import path

from master_admin import backup_views, server_views, views

app_name = "master_admin"

urlpatterns = [
    path("", views.company_list, name="company-list"),
    path("companies/<str:slug>/", views.company_detail, name="company-detail"),
    path("companies/<str:slug>/enter/", views.company_enter, name="company-enter"),
    path("companies/<str:slug>/refresh/", views.company_refresh, name="company-refresh"),
    path("companies/<str:slug>/check/", views.company_check, name="company-check"),
    path("companies/<str:slug>/suspend/", views.company_lifecycle, {"action": "suspend"}, name="company-suspend"),
    path("companies/<str:slug>/resume/", views.company_lifecycle, {"action": "resume"}, name="company-resume"),
    path(
        "companies/<str:slug>/archive/", views.company_lifecycle_confirm, {"action": "archive"}, name="company-archive"
    ),
    path("companies/<str:slug>/restore/", views.company_lifecycle, {"action": "restore"}, name="company-restore"),
    path("companies/<str:slug>/delete/", views.company_lifecycle_confirm, {"action": "delete"}, name="company-delete"),
    path("companies/<str:slug>/backup/", backup_views.company_backup, name="company-backup"),
    path("companies/<str:slug>/backups/", backup_views.company_backups, name="company-backups"),
    path(
        "companies/<str:slug>/backups/<int:backup_id>/restore/",
        backup_views.company_backup_restore,
        name="company-backup-restore",
    ),
    path("companies/<str:slug>/server/", server_views.company_server, name="company-server"),
    path("companies/<str:slug>/move/", server_views.company_move, name="company-move"),
    path("jobs/", backup_views.job_list, name="job-list"),
    path("servers/", server_views.server_list, name="server-list"),
    path("servers/<str:name>/state/", server_views.server_state, name="server-state"),
    path("exit/", views.impersonation_exit, name="impersonation-exit"),
    path("impersonations/", views.impersonation_list, name="impersonation-list"),
    path("analytics/", views.analytics, name="analytics-dashboard"),
    path("analytics/refresh/", views.analytics_refresh, name="analytics-refresh"),
    path("monitoring/", views.monitoring, name="monitoring-dashboard"),
    path("monitoring/check/", views.monitoring_check, name="monitoring-check"),
]
