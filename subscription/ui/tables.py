"""Uploaded tables (CSV or XLSX) read lazily within limits, and the parsing of their cells.

Any upload is hostile until read: the file size, an XLSX archive's declared sizes, its shared
texts and every cell are bounded before or while they are read, and rows are counted as they
come, so a file can neither exhaust memory nor keep a worker busy. Everything wrong with a file
is a TableError whose message says what to fix.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from subscription.ui.numbers import NumberError, parse_number

MB = 1024 * 1024
QUOTED_CHARS = 100  # an error message quotes at most this much of a cell
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls workbooks and password-protected .xlsx files
ZIP_MAGIC = b"PK\x03\x04"
SNIFF_CHARS = 2048
# C0 control characters other than tab, line feed and carriage return: no XML may hold them, and
# openpyxl refuses to write them, so a stored one would break every export.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A number as an XLSX cell stores it (the sheet's own notation, never a person's typing).
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?")
MAX_LETTERED_COLUMN = 18_278  # ZZZ: openpyxl names no column after it (a CSV line may have more)


class TableError(ValueError):
    """An uploaded table cannot be read; the message tells the user what to change."""


@dataclass(frozen=True)
class TableLimits:
    """How much of an upload is read at most; `from_settings()` takes the IMPORT_* settings."""

    max_bytes: int = 10 * MB
    max_uncompressed_bytes: int = 50 * MB  # an XLSX archive's parts, as declared and as read
    max_shared_strings_bytes: int = 8 * MB  # xl/sharedStrings.xml
    max_shared_strings: int = 200_000
    max_cell_chars: int = 1000
    max_columns: int = 100
    max_cells: int = 300_000  # XLSX cells, empty ones included: 5000 rows of 60 columns
    max_xml_elements: int = 1_000_000  # per XLSX part: a full table has 3 or 4 per cell
    max_blank_rows: int = 10_000
    max_line_chars: int = 64 * 1024  # a CSV row, quoted line breaks included
    max_compression_ratio: int = 100  # real sheets pack 5-15 times; zip bombs a thousand times
    max_entries: int = 1000  # parts of an XLSX archive; Excel writes about a dozen

    @classmethod
    def from_settings(cls) -> TableLimits:
        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            max_shared_strings_bytes=settings.IMPORT_MAX_SHARED_STRINGS_BYTES,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )


class TableRow(dict):
    """One row of an uploaded table; `line` is its number as the spreadsheet shows it (header = 1)."""

    def __init__(self, values: dict, *, line: int) -> None:
        super().__init__(values)
        self.line = line


def read_table(upload: IO[bytes], *, max_rows: int, limits: TableLimits | None = None) -> Iterator[TableRow]:
    """Rows of an uploaded CSV or XLSX file, lazily, keyed by the header row (lower-cased, stripped).

    Blank rows are skipped; each row keeps its line number. The file is read as rows are taken.
    Raises TableError (when called or while iterating) if the file is not a table or breaks a limit,
    among them more than `max_rows` rows under the header.
    """
    limits = limits or TableLimits.from_settings()
    file = getattr(upload, "file", None) or upload  # Django's uploads wrap the real file
    size = _size(file)
    if size > limits.max_bytes:
        raise TableError(
            _("The file is larger than %(size)d MB. Split it into smaller files.") % {"size": limits.max_bytes // MB}
        )
    file.seek(0)
    start = file.read(4)
    file.seek(0)
    name = (getattr(upload, "name", "") or "").lower()
    if start == OLE_MAGIC:
        raise TableError(
            _(
                "The file is an old Excel workbook (.xls) or is protected by a password. "
                "Open it in Excel and save it as .xlsx without a password."
            )
        )
    if start == ZIP_MAGIC or name.endswith(".xlsx"):
        # Imported here because the XLSX reader raises this module's TableError.
        from subscription.ui.xlsx_reader import xlsx_rows

        cells = xlsx_rows(file, limits)
    else:
        cells = _csv_rows(file, limits)
    return _table(cells, max_rows=max_rows, limits=limits)


def _size(file: IO[bytes]) -> int:
    file.seek(0, io.SEEK_END)
    return file.tell()


def _table(source: Iterable[tuple[int, list[str]]], *, max_rows: int, limits: TableLimits) -> Iterator[TableRow]:
    header: list[str] | None = None
    blank = count = 0
    for line, cells in source:
        if not any(cells):
            blank += 1
            if blank > limits.max_blank_rows:
                raise TableError(
                    _("The file has more than %(limit)d empty rows; delete them and upload it again.")
                    % {"limit": limits.max_blank_rows}
                )
            continue
        _check_cells(line, cells, limits)
        if header is None:
            header = [cell.lower() for cell in cells]
            continue
        count += 1
        if count > max_rows:
            raise TableError(
                _(
                    "The file has more than %(limit)d rows; one upload takes at most %(limit)d. Split it into smaller files."
                )
                % {"limit": max_rows}
            )
        # Every named column, empty where the row ends early (CSV lines and XLSX rows may).
        yield TableRow({name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name}, line=line)
    if header is None:
        raise TableError(_("The file has no rows."))


def _check_cells(line: int, cells: list[str], limits: TableLimits) -> None:
    """Refuse a row with a value beyond the last column, an over-long cell or a control character."""
    if len(cells) > limits.max_columns and any(cells[limits.max_columns :]):
        column = next(i for i, cell in enumerate(cells) if i >= limits.max_columns and cell)
        raise TableError(
            _(
                "Row %(row)d has a value in column %(column)s; an upload has at most %(limit)d columns. "
                "Delete the columns after %(last)s."
            )
            % {
                "row": line,
                "column": column_name(column + 1),
                "limit": limits.max_columns,
                "last": column_name(limits.max_columns),
            }
        )
    for index, cell in enumerate(cells):
        if len(cell) > limits.max_cell_chars:
            raise cell_too_long(limits, row=line, column=index + 1)
        control = CONTROL_CHARACTERS.search(cell)
        if control:
            raise TableError(
                _(
                    "Row %(row)d, column %(column)s contains a control character (%(code)s); "
                    "remove it and upload the file again."
                )
                % {"row": line, "column": column_name(index + 1), "code": f"U+{ord(control.group()):04X}"}
            )


def column_name(number: int) -> str:
    """A column as a spreadsheet names it (1 is A); past the last one Excel has, its number."""
    return get_column_letter(number) if number <= MAX_LETTERED_COLUMN else str(number)


def cell_too_long(limits: TableLimits, *, row: int | None = None, column: int | None = None) -> TableError:
    """The error for a cell longer than the limit, naming it where it is known."""
    if row is None or column is None:
        return TableError(
            _("A cell holds more than %(limit)d characters; shorten it.") % {"limit": limits.max_cell_chars}
        )
    return TableError(
        _("Row %(row)d, column %(column)s holds more than %(limit)d characters; shorten it.")
        % {"row": row, "column": column_name(column), "limit": limits.max_cell_chars}
    )


# CSV ------------------------------------------------------------------------------------------


class _Bytes(io.RawIOBase):
    """The upload as a raw stream; closing it leaves the upload open."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Lines:
    """The physical lines of a UTF-8 text, each bounded, with the characters read per row.

    csv's own field_size_limit is process-wide state (other threads read CSV too), so it is left
    alone: this bound on each row is tighter and sees quoted line breaks as well.
    """

    def __init__(self, file: IO[bytes], limits: TableLimits) -> None:
        self.text = io.TextIOWrapper(io.BufferedReader(_Bytes(file)), encoding="utf-8-sig", newline="")
        self.limit = limits.max_line_chars
        self.row = 1  # the spreadsheet row being read
        self.row_chars = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = self.text.readline(self.limit + 1)
        except UnicodeDecodeError as error:
            raise TableError(_("The file is neither an XLSX spreadsheet nor a UTF-8 CSV file.")) from error
        if not line:
            raise StopIteration
        if "\x00" in line:
            raise TableError(_("The file is neither an XLSX spreadsheet nor a CSV file."))
        self.row_chars += len(line)
        if self.row_chars > self.limit:
            raise TableError(
                _('Row %(row)d is longer than %(limit)d characters; check for a quote (") that is never closed.')
                % {"row": self.row, "limit": self.limit}
            )
        return line


def _csv_rows(file: IO[bytes], limits: TableLimits) -> Iterator[tuple[int, list[str]]]:
    sample = _Lines(file, limits)
    try:
        head = sample.text.read(SNIFF_CHARS)
    except UnicodeDecodeError as error:
        raise TableError(_("The file is neither an XLSX spreadsheet nor a UTF-8 CSV file.")) from error
    if "\x00" in head:
        raise TableError(_("The file is neither an XLSX spreadsheet nor a CSV file."))
    try:
        dialect = csv.Sniffer().sniff(head, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    file.seek(0)
    return _csv_records(file, dialect, limits)


def _csv_records(file: IO[bytes], dialect, limits: TableLimits) -> Iterator[tuple[int, list[str]]]:
    lines = _Lines(file, limits)
    reader = csv.reader(lines, dialect)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise TableError(
                _("The file is not a CSV table a spreadsheet would write (%(error)s).") % {"error": error}
            ) from error
        yield lines.row, [cell.strip() for cell in record]
        lines.row += 1
        lines.row_chars = 0


# Cells ------------------------------------------------------------------------------------------


def quote_cell(text: str) -> str:
    """A cell as an error message may quote it: at most QUOTED_CHARS characters."""
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"


def cell_decimal(text: str) -> Decimal | None:
    """The number written in a cell (12.50, 12,50, 1 250,00, 1,250.00, 1E3), or None for anything else.

    Read by the one parser of typed numbers (subscription.ui.numbers): ambiguous text (1,500,50) is
    None too. NaN, infinities, exponents past any price and absurd lengths are None, so no caller ever
    meets the arithmetic errors (decimal.Overflow) a number such as 1E+1000000 raises later.
    """
    try:
        return parse_number(text, exponent=True)
    except NumberError:
        return None


def cell_whole_number(text: str) -> int | None:
    """The whole number written in a cell (24, 24.0, 1 000), or None."""
    number = cell_decimal(text)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def cell_date(text: str, formats: Iterable[str]) -> datetime.date | None:
    """The date written in a cell in one of `formats`, or None."""
    if len(text) > 40:
        return None
    for date_format in formats:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    return None
