from django.contrib import admin

from master_admin.models import ImpersonationSession


@admin.register(ImpersonationSession)
class ImpersonationSessionAdmin(admin.ModelAdmin):
    list_display = ("superuser", "company", "reason", "started_at", "ended_at", "end_reason", "ip_address")
    list_filter = ("company", "superuser", "end_reason")
    search_fields = ("reason", "company__name", "superuser__username")
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False  # sessions start from /master-admin/, which records them properly

    def has_change_permission(self, request, obj=None):
        return False  # an audit log is not edited

    def has_delete_permission(self, request, obj=None):
        return False
