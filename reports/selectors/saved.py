"""Saved reports."""

from __future__ import annotations

from django.db.models import QuerySet

from reports.models import Report


def saved_report_list() -> QuerySet[Report]:
    """The company's saved reports, newest first, without their (possibly large) rows."""
    return Report.objects.defer("rows", "columns").order_by("-created_at", "-pk")
