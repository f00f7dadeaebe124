"""Writes of distributors' files: each import is a recorded batch (file, SHA-256, who, when, sales),
the same file is not imported twice, and a manager can undo a batch (its sales removed, recorded)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from sales.importing import ImportRejected, parse_sale_rows
from sales.models import ImportBatch, Sale
from subscription.history import history_context
from subscription.models import Company
from subscription.tenancy import tenant_atomic


class DuplicateImport(ValidationError):
    """The file was imported before (and that import is not undone): `batch` is the earlier import."""

    def __init__(self, batch: ImportBatch) -> None:
        super().__init__(
            _("This file was already imported (import #%(number)d); its sales are in place.") % {"number": batch.pk},
            code="duplicate",
        )
        self.batch = batch


def earlier_import(sha256: str) -> ImportBatch | None:
    """The import of the file with this SHA-256 that is not undone, if any."""
    return ImportBatch.objects.filter(sha256=sha256, undone_at__isnull=True).first()


def sale_import(
    *, rows: list[dict[str, str]], company: Company, created_by: AbstractUser, file_name: str, sha256: str
) -> ImportBatch:
    """Save every row of a distributor's file as one batch, or none.

    Raises DuplicateImport if the same file (by SHA-256) was imported and not undone, ImportRejected
    listing the bad rows, or ValidationError if the file holds no sales.
    """
    earlier = earlier_import(sha256)
    if earlier is not None:
        raise DuplicateImport(earlier)
    parsed = parse_sale_rows(rows, company=company, created_by=created_by)
    if parsed.error_count:
        raise ImportRejected(parsed.errors, count=parsed.error_count)
    if not parsed.sales:
        raise ValidationError(_("The file has a header row but no sales under it."), code="empty")
    batch = ImportBatch(file_name=file_name[:255], sha256=sha256, rows=len(parsed.sales), created_by=created_by)
    try:
        with tenant_atomic():
            batch.save()
            for sale in parsed.sales:
                sale.batch = batch
            Sale.objects.bulk_create(parsed.sales, batch_size=500)
            Sale.history.bulk_history_create(
                parsed.sales,
                batch_size=500,
                default_user=created_by,
                default_change_reason=_("Import #%(number)d") % {"number": batch.pk},
            )
    except IntegrityError as error:
        # The same file, imported by someone else a moment ago (the constraint import_file_once).
        earlier = earlier_import(sha256)
        if earlier is None:
            raise
        raise DuplicateImport(earlier) from error
    return batch


def import_undo(*, batch: ImportBatch, by: AbstractUser) -> int:
    """Remove exactly the sales `batch` added, recording who undid it and when (and each removal in the
    sales' history). Returns how many were removed. Raises ValidationError if it was undone already."""
    reason = _("Undo of import #%(number)d") % {"number": batch.pk}
    with tenant_atomic():
        now = timezone.now()
        marked = ImportBatch.objects.filter(pk=batch.pk, undone_at__isnull=True).update(undone_at=now, undone_by=by)
        if not marked:
            raise ValidationError(_("This import is undone already."), code="undone")
        with history_context(by=by, reason=reason):
            _total, per_model = Sale.objects.filter(batch=batch).delete()
    batch.undone_at, batch.undone_by = now, by
    return per_model.get(Sale._meta.label, 0)
