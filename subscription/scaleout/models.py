"""What the master database records about servers and moves (the servers themselves are in the settings)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TenantServer(models.Model):
    """An operator's decision about a configured server: does it take new companies?"""

    class State(models.TextChoices):
        OPEN = "open", _("Open to new companies")
        CLOSED = "closed", _("Closed to new companies")
        DRAINING = "draining", _("Draining (companies are moved off)")

    name = models.CharField(_("name"), max_length=30, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        app_label = "subscription"
        ordering = ["name"]
        verbose_name = _("database server")
        verbose_name_plural = _("database servers")

    def __str__(self) -> str:
        return self.name


class CompanyMove(models.Model):
    """One move of a company's database to another server, step by step, so a killed move can be finished."""

    class Step(models.TextChoices):
        STARTED = "started", _("Started: the company is read-only")
        FENCED = "fenced", _("The source refuses writes")
        COPIED = "copied", _("Copied")
        VERIFIED = "verified", _("Verified: same rows and checksums")
        SWITCHED = "switched", _("Switched: the company is on the new server")
        DONE = "done", pgettext_lazy("job state", "Done")  # not a held visit
        ROLLED_BACK = "rolled_back", _("Rolled back: the company stayed where it was")

    FINISHED = (Step.DONE, Step.ROLLED_BACK)

    company = models.ForeignKey("subscription.Company", on_delete=models.CASCADE, related_name="moves")
    source = models.CharField(_("from server"), max_length=30)
    target = models.CharField(_("to server"), max_length=30)
    step = models.CharField(_("step"), max_length=12, choices=Step.choices, default=Step.STARTED)
    drop_source = models.BooleanField(_("source dropped"), default=False)
    by = models.CharField(_("by"), max_length=150, blank=True)
    rows = models.PositiveBigIntegerField(_("rows copied"), default=0)
    read_only_ms = models.PositiveIntegerField(_("read-only for (ms)"), null=True, blank=True)
    kept_source = models.CharField(_("source kept as"), max_length=500, blank=True)
    message = models.TextField(_("message"), blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        app_label = "subscription"
        ordering = ["-started_at", "-pk"]
        verbose_name = _("company move")
        verbose_name_plural = _("company moves")
        constraints = [
            # Never two unfinished moves of one company.
            models.UniqueConstraint(
                fields=["company"],
                condition=~models.Q(step__in=["done", "rolled_back"]),
                name="one_unfinished_move_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.source} → {self.target} ({self.step})"

    @property
    def finished(self) -> bool:
        return self.step in self.FINISHED
