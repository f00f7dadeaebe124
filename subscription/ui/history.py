"""A record's change history as its page shows it: who changed which field, when, old → new.

Apps add the section to their records' pages (subscription.ui.cards) from AppConfig.ready():

    add_card_section("sales.Sale", history_section(permission="sale_view"))

The names behind ids (a doctor, a region, a user) are read once per kind for the whole section.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from subscription.history import NOT_SHOWN
from subscription.selectors import user_label
from subscription.ui.cards import CardSection
from subscription.ui.money import format_number

MAX_SHOWN_CHARS = 200
KINDS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One saved change of a record: when, by whom, and the fields it changed."""

    when: datetime.datetime
    who: str
    kind: str  # created, changed or deleted
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


def history_section(*, permission: str, order: int = 100, limit: int = 10) -> CardSection:
    """The "Changes" section of a tracked model's page (its `history = CompanyHistory()`)."""
    return CardSection(
        key="history",
        order=order,
        limit=limit,
        permission=permission,
        template="_card_history.html",
        rows=lambda request, obj: obj.history.order_by("-history_id"),
        present=history_entries,
    )


def history_entries(request: HttpRequest, rows: list, queryset: QuerySet) -> list[HistoryEntry]:
    """The shown history rows (newest first) as entries, each compared with the version before it."""
    if not rows:
        return []
    before_last = queryset.filter(history_id__lt=rows[-1].history_id).order_by("-history_id").first()
    pairs = list(zip(rows, [*rows[1:], before_last], strict=True))
    fields = _shown_fields(rows[0])
    names = _names(fields, rows + ([before_last] if before_last else []))
    users = {user.pk: user_label(user) for user in _users({row.history_user_id for row in rows})}
    entries = []
    for row, previous in pairs:
        entry = HistoryEntry(
            when=row.history_date,
            who=users.get(row.history_user_id, ""),
            kind=KINDS.get(row.history_type, "changed"),
            reason=row.history_change_reason or "",
        )
        if row.history_type == "~" and previous is not None:
            entry.changes = [
                Change(
                    str(capfirst(model_field.verbose_name)),
                    _shown(model_field, old, names),
                    _shown(model_field, new, names),
                )
                for model_field in fields
                if (old := getattr(previous, model_field.attname)) != (new := getattr(row, model_field.attname))
            ]
        entries.append(entry)
    return entries


def _shown_fields(row) -> list[models.Field]:
    """The tracked fields a person reads (not who/when stamps or derived columns)."""
    return [
        model_field
        for model_field in row.instance_type._meta.concrete_fields
        if not model_field.primary_key
        and model_field.name not in NOT_SHOWN
        and model_field.name not in row._history_excluded_fields
    ]


def _users(ids: set) -> list:
    wanted = {pk for pk in ids if pk is not None}
    return list(get_user_model().objects.filter(pk__in=wanted)) if wanted else []


def _names(fields: list[models.Field], rows: list) -> dict[tuple[type, object], str]:
    """Names of the rows the relations of `rows` point to: one query per related model."""
    wanted: dict[type, set] = defaultdict(set)
    for model_field in fields:
        if model_field.is_relation:
            wanted[model_field.related_model] |= {getattr(row, model_field.attname) for row in rows} - {None}
    names = {}
    for model, ids in wanted.items():
        for obj in model._base_manager.filter(pk__in=ids):
            names[model, obj.pk] = user_label(obj) if model is get_user_model() else str(obj)
    return names


def _shown(model_field: models.Field, value, names: dict) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value}")
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return date_format(localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, (Decimal, int)):
        return format_number(value)
    text = str(value)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"
