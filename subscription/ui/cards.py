"""Sections that other apps add to a record's page: a doctor's visits, sales and payments, a patient's visits.

The app that owns the related records registers the section (from its AppConfig.ready), so the
record's own app never imports it. A section is shown only to roles that may see its records.

    add_card_section("doctors.Doctor", CardSection(
        key="visits", order=10, permission="appointment_view",
        template="appointments/_card_visits.html",
        rows=lambda request, doctor: Appointment.objects.filter(doctor=doctor),
    ))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from subscription.ui.permissions import can


@dataclass(frozen=True)
class CardSection:
    key: str
    template: str
    permission: str
    # The related records this request may see, newest first.
    rows: Callable[[HttpRequest, Model], QuerySet]
    order: int = 0
    limit: int = 10
    # Turns the shown rows into what the template lists (e.g. history rows into changes), given the
    # request and the whole queryset; None lists the rows themselves.
    present: Callable[[HttpRequest, list, QuerySet], list] | None = None


@dataclass
class FilledSection:
    """A section as a page shows it: the latest rows and how many there are in all."""

    section: CardSection
    rows: list
    count: int

    @property
    def template(self) -> str:
        return self.section.template

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


_sections: dict[str, dict[str, CardSection]] = {}


def add_card_section(model_label: str, section: CardSection) -> None:
    _sections.setdefault(model_label, {})[section.key] = section


def card_sections(request: HttpRequest, obj: Model) -> list[FilledSection]:
    """The sections of `obj`'s page this request may see, filled with their rows."""
    sections = sorted(_sections.get(obj._meta.label, {}).values(), key=lambda section: section.order)
    filled = []
    for section in sections:
        if not can(request, section.permission):
            continue
        rows = section.rows(request, obj)
        shown = list(rows[: section.limit])
        if section.present is not None:
            shown = section.present(request, shown, rows)
        filled.append(FilledSection(section, shown, rows.count()))
    return filled
