"""Building blocks for tenant models (models stored in each company's own database)."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subscription.tenancy import MASTER_APPS, WrongTenant, alias_company, current_tenant


def _companies_named(values: Iterable[Any]) -> set[str]:
    """The companies of the objects among `values` (in Q objects, lists and querysets too)."""
    found: set[str] = set()
    for value in values:
        if isinstance(value, models.Q):
            found |= _companies_named(child[1] if isinstance(child, tuple) else child for child in value.children)
        elif isinstance(value, models.Model):
            company = alias_company(value._state.db)
            if company is not None:
                found.add(company)
        elif isinstance(value, models.QuerySet):
            if value.model._meta.app_label in MASTER_APPS:
                # It would run as a subquery in the company's database, which has no master tables.
                raise TypeError(
                    f"A query of {value.model._meta.label} (master database) cannot filter company rows: "
                    "pass its ids instead, e.g. list(queryset.values_list('pk', flat=True))."
                )
            company = alias_company(value._db)
            if company is not None:
                found.add(company)
        elif isinstance(value, (list, tuple, set, frozenset)):
            found |= _companies_named(value)
    return found


def guard_values(model: type[models.Model], values: Iterable[Any]) -> None:
    """Raise WrongTenant if `values` name an object of a company other than the selected one."""
    selected = current_tenant()
    if selected is None:
        return  # the router refuses the query itself (NoTenantSelected)
    others = _companies_named(values) - {selected.slug}
    if others:
        raise WrongTenant(
            f"A query on {model._meta.label} names an object of company {sorted(others)[0]!r} "
            f"while {selected.slug!r} is selected."
        )


class TenantQuerySet(models.QuerySet):
    """Every tenant model's queryset: a filter or update naming another company's object raises WrongTenant."""

    def _filter_or_exclude_inplace(self, negate, args, kwargs):
        guard_values(self.model, (*args, *kwargs.values()))
        return super()._filter_or_exclude_inplace(negate, args, kwargs)

    def update(self, **kwargs):
        guard_values(self.model, kwargs.values())
        return super().update(**kwargs)


TenantManager = models.Manager.from_queryset(TenantQuerySet)


class TenantModel(models.Model):
    """The base of every model stored in each company's own database."""

    objects = TenantManager()

    class Meta:
        abstract = True


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


class TrackedModel(TenantModel):
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
