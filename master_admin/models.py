"""Platform oversight data, in the master database."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImpersonationSessionQuerySet(models.QuerySet):
    def open(self):
        """Sessions neither ended nor expired."""
        return self.filter(ended_at__isnull=True, expires_at__gt=timezone.now())


class ImpersonationSession(models.Model):
    """A superuser working inside a company's system: who, where, why, and for how long."""

    class EndReason(models.TextChoices):
        EXIT = "exit", _("Exited")
        SWITCHED = "switched", _("Switched to another company")
        EXPIRED = "expired", _("Expired")
        LOGOUT = "logout", _("Logged out")

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
    end_reason = models.CharField(_("how it ended"), max_length=40, choices=EndReason.choices, blank=True)
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


class TenantStatsSnapshot(models.Model):
    """A company's figures as last counted in its own database, so platform pages need not open hundreds.

    Refreshed by `manage.py refresh_platform_stats` and the analytics page's button.
    `monthly` maps "YYYY-MM" to {"visits": n, "sales": n, "sales_amount": "12.50", "doctors": n}.
    """

    company = models.OneToOneField(
        "subscription.Company", on_delete=models.CASCADE, related_name="stats_snapshot", verbose_name=_("company")
    )
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    doctors = models.PositiveIntegerField(_("doctors"), default=0)
    active_doctors = models.PositiveIntegerField(_("active doctors"), default=0)
    patients = models.PositiveIntegerField(_("patients"), default=0)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    sales = models.PositiveIntegerField(_("sale lines"), default=0)
    sales_amount = models.DecimalField(_("sales (AZN)"), max_digits=18, decimal_places=2, default=0)
    last_change_at = models.DateTimeField(_("last change"), null=True, blank=True)
    database_size = models.PositiveBigIntegerField(_("database size (bytes)"), null=True, blank=True)
    monthly = models.JSONField(_("figures by month"), default=dict, blank=True)
    error = models.TextField(_("last error"), blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)

    class Meta:
        verbose_name = _("company figures")
        verbose_name_plural = _("company figures")

    def __str__(self) -> str:
        return f"{self.company_id} @ {self.taken_at}"


class TenantIntegrityCheck(models.Model):
    """The last integrity check of a company's database (SQLite `PRAGMA quick_check`)."""

    company = models.OneToOneField(
        "subscription.Company", on_delete=models.CASCADE, related_name="integrity_check", verbose_name=_("company")
    )
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)
    ok = models.BooleanField(_("passed"), default=False)
    result = models.TextField(_("result"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("database integrity check")
        verbose_name_plural = _("database integrity checks")

    def __str__(self) -> str:
        return f"{self.company_id}: {'ok' if self.ok else 'failed'}"


class JobRun(models.Model):
    """One run of a background job (the worker's record): what, for which company, how long, how it ended."""

    class Result(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", pgettext_lazy("job state", "Done")  # not a held visit
        RETRYING = "retrying", _("Failed, will be retried")
        FAILED = "failed", _("Failed")

    task_id = models.CharField(_("task"), max_length=64, db_index=True)
    name = models.CharField(_("job"), max_length=100, db_index=True)
    periodic = models.BooleanField(_("periodic"), default=False)
    company_slug = models.CharField(_("company"), max_length=50, blank=True)
    requested_by = models.CharField(_("asked by"), max_length=150, blank=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.RUNNING)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.name} @ {self.started_at:%Y-%m-%d %H:%M} ({self.result})"
