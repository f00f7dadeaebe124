"""Platform oversight data, in the master database."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImpersonationSessionQuerySet(models.QuerySet):
    def open(self):
        """Sessions neither ended nor expired."""
        return self.filter(ended_at__isnull=True, expires_at__gt=timezone.now())


class ImpersonationSession(models.Model):
    """A superuser working inside a company's system: who, where, why, and for how long."""

    superuser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="impersonation_sessions",
        verbose_name=_("superuser"),
    )
    company = models.ForeignKey(
        "subscription.Company",
        on_delete=models.PROTECT,
        related_name="impersonation_sessions",
        verbose_name=_("company"),
    )
    reason = models.CharField(_("reason"), max_length=500)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("how it ended"), max_length=40, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    read_only = models.BooleanField(_("read-only"), default=False)

    objects = ImpersonationSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("impersonation session")
        verbose_name_plural = _("impersonation sessions")

    def __str__(self) -> str:
        return f"{self.superuser} → {self.company} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()
