import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subscription.history import CompanyHistory
from subscription.tenant_base import MasterReference, TenantModel, TrackedModel

# How long the author of a call report may still correct it; then it is locked (a manager may reopen it).
REPORT_EDIT_HOURS = 24


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

    class Kind(models.TextChoices):
        DOCTOR = "doctor", _("Doctor visit")
        PHARMACY = "pharmacy", _("Pharmacy visit")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DOCTOR)
    doctor = models.ForeignKey(
        "doctors.Doctor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("doctor"),
    )
    pharmacy = models.ForeignKey(
        "sales.Pharmacy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("pharmacy"),
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
    # The call report: when it was first sent and by whom; its author may correct it for a while.
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True, editable=False)
    reported_by = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, editable=False)
    follow_up = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("follow-up visit"),
    )

    history = CompanyHistory()

    class Meta:
        ordering = ["-planned_start"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["planned_start"]), models.Index(fields=["staff", "planned_start"])]

    def __str__(self) -> str:
        return f"{self.visited_name} · {self.planned_start:%Y-%m-%d %H:%M}"

    @property
    def visited_name(self) -> str:
        """Whom the visit is to: the doctor, or the pharmacy of a pharmacy visit."""
        if self.kind == self.Kind.PHARMACY and self.pharmacy_id:
            return str(self.pharmacy)
        return self.doctor.full_name if self.doctor_id else ""

    @property
    def is_locked(self) -> bool:
        """A finished visit is locked against the plan's edits; its call report has its own window
        (REPORT_EDIT_HOURS, for its author), and a manager may reopen it."""
        return self.status == self.Status.DONE

    @property
    def report_editable_until(self):
        if self.reported_at is None:
            return None
        return self.reported_at + datetime.timedelta(hours=REPORT_EDIT_HOURS)

    def report_editable_by(self, user, *, now=None) -> bool:
        """Whether `user` may still correct this done visit's call report (its author, for a day)."""
        until = self.report_editable_until
        return (
            self.status == self.Status.DONE
            and until is not None
            and self.reported_by_id == user.pk
            and (now or timezone.now()) < until
        )

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.PHARMACY:
            if not self.pharmacy_id:
                errors["pharmacy"] = _("Choose the pharmacy of a pharmacy visit.")
        elif not self.doctor_id:
            errors["doctor"] = _("Choose the doctor of the visit.")
        if self.next_step_date and self.planned_start and self.next_step_date < self.planned_start.date():
            errors["next_step_date"] = _("The next step cannot be before the visit.")
        if self.status == self.Status.DONE and self.planned_start and self.planned_start > timezone.now():
            errors["status"] = _("A visit cannot be done before it starts; report it once it has begun.")
        if errors:
            raise ValidationError(errors)


class CallDetail(TenantModel):
    """A product discussed at a call: the key message given and how the doctor responded."""

    class Response(models.TextChoices):
        WILL_PRESCRIBE = "will_prescribe", _("Will prescribe")
        INTERESTED = "interested", _("Interested")
        NEUTRAL = "neutral", _("Neutral")
        OBJECTION = "objection", _("Has objections")
        NOT_INTERESTED = "not_interested", _("Not interested")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="details")
    product = models.ForeignKey("sales.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    key_message = models.CharField(_("key message"), max_length=300, blank=True)
    response = models.CharField(_("response"), max_length=20, choices=Response.choices, default=Response.NEUTRAL)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["appointment", "product"], name="call_detail_product_once")]


class CallSample(TenantModel):
    """Samples given at a call, taken from the representative's stock of one lot."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="samples")
    stock = models.ForeignKey("sales.SampleStock", on_delete=models.PROTECT, related_name="+", verbose_name=_("lot"))
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["pk"]


class MonthlyPlan(TrackedModel):
    """A representative's plan of calls for one month, approved (or returned) by a manager."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    representative = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("representative"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(_("manager's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decided_by = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, editable=False)

    class Meta:
        ordering = ["-month", "pk"]
        verbose_name = _("monthly plan")
        verbose_name_plural = _("monthly plans")
        constraints = [models.UniqueConstraint(fields=["representative", "month"], name="one_plan_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("A plan is for a whole month: give its first day.")})


class PlanItem(TenantModel):
    """A doctor in a monthly plan, with the number of calls planned."""

    plan = models.ForeignKey(MonthlyPlan, on_delete=models.CASCADE, related_name="items")
    doctor = models.ForeignKey("doctors.Doctor", on_delete=models.PROTECT, related_name="plan_items")
    calls = models.PositiveSmallIntegerField(
        _("calls"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "doctor"], name="plan_doctor_once")]
