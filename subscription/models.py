"""The platform's own data, in the master database: plans, companies, subscriptions, users."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from subscription.aliases import SLUG_RE, tenant_alias


class SubscriptionPlan(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    price_monthly = models.DecimalField(_("monthly price (AZN)"), max_digits=10, decimal_places=2)
    max_users = models.PositiveIntegerField(
        _("max users"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    max_doctors = models.PositiveIntegerField(
        _("max doctors"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["price_monthly", "code"]
        verbose_name = _("subscription plan")
        verbose_name_plural = _("subscription plans")

    def __str__(self) -> str:
        return self.name


class CompanyQuerySet(models.QuerySet):
    def with_live_database(self) -> CompanyQuerySet:
        """Companies whose database is in service (active or suspended), not archived or deleted."""
        return self.filter(lifecycle__in=Company.LIVE)


CURRENT_SUBSCRIPTION_FIELDS = ("pk", "status", "starts_on", "ends_on", "plan_id")


def current_subscription_columns(company_path: str) -> dict:
    """Subquery annotations reading the current subscription of the company at `company_path` (with its row)."""
    current = Subscription.objects.filter(
        company=models.OuterRef(company_path), starts_on__lte=timezone.localdate()
    ).order_by("-starts_on", "-pk")
    return {
        f"current_subscription_{name}": models.Subquery(current.values(name)[:1])
        for name in CURRENT_SUBSCRIPTION_FIELDS
    }


def attach_current_subscription(company: Company, row) -> Company:
    """Keep on `company` the subscription read by current_subscription_columns() on `row` (no query later)."""
    values = {name: getattr(row, f"current_subscription_{name}") for name in CURRENT_SUBSCRIPTION_FIELDS}
    company._current_subscription = Subscription(company=company, **values) if values["pk"] is not None else None
    return company


class Company(models.Model):
    class CurrencyDisplay(models.TextChoices):
        SYMBOL = "symbol", _("Sign (18 052,50 ₼)")
        CODE = "code", _("Code (18 052,50 AZN)")

    class Lifecycle(models.TextChoices):
        PROVISIONING = "provisioning", _("Being set up")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ARCHIVED = "archived", _("Archived")
        DELETED = "deleted", _("Deleted")

    # The states in which the company's database is in service, under its own name.
    LIVE = (Lifecycle.ACTIVE, Lifecycle.SUSPENDED)

    name = models.CharField(_("name"), max_length=200)
    slug = models.CharField(
        _("code"),
        max_length=50,
        unique=True,
        validators=[RegexValidator(SLUG_RE, _("Use 3 to 50 lower-case Latin letters, digits or hyphens."))],
        help_text=_("Names the company's database; cannot be changed later."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    tax_id = models.CharField(_("tax ID (VÖEN)"), max_length=20, blank=True)
    lifecycle = models.CharField(
        _("lifecycle"),
        max_length=12,
        choices=Lifecycle.choices,
        default=Lifecycle.ACTIVE,
        help_text=_("Changed only by the lifecycle actions of /master-admin/ or their manage.py commands."),
    )
    lifecycle_changed_at = models.DateTimeField(_("lifecycle changed"), null=True, blank=True)
    # A lifecycle step whose database work has started but is not recorded as done (a crash, a kill):
    # rerunning that step finishes it, and no other step is taken meanwhile.
    lifecycle_pending = models.CharField(_("lifecycle step in progress"), max_length=10, blank=True, editable=False)
    final_backup = models.CharField(
        _("final backup"), max_length=500, blank=True, help_text=_("Where the backup made before deletion is.")
    )
    # The database server the company's database is on (subscription/storage/servers.py). Changed only by
    # a move (subscription/scaleout/moves.py); empty: the default server of the settings.
    server = models.CharField(_("database server"), max_length=30, blank=True, editable=False, db_index=True)
    # The company's own settings (the owner's profile page).
    currency_display = models.CharField(
        _("money shown with"), max_length=10, choices=CurrencyDisplay.choices, default=CurrencyDisplay.SYMBOL
    )
    owner_approval_above = models.DecimalField(
        _("owner approves outgoing payments above"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "Outgoing payments of a larger amount (in the payment's own currency) need the owner's approval; "
            "empty: any manager may approve them."
        ),
    )
    doctor_code_prefix = models.CharField(
        _("doctor code prefix"),
        max_length=10,
        default="D",
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9-]*$", _("Use capital Latin letters, digits or hyphens."))],
        help_text=_("New doctors get the next code: the prefix and a number, e.g. D0042."),
    )
    doctor_code_digits = models.PositiveSmallIntegerField(
        _("digits in a doctor code"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("The number is padded with zeros to this many digits."),
    )

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.pk:
            stored = Company.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if stored is not None and stored != self.slug:
                raise ValidationError({"slug": _("A company's code cannot be changed: it names its database.")})

    @property
    def has_live_database(self) -> bool:
        return self.lifecycle in self.LIVE

    @property
    def database_alias(self) -> str:
        return tenant_alias(self.slug)

    def current_subscription(self) -> Subscription | None:
        """The subscription that governs access today: the latest one that has started."""
        today = timezone.localdate()
        read_with_company = getattr(self, "_current_subscription", ())
        if read_with_company != ():
            return read_with_company  # read in the same query as the company (CompanyQuerySet.with_access)
        subscriptions = getattr(self, "_prefetched_objects_cache", {}).get("subscriptions")
        if subscriptions is not None:
            started = [s for s in subscriptions if s.starts_on <= today]
            return max(started, key=lambda s: (s.starts_on, s.pk), default=None)
        return (
            self.subscriptions.filter(starts_on__lte=today).order_by("-starts_on", "-pk").select_related("plan").first()
        )


class Subscription(models.Model):
    class Status(models.TextChoices):
        TRIAL = "trial", _("Trial")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        CANCELLED = "cancelled", _("Cancelled")

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("company")
    )
    plan = models.ForeignKey(
        SubscriptionPlan, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("plan")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TRIAL)
    starts_on = models.DateField(_("starts on"), default=datetime.date.today)
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("Empty means open-ended."))

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.company} · {self.plan} · {self.get_status_display()}"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})

    def access(self, today: datetime.date | None = None) -> str:
        """'full', 'read_only' (lapsed, within the grace period) or 'blocked'."""
        today = today or timezone.localdate()
        if self.ends_on is None or today <= self.ends_on:
            if self.status in (self.Status.TRIAL, self.Status.ACTIVE):
                return "full"
            if self.status == self.Status.PAST_DUE or self.ends_on is not None:
                # A past-due bill, or a cancelled subscription running to its end date.
                return "read_only" if self.status == self.Status.PAST_DUE else "full"
            return "blocked"
        grace_end = self.ends_on + datetime.timedelta(days=settings.SUBSCRIPTION_GRACE_DAYS)
        return "read_only" if today <= grace_end else "blocked"


class UserProfile(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        REPRESENTATIVE = "representative", _("Representative")
        VIEWER = "viewer", _("Viewer")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("company"),
        help_text=_("Empty for platform staff."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="az")
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class TenantSchemaState(models.Model):
    """What migrate_tenants last did to a company's database (for skipping and monitoring)."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="schema_state")
    migration_key = models.CharField(max_length=64, blank=True)
    tenant_migration_key = models.CharField(max_length=64, blank=True)
    latest_migrations = models.JSONField(default=dict, blank=True)
    migrated_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # The last time a request found the database unusable (locked, missing, corrupt, unreachable), and why.
    last_fault = models.CharField(max_length=600, blank=True)
    last_fault_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tenant schema state")
        verbose_name_plural = _("tenant schema states")

    def __str__(self) -> str:
        return f"{self.company.slug}: {self.tenant_migration_key[:12]}"


class TenantBackup(models.Model):
    """One backup of a company's database in BACKUP_DIR: the catalogue that restores and drills read.

    `tables` holds each table's row count and content checksum as the backup holds them (read from the
    backup's own consistent view), so a restored copy can be compared with what was backed up.
    """

    class How(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        MANUAL = "manual", _("By hand")
        SAFETY = "safety", _("Before a restore")
        FINAL = "final", _("Before deletion")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="backups", verbose_name=_("company"))
    created_at = models.DateTimeField(_("made"), default=timezone.now, db_index=True)
    server = models.CharField(_("server"), max_length=200, help_text=_("Where the database was read from."))
    engine = models.CharField(_("engine"), max_length=20)
    file_name = models.CharField(_("file"), max_length=300, help_text=_("Relative to BACKUP_DIR."))
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, help_text=_("Of the file as stored."))
    encrypted = models.BooleanField(_("encrypted"), default=False)
    tenant_migration_key = models.CharField(_("schema state"), max_length=64, blank=True)
    latest_migrations = models.JSONField(_("latest migrations"), default=dict, blank=True)
    tables = models.JSONField(_("tables"), default=dict, blank=True)
    how = models.CharField(_("how made"), max_length=12, choices=How.choices, default=How.MANUAL)
    made_by = models.CharField(_("made by"), max_length=150, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    copy_file = models.CharField(_("copy"), max_length=500, blank=True)
    copy_checked_at = models.DateTimeField(_("copy checked"), null=True, blank=True)
    copy_error = models.CharField(_("copy error"), max_length=500, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_ok = models.BooleanField(_("verified good"), null=True, blank=True)
    verify_result = models.TextField(_("verification result"), blank=True)
    pruned_at = models.DateTimeField(_("pruned"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("company backup")
        verbose_name_plural = _("company backups")

    def __str__(self) -> str:
        return self.file_name


class Job(models.Model):
    """Long work a user asked for (a full export, a large import), run by the worker while the page polls it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", pgettext_lazy("job state", "Done")  # not a held visit
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("company"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("user")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    download_name = models.CharField(_("download name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


from subscription.scaleout.models import CompanyMove, TenantServer  # noqa: E402, F401 - models of this app
