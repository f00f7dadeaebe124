from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from master_admin.models import ImpersonationSession
from subscription.selectors import user_label

# The Django admin holds the platform's master data and is for superusers only (DESIGN.md §1);
# staff who are not superusers are refused even if they were given model permissions.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser


@admin.register(ImpersonationSession)
class ImpersonationSessionAdmin(admin.ModelAdmin):
    list_display = ("superuser_name", "company", "reason", "started_at", "ended_at", "end_reason", "ip_address")
    list_filter = ("company", "superuser", "end_reason")
    search_fields = ("reason", "company__name", "superuser__username")
    date_hierarchy = "started_at"
    list_select_related = ("superuser", "company")

    @admin.display(description=_("superuser"), ordering="superuser__first_name")
    def superuser_name(self, obj: ImpersonationSession) -> str:
        return user_label(obj.superuser)

    def has_add_permission(self, request):
        return False  # sessions start from /master-admin/, which records them properly

    def has_change_permission(self, request, obj=None):
        return False  # an audit log is not edited

    def has_delete_permission(self, request, obj=None):
        return False
