from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subscription.history import CompanyHistory
from subscription.tenant_base import MasterReference, TenantModel, TrackedModel
from subscription.ui.phones import phone_validator


class Currency(models.TextChoices):
    AZN = "AZN", "AZN"
    USD = "USD", "USD"
    EUR = "EUR", "EUR"


class Product(TrackedModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    form = models.CharField(_("form"), max_length=100, blank=True, help_text=_("Tablets, syrup, injection…"))
    strength = models.CharField(_("strength"), max_length=100, blank=True)
    pack = models.CharField(_("pack"), max_length=100, blank=True)
    price = models.DecimalField(
        _("price (AZN)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return " ".join(part for part in (self.name, self.strength, self.form) if part)


class Pharmacy(TrackedModel):
    """A pharmacy the company sells through and its representatives visit."""

    name = models.CharField(_("name"), max_length=200)
    city = MasterReference("regions.City", verbose_name=_("city or district"))
    chain = models.CharField(_("chain"), max_length=150, blank=True, help_text=_("The pharmacy chain, if any."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("pharmacy")
        verbose_name_plural = _("pharmacies")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "city"],
                name="pharmacy_name_city_once",
                violation_error_message=_("A pharmacy with this name is already recorded in this city."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.chain})" if self.chain else self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:pharmacy-detail", args=[self.pk])


class ImportBatch(TenantModel):
    """One imported file: its name, SHA-256, who imported it and when, how many sales it added; and,
    once undone, who removed its sales and when. A file is imported once unless its batch is undone."""

    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    rows = models.PositiveIntegerField(_("sales"), default=0)
    created_at = models.DateTimeField(_("imported"), default=timezone.now)
    created_by = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("undone by"), null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"], condition=models.Q(undone_at__isnull=True), name="import_file_once"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("sales:import-batch-detail", args=[self.pk])

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class Sale(TrackedModel):
    class Source(models.TextChoices):
        COMPANY_TO_DISTRIBUTOR = "company_distributor", _("Company → distributor")
        DISTRIBUTOR_TO_PHARMACY = "distributor_pharmacy", _("Distributor → pharmacy")

    date = models.DateField(_("date"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="sales", verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        _("unit price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.AZN)
    source = models.CharField(
        _("source"), max_length=30, choices=Source.choices, default=Source.DISTRIBUTOR_TO_PHARMACY
    )
    distributor = models.CharField(_("distributor"), max_length=200, blank=True)
    pharmacy = models.CharField(_("pharmacy"), max_length=200, blank=True)
    # The company's record of the pharmacy, when the form or the import names a known one.
    pharmacy_record = models.ForeignKey(
        Pharmacy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
        verbose_name=_("pharmacy record"),
    )
    region = MasterReference("regions.Region", verbose_name=_("region"), null=True)
    city = MasterReference("regions.City", verbose_name=_("city or district"), null=True)
    representative = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("representative"), null=True)
    doctor = models.ForeignKey(
        "doctors.Doctor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
        verbose_name=_("attributed doctor"),
    )
    invoice_number = models.CharField(_("invoice number"), max_length=50, blank=True)
    # The import that added the line (none for lines typed in): undoing the import removes exactly these.
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="sales",
        verbose_name=_("import"),
    )

    history = CompanyHistory()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        indexes = [models.Index(fields=["date"]), models.Index(fields=["representative", "date"])]

    def __str__(self) -> str:
        return f"{self.date} · {self.product} × {self.quantity}"

    def save(self, *args, **kwargs) -> None:
        self.fill_amount()
        super().save(*args, **kwargs)

    def fill_amount(self) -> None:
        if self.amount is None and self.quantity is not None and self.unit_price is not None:
            self.amount = self.unit_price * self.quantity

    def clean(self) -> None:
        self.fill_amount()
        if self.pharmacy_record_id and not self.pharmacy.strip():
            self.pharmacy = self.pharmacy_record.name
        if self.city_id and self.region_id and self.city.region_id != self.region_id:
            raise ValidationError({"city": _("This city is not in the chosen region.")})


class SampleStock(TenantModel):
    """The samples of one product lot that a representative holds now. Never below zero."""

    representative = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("representative"))
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="sample_stock", verbose_name=_("product")
    )
    lot = models.CharField(_("lot"), max_length=50)
    expiry = models.DateField(_("expiry"))
    quantity = models.PositiveIntegerField(_("on hand"), default=0)

    class Meta:
        ordering = ["expiry", "pk"]
        verbose_name = _("sample stock")
        verbose_name_plural = _("sample stock")
        constraints = [
            models.UniqueConstraint(fields=["representative", "product", "lot"], name="sample_stock_once"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="sample_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} · {self.lot}"


class SampleMovement(TenantModel):
    """One change of a representative's stock: issued by a manager, given at a call, or returned."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        GIVEN = "given", _("Given at a call")
        RETURNED = "returned", _("Taken back from a call report")

    stock = models.ForeignKey(SampleStock, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Positive for stock received (issued, returned), negative for stock given.
    quantity = models.IntegerField(_("quantity"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["stock", "kind"])]
