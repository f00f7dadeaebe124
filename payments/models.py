from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sales.models import Currency
from subscription.history import CompanyHistory
from subscription.tenant_base import MasterReference, TrackedModel


class Payment(TrackedModel):
    class Direction(models.TextChoices):
        INCOMING = "incoming", _("Incoming")
        OUTGOING = "outgoing", _("Outgoing")

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice payment")
        FEE = "fee", _("Fee for services")
        SPONSORSHIP = "sponsorship", _("Sponsorship")
        CONGRESS = "congress", _("Congress travel")
        GRANT = "grant", _("Grant or donation")
        OTHER = "other", _("Other")

    class Method(models.TextChoices):
        BANK = "bank", _("Bank transfer")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.AZN)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.BANK)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    doctor = models.ForeignKey(
        "doctors.Doctor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("doctor"),
    )
    clinic = MasterReference("regions.Clinic", verbose_name=_("clinic"), null=True)
    counterparty = models.CharField(_("other counterparty"), max_length=200, blank=True)
    sale = models.ForeignKey(
        "sales.Sale", on_delete=models.SET_NULL, null=True, blank=True, related_name="payments", verbose_name=_("sale")
    )
    product = models.ForeignKey(
        "sales.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("product"),
    )
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("visit"),
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    approved_by = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)

    history = CompanyHistory()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["date"]), models.Index(fields=["direction", "status"])]

    def __str__(self) -> str:
        return f"{self.date} · {self.amount} {self.currency} · {self.counterparty_name}"

    @property
    def counterparty_name(self) -> str:
        if self.doctor_id:
            return str(self.doctor)
        if self.clinic_id:
            return str(self.clinic)
        return self.counterparty

    def clean(self) -> None:
        if not (self.doctor_id or self.clinic_id or self.counterparty.strip()):
            raise ValidationError(_("Name a counterparty: a doctor, a clinic or a free-text name."))
        if self.direction == self.Direction.OUTGOING and self.kind == self.Kind.INVOICE:
            raise ValidationError({"kind": _("An invoice payment is incoming.")})
