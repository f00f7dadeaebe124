from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class SubscriptionConfig(AppConfig):
    name = "subscription"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Imported for their connection_created hooks (SQLite hardening, Azerbaijani collation).
        from django.urls import register_converter

        from subscription import tenancy  # noqa: F401
        from subscription.ui import aztext  # noqa: F401
        from subscription.ui.converters import IdConverter

        register_converter(IdConverter, "id")
        register_user_limit()
        checks.register(check_servers)


def check_servers(app_configs=None, **kwargs) -> list:
    """TENANT_SERVERS, TENANT_DATABASE_URL and TENANT_REPLICAS must read as servers (one line if not)."""
    from django.core.exceptions import ImproperlyConfigured

    from subscription.storage import servers

    try:
        servers.configured()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="subscription.E001")]
    return []


def register_user_limit() -> None:
    from subscription.limits import PlanLimit, register_limit

    register_limit(
        PlanLimit(
            key="users",
            label=_("Active users"),
            plan_field="max_users",
            in_use=lambda company: company.profiles.filter(user__is_active=True).count(),
            refusal=_(
                "The %(plan)s plan allows %(limit)d active users and the company has reached it. "
                "Deactivate a user first, or ask about a larger plan."
            ),
        )
    )
