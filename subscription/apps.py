from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionConfig(AppConfig):
    name = "subscription"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from subscription import aztext, tenancy  # noqa: F401  (connect their SQLite hooks)
