from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from doctors.lookup import doctor_lookup_values, reference_words
from subscription.history import CompanyHistory
from subscription.tenant_base import MasterReference, TenantModel, TenantQuerySet, TrackedModel
from subscription.ui.phones import phone_validator


class DoctorQuerySet(TenantQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        words = reference_words(objs)
        for doctor in objs:
            doctor.fill_lookup_fields(words)
        return super().bulk_create(objs, *args, **kwargs)


class Doctor(TrackedModel):
    class Category(models.TextChoices):
        A = "A", _("A — key")
        B = "B", _("B — regular")
        C = "C", _("C — occasional")

    code = models.CharField(_("code"), max_length=30, unique=True)
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    specialization = MasterReference("regions.Specialization", verbose_name=_("specialization"))
    second_specialization = MasterReference(
        "regions.Specialization", verbose_name=_("second specialization"), null=True
    )
    category = models.CharField(_("category"), max_length=1, choices=Category.choices, default=Category.B)
    region = MasterReference("regions.Region", verbose_name=_("region"))
    city = MasterReference("regions.City", verbose_name=_("city or district"))
    clinic = MasterReference("regions.Clinic", verbose_name=_("clinic"), null=True)
    position = models.CharField(_("position or department"), max_length=200, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=30, blank=True, validators=[phone_validator])
    work_phone = models.CharField(_("work phone"), max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    visit_hours = models.CharField(_("best days or hours to visit"), max_length=200, blank=True)
    representative = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("representative"), null=True)
    is_kol = models.BooleanField(_("key opinion leader"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    # Kept by save() and bulk_create() (doctors.lookup): one indexed column to search (names, code,
    # phones, specializations and city, with Latin-keyboard spellings) and one to sort by name, so
    # lists of thousands of doctors need no per-row Python functions in the database.
    search_text = models.TextField(editable=False, default="")
    sort_name = models.CharField(max_length=400, editable=False, default="", db_index=True)

    objects = DoctorQuerySet.as_manager()
    history = CompanyHistory(excluded_fields=["search_text", "sort_name"])

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("doctor")
        verbose_name_plural = _("doctors")
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["category", "is_active"]),
            models.Index(fields=["region", "city"]),
            models.Index(fields=["representative"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("doctors:doctor-detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    def fill_lookup_fields(self, words: dict | None = None) -> None:
        """The search and sort columns from the fields (`words`: reference names already read)."""
        self.search_text, self.sort_name = doctor_lookup_values(self, words)

    def save(self, *args, **kwargs) -> None:
        self.fill_lookup_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "sort_name"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.city_id and self.region_id and self.city.region_id != self.region_id:
            errors["city"] = _("This city is not in the chosen region.")
        if self.clinic_id and self.city_id and self.clinic.city_id != self.city_id:
            errors["clinic"] = _("This clinic is not in the chosen city.")
        if self.second_specialization_id and self.second_specialization_id == self.specialization_id:
            errors["second_specialization"] = _("The second specialization repeats the first.")
        if errors:
            raise ValidationError(errors)


class DoctorCodeSequence(TenantModel):
    """The last number given to a new doctor's code with this prefix (doctors.codes): one row per prefix,
    locked while a code is taken, so two doctors added at once never get the same code."""

    prefix = models.CharField(max_length=10, unique=True, blank=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last_number}"


class Territory(TrackedModel):
    """A named set of cities and districts worked by one or more representatives under a manager.

    Doctors belong to a territory through their city (a city's districts come with it); a doctor
    can also be assigned to named representatives (DoctorAssignment), wherever they work.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    manager = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("manager"), null=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territories:territory-detail", args=[self.pk])


class TerritoryCity(TenantModel):
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="cities")
    city = MasterReference("regions.City", verbose_name=_("city or district"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["territory", "city"], name="territory_city_once")]
        indexes = [models.Index(fields=["city"])]


class TerritoryMember(TenantModel):
    """A representative working a territory."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="members")
    user = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("representative"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["territory", "user"], name="territory_member_once")]
        indexes = [models.Index(fields=["user"])]


class DoctorAssignment(TenantModel):
    """A doctor assigned by name to a representative (besides the territory their city is in)."""

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="assignments")
    user = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("representative"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["doctor", "user"], name="doctor_assignment_once")]
        indexes = [models.Index(fields=["user"])]
