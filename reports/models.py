from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from subscription.tenant_base import MasterReference, TenantModel


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
