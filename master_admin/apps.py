from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MasterAdminConfig(AppConfig):
    name = "master_admin"
    verbose_name = _("Master admin")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_end_impersonation_on_logout, dispatch_uid="master_admin.end_impersonation")
        from master_admin import job_log

        job_log.connect()


def _end_impersonation_on_logout(sender, request, user, **kwargs) -> None:
    """Logging out ends an open impersonation session, so the log shows when it really ended."""
    if user is not None and user.is_superuser:
        from master_admin.models import ImpersonationSession
        from master_admin.services import impersonation_end

        impersonation_end(superuser=user, reason=ImpersonationSession.EndReason.LOGOUT)
