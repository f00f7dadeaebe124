from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from subscription.tenant_base import MasterReference, TrackedModel


class Appointment(TrackedModel):
    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        MISSED = "missed", _("Missed")

    doctor = models.ForeignKey(
        "doctors.Doctor", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("doctor")
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("patient"),
    )
    staff = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("staff member"))
    planned_start = models.DateTimeField(_("planned start"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.IN_PERSON)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    products = models.ManyToManyField(
        "sales.Product", blank=True, related_name="appointments", verbose_name=_("products discussed")
    )
    outcome = models.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True)

    class Meta:
        ordering = ["-planned_start"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["planned_start"]), models.Index(fields=["staff", "planned_start"])]

    def __str__(self) -> str:
        return f"{self.doctor} · {self.planned_start:%Y-%m-%d %H:%M}"

    @property
    def is_locked(self) -> bool:
        """A finished visit is locked against edits (a manager may reopen it)."""
        return self.status == self.Status.DONE

    def clean(self) -> None:
        if self.next_step_date and self.planned_start and self.next_step_date < self.planned_start.date():
            raise ValidationError({"next_step_date": _("The next step cannot be before the visit.")})
