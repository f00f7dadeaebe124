"""Tabular data as CSV or XLSX downloads."""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from subscription.ui.tables import TableError, TableRow
from subscription.ui.tables import read_table as read_tables_lazily

__all__ = ["EXPORT_FORMATS", "TableError", "TableRow", "export_response", "read_table"]

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal, datetime.date)):
        return value
    return str(value)


def export_response(*, filename: str, columns: Sequence[str], rows: Iterable[Sequence], fmt: str):
    """A download of `rows` under `columns` headers as CSV (streamed, UTF-8 with BOM for Excel) or XLSX."""
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff" + writer.writerow([str(column) for column in columns])
            for row in rows:
                yield writer.writerow([_cell(value) for value in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
        return response
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=filename[:31])
        sheet.append([str(column) for column in columns])
        for row in rows:
            sheet.append([_cell(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
        return response
    raise ValueError(f"unknown export format {fmt!r}")


def read_table(upload) -> list[TableRow]:
    """Rows of an uploaded CSV or XLSX file as dicts keyed by the header row (lower-cased, stripped).

    Kept for callers of the list form; reads through subscription.ui.tables within the IMPORT_*
    limits. Raises TableError (a ValueError) with a message a user can act on.
    """
    return list(read_tables_lazily(upload, max_rows=settings.IMPORT_MAX_ROWS))
