from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MasterAdminConfig(AppConfig):
    name = "master_admin"
    verbose_name = _("Master admin")
