"""Building blocks for tenant models (models stored in each company's own database)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def MasterReference(to: str, *, verbose_name, null: bool = False, **kwargs) -> models.ForeignKey:
    """A tenant row's pointer to a master row: by id, across databases.

    No database constraint (the row lives in another database), DO_NOTHING (Django's delete
    collector would otherwise look for tenant rows in the master database) and no reverse
    accessor (a master row cannot see every company's rows).
    """
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        null=null,
        blank=null,
        verbose_name=verbose_name,
        **kwargs,
    )


class TrackedModel(models.Model):
    """Who created or last changed a row, and when."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    created_by = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, editable=False)
    updated_by = MasterReference(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, editable=False)

    class Meta:
        abstract = True


def editable_fields(model: type[models.Model], *, except_: tuple[str, ...] = ()) -> frozenset[str]:
    """The fields of `model` a form or a caller may set: the rest (who, when, states) belong to services."""
    return frozenset(
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in except_
    )


def assign_fields(obj: models.Model, fields: dict, editable: frozenset[str]) -> None:
    """Set `fields` on `obj`; a name outside `editable` is a programming error (TypeError), never saved."""
    unknown = set(fields) - editable
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no editable field(s) {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(obj, name, value)
