"""Writes and checks on the shared reference data."""

from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from subscription.tenancy import TENANT_APPS, use_tenant

# Called with (model, ids) after reference rows were renamed; each returns what could not be updated.
# The apps that keep reference names in their own data register here (doctors: their search column).
_rename_listeners: list[Callable[..., list[str]]] = []


def on_reference_renamed(listener: Callable[..., list[str]]) -> None:
    """Register `listener(model=..., ids=...)`, called when reference rows' names change."""
    if listener not in _rename_listeners:
        _rename_listeners.append(listener)


def reference_names_changed(*, model: type[models.Model], ids: Iterable[int]) -> list[str]:
    """Tell the apps that keep copies of reference names that these rows were renamed.

    Returns what could not be brought up to date (a company whose database failed), for the caller to
    report; the `refresh_doctor_search` command catches up later.
    """
    ids = set(ids)
    failures: list[str] = []
    if ids:
        for listener in _rename_listeners:
            failures += listener(model=model, ids=ids)
    return failures


def tenant_references(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Every (tenant model, field name) that points at `model` across databases."""
    return [
        (tenant_model, field.name)
        for tenant_model in apps.get_models()
        if tenant_model._meta.app_label in TENANT_APPS
        for field in tenant_model._meta.concrete_fields
        if field.is_relation and field.related_model is model
    ]


def reference_usage(obj: models.Model) -> int:
    """How many companies' databases refer to `obj`."""
    from subscription.models import Company

    references = tenant_references(type(obj))
    if not references:
        return 0
    used_by = 0
    for company in Company.objects.filter(schema_state__isnull=False):
        with use_tenant(company):
            try:
                in_use = any(
                    tenant_model._base_manager.filter(Q(**{field: obj.pk})).exists()
                    for tenant_model, field in references
                )
            except DatabaseError as error:
                # Fail closed: a database we cannot read might refer to the row.
                raise ValidationError(
                    _("The database of “%(company)s” could not be checked (%(error)s); nothing was deleted."),
                    params={"company": company, "error": error},
                ) from error
        used_by += in_use
    return used_by


def reference_ensure_unused(obj: models.Model) -> None:
    """Raise ValidationError if any company's data refers to `obj`."""
    used_by = reference_usage(obj)
    if used_by:
        raise ValidationError(
            ngettext(
                "“%(name)s” is used by %(count)d company and cannot be deleted; deactivate it instead.",
                "“%(name)s” is used by %(count)d companies and cannot be deleted; deactivate it instead.",
                used_by,
            )
            % {"name": obj, "count": used_by},
            code="in_use",
        )
