from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subscription.history import CompanyHistory
from subscription.tenant_base import MasterReference, TenantModel, TrackedModel
from subscription.ui.phones import phone_validator


class Patient(TrackedModel):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    doctor = models.ForeignKey(
        "doctors.Doctor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patients",
        verbose_name=_("attending doctor"),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = CompanyHistory()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    def get_absolute_url(self) -> str:
        return reverse("patients:patient-detail", args=[self.pk])


class PatientAccessLog(TenantModel):
    """Personal data: who looked at or changed a patient's record, and when.

    The record outlives the patient: deleting a patient is itself recorded, so the rows keep the
    patient's number and lose only the link.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Added")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    patient = models.ForeignKey(
        Patient, on_delete=models.SET_NULL, null=True, related_name="access_log", verbose_name=_("patient")
    )
    patient_number = models.PositiveBigIntegerField(_("patient number"), null=True)
    user = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("patient access record")
        verbose_name_plural = _("patient access records")
