"""The one writer of CSV and XLSX downloads, and the column specifications the apps describe their data with.

Every download goes through `export_response` or `workbook_bytes`, which make each cell inert:
XLSX text cells are always written as strings (never formulas), CSV text that a spreadsheet would
run as a formula (OWASP's rule: it starts with `=`, `+`, `-`, `@`, a tab or a carriage return)
gets a leading apostrophe, and characters that XLSX cannot hold are dropped, so no stored text can
run in a spreadsheet or break a download.

An app describes an exported entity once, as an `ExportSpec`; its list page's export and the
company's full export both use it.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from subscription import replicas
from subscription.selectors import user_label

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 cannot hold these; openpyxl refuses them (the CSV writer drops them too, for the same reader).
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CHUNK = 2000


def inert_text(text: str) -> str:
    """Text that no spreadsheet will run as a formula (for CSV): control characters dropped, a formula start escaped."""
    text = ILLEGAL_CHARACTERS.sub("", text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cell_value(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers, dates and booleans as themselves, the rest text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None)
    if isinstance(value, (bool, int, float, Decimal, datetime.date)):
        return value
    return ILLEGAL_CHARACTERS.sub("", str(value))


def _csv_cell(value: Any) -> Any:
    value = cell_value(value)
    return inert_text(value) if isinstance(value, str) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Exports hold personal data: neither the browser nor a proxy keeps a copy.
    response["Cache-Control"] = "no-store, private"
    return response


def csv_lines(columns: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text line by line (UTF-8 with a BOM, so that Excel reads the letters right)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([inert_text(str(column)) for column in columns])
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def _xlsx_row(sheet, values: Iterable) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=cell_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # a text cell, never a formula, whatever the text begins with
        cells.append(cell)
    return cells


@dataclass
class Sheet:
    name: str
    columns: Sequence[str]
    rows: Iterable[Sequence]


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX workbook with one sheet per `Sheet`."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        target = workbook.create_sheet(title=cell_value(str(sheet.name))[:31])
        target.append(_xlsx_row(target, (str(column) for column in sheet.columns)))
        for row in sheet.rows:
            target.append(_xlsx_row(target, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(*, filename: str, columns: Sequence[str], rows: Iterable[Sequence], fmt: str) -> HttpResponse:
    """A download of `rows` under `columns` headers as CSV (streamed) or XLSX."""
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        # Read from the company's replica where it has one (subscription/replicas.py), as the body streams.
        lines = replicas.streamed_from_replica(csv_lines(columns, rows))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        return _attachment(response, f"{filename}-{stamp}.csv")
    if fmt == "xlsx":
        with replicas.reading_from_replica():
            content = workbook_bytes([Sheet(filename, columns, rows)])
        return _attachment(HttpResponse(content, content_type=XLSX_TYPE), f"{filename}-{stamp}.xlsx")
    raise ValueError(f"unknown export format {fmt!r}")


def workbook_response(*, filename: str, content: bytes) -> HttpResponse:
    """A finished XLSX workbook as a download."""
    return _attachment(HttpResponse(content, content_type=XLSX_TYPE), filename)


# --- Column specifications -------------------------------------------------------------------------
Names = dict[str, dict]


@dataclass(frozen=True)
class Column:
    """One exported column: its header and how to read it from an object (and the names read once)."""

    header: str
    value: Callable[[Any, Names], Any]


@dataclass(frozen=True)
class ExportSpec:
    """How an entity is exported: its columns, the rows of a full export, and the names they look up.

    `names(queryset)` reads, once per export, what rows refer to by id in the master database
    (cities, users, ...), so that thousands of rows cost no query each.
    """

    name: str
    title: str
    columns: Sequence[Column]
    queryset: Callable[[], QuerySet]
    names: Callable[[QuerySet], Names] = field(default=lambda queryset: {})

    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def rows(self, queryset: QuerySet | None = None) -> Iterator[list]:
        """The rows of `queryset` (by default the full export's), read in chunks."""
        queryset = self.queryset() if queryset is None else queryset
        names = self.names(queryset)
        for obj in queryset.iterator(chunk_size=CHUNK):
            yield [column.value(obj, names) for column in self.columns]

    def sheet(self) -> Sheet:
        return Sheet(str(self.title), self.headers(), self.rows())


def ids_of(queryset: QuerySet, *fields: str) -> set:
    """Distinct values of id columns of `queryset`, so that names are fetched once for the whole export."""
    return {value for row in queryset.values_list(*fields).distinct().order_by() for value in row} - {None}


def names_by_id(model, ids: Iterable) -> dict:
    """Names (`str()`) of master rows by id, in one query."""
    wanted = set(ids) - {None}
    return {pk: str(row) for pk, row in model.objects.in_bulk(wanted).items()} if wanted else {}


def user_names(ids: Iterable) -> dict:
    """Users' full names (or logins) by id, in one query."""
    wanted = set(ids) - {None}
    users = get_user_model().objects.filter(pk__in=wanted) if wanted else []
    return {user.pk: user_label(user) for user in users}


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")
