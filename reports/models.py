from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from doctors.models import Doctor
from subscription.tenant_base import MasterReference, TenantModel, TrackedModel


class Report(TenantModel):
    """A generated report saved with its period, parameters and rows, to download again."""

    class Kind(models.TextChoices):
        COVERAGE = "coverage", _("Coverage of A/B/C doctors")
        VISITS_PER_REP = "visits_per_rep", _("Visits per representative")
        VISITS_PLAN = "visits_plan", _("Visits planned vs done")
        SALES_MONTH = "sales_month", _("Sales by month")
        SALES_REGION = "sales_region", _("Sales by region")
        SALES_PRODUCT = "sales_product", _("Sales by product")
        SALES_REP = "sales_rep", _("Sales by representative")
        PAYMENTS_KIND = "payments_kind", _("Payments by type")
        PAYMENTS_DOCTOR = "payments_doctor", _("Payments by doctor (yearly disclosure)")
        TARGETS = "targets", _("Target vs actual")
        PLAN_DONE = "plan_done", _("Monthly plans: planned vs done")
        SAMPLES = "samples", _("Sample accountability")

    kind = models.CharField(_("report"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    created_by = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.title


class VisitFrequency(TenantModel):
    """Calls a month that a doctor of a category should get: the company's default, or one month's."""

    category = models.CharField(_("category"), max_length=1, choices=Doctor.Category.choices)
    month = models.DateField(_("month"), null=True, blank=True, help_text=_("Empty: the company's default."))
    calls = models.PositiveSmallIntegerField(
        _("calls a month"), validators=[MinValueValidator(0), MaxValueValidator(31)]
    )

    class Meta:
        ordering = ["month", "category"]
        verbose_name = _("visit frequency")
        verbose_name_plural = _("visit frequencies")
        constraints = [
            models.UniqueConstraint(
                fields=["category"], condition=Q(month__isnull=True), name="frequency_default_once"
            ),
            models.UniqueConstraint(
                fields=["category", "month"], condition=Q(month__isnull=False), name="frequency_month_once"
            ),
        ]


class SalesTarget(TrackedModel):
    """Packs (and money) of a product to sell in a month, by a representative or in a territory."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    product = models.ForeignKey("sales.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    representative = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("representative"), null=True)
    territory = models.ForeignKey(
        "doctors.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales_targets",
        verbose_name=_("territory"),
    )
    quantity = models.PositiveIntegerField(_("packs"), validators=[MinValueValidator(1)])
    amount = models.DecimalField(
        _("amount (AZN)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["-month", "pk"]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(representative__isnull=False, territory__isnull=True)
                | Q(representative__isnull=True, territory__isnull=False),
                name="target_for_rep_or_territory",
            ),
            models.UniqueConstraint(
                fields=["month", "product", "representative"],
                condition=Q(representative__isnull=False),
                name="target_rep_once",
            ),
            models.UniqueConstraint(
                fields=["month", "product", "territory"],
                condition=Q(territory__isnull=False),
                name="target_territory_once",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("targets:target-update", args=[self.pk])

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("A target is for a whole month: give its first day.")})
        if bool(self.representative_id) == bool(self.territory_id):
            raise ValidationError(_("Set the target for a representative or for a territory (one of the two)."))
