"""Change history of company records (django-simple-history), kept in the company's own database.

A tracked model declares `history = CompanyHistory()`; its historical model (`HistoricalDoctor`) lives
in the same tenant app, so the router sends its rows to the selected company's database like the
model's own, and its queryset is guarded like every tenant model's (TenantQuerySet). Who made a change
is a master-database user kept by id (as subscription.tenant_base.MasterReference does): the record's
`updated_by`, or whoever a service names with `history_context(by=...)`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.manager import HistoricalQuerySet
from simple_history.models import HistoricalRecords

from subscription.tenant_base import TenantModel, TenantQuerySet

# Columns derived from others, or who/when stamps the history records itself.
NOT_SHOWN = frozenset({"created_at", "updated_at", "created_by", "updated_by"})

_actor: contextvars.ContextVar[AbstractUser | None] = contextvars.ContextVar("history_actor", default=None)
_reason: contextvars.ContextVar[str] = contextvars.ContextVar("history_reason", default="")


@contextmanager
def history_context(*, by: AbstractUser | None = None, reason: str = "") -> Iterator[None]:
    """Changes made in the block are recorded as `by`'s, with `reason` (e.g. a deletion by an import's undo)."""
    actor, why = _actor.set(by), _reason.set(reason)
    try:
        yield
    finally:
        _actor.reset(actor)
        _reason.reset(why)


def record_change(instance: models.Model, *, by: AbstractUser | None, reason: str = "") -> None:
    """Record `instance` as it is now as a change by `by`: for writes that bypass save(), such as a
    conditional UPDATE (a payment's approval)."""
    type(instance).history.bulk_history_create([instance], update=True, default_user=by, default_change_reason=reason)


class TenantHistoricalQuerySet(HistoricalQuerySet, TenantQuerySet):
    """A record's history (`doctor.history.all()`), guarded like every tenant queryset."""


def _user_of(historical) -> AbstractUser | None:
    """The user who made the change (a master row, read by id; None if it is gone)."""
    if historical.history_user_id is None:
        return None
    return get_user_model().objects.filter(pk=historical.history_user_id).first()


def _set_user(historical, user) -> None:
    historical.history_user_id = getattr(user, "pk", user)


class CompanyHistory(HistoricalRecords):
    """`history = CompanyHistory(excluded_fields=[...])` on a tenant model."""

    def __init__(self, *, excluded_fields: list[str] | None = None) -> None:
        super().__init__(
            bases=[TenantModel],
            excluded_fields=excluded_fields,
            history_user_id_field=models.IntegerField(null=True, blank=True, db_index=True),
            history_user_getter=_user_of,
            history_user_setter=_set_user,
            historical_queryset=TenantHistoricalQuerySet,
            history_change_reason_field=models.CharField(max_length=200, blank=True, default=""),
        )

    def get_history_user(self, instance):
        """`history_context`'s user, else the one a service set on the instance, else its `updated_by`."""
        return _actor.get() or getattr(instance, "_history_user", None) or getattr(instance, "updated_by_id", None)

    def get_change_reason_for_object(self, instance, history_type, using) -> str:
        return _reason.get() or super().get_change_reason_for_object(instance, history_type, using) or ""
