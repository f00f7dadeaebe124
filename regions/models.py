"""Reference data shared by every company, kept once in the master database.

Tenant rows point here by id only (no database constraint across databases), so a row in use
is deactivated rather than deleted; `regions.services` checks every company before a delete.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ReferenceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ReferenceModel(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name_az"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Azerbaijani."""
        language = (get_language() or "az")[:2]
        return getattr(self, f"name_{language}", "") or self.name_az

    def delete(self, *args, **kwargs):
        from regions.services import reference_ensure_unused

        reference_ensure_unused(self)
        return super().delete(*args, **kwargs)


class Region(ReferenceModel):
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta(ReferenceModel.Meta):
        ordering = ["sort_order", "name_az"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class City(ReferenceModel):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cities", verbose_name=_("region"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="districts",
        verbose_name=_("part of"),
        help_text=_("For a district of a city (Baku's districts)."),
    )

    class Meta(ReferenceModel.Meta):
        verbose_name = _("city or district")
        verbose_name_plural = _("cities and districts")

    def clean(self) -> None:
        if self.parent_id and self.parent.region_id != self.region_id:
            raise ValidationError({"parent": _("The city this district belongs to is in another region.")})


class Specialization(ReferenceModel):
    class Meta(ReferenceModel.Meta):
        verbose_name = _("specialization")
        verbose_name_plural = _("specializations")


class Clinic(ReferenceModel):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        POLYCLINIC = "polyclinic", _("Polyclinic")
        PRIVATE = "private", _("Private clinic")
        CENTER = "center", _("Medical or research centre")
        PHARMACY = "pharmacy", _("Pharmacy")
        OTHER = "other", _("Other")

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="clinics", verbose_name=_("city"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HOSPITAL)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta(ReferenceModel.Meta):
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
