"""The rows of an XLSX workbook's active sheet as text, read lazily from an archive checked first.

openpyxl's reader is not used: it keeps whole rows (of any width) and every shared text in
memory and trusts the XML parser with DTDs. Here the archive is checked first (xlsx_archive.py);
the XML is parsed by expat in small chunks with DTDs refused (no entity can expand, no external
file can be read), with nesting, element counts and unparsed buffers bounded; and each cell is
cut off at the limit as its text arrives.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import IO
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

from subscription.ui.tables import MB, TableError, TableLimits, cell_too_long
from subscription.ui.xlsx_archive import Archive, unreadable
from subscription.ui.xlsx_cells import MAX_ROW, column_number, iso_text, number_text, whole_number

MAX_META_BYTES = MB  # relationships and workbook.xml: a few kilobytes in real files
MAX_STYLES_BYTES = 4 * MB
MAX_DEPTH = 32  # spreadsheet XML nests about six deep
MAX_PENDING = 64 * 1024  # bytes expat may hold unparsed: a longer tag or comment is an attack
MAX_FORMAT_CHARS = 255  # Excel's own limit on a number format


def xlsx_rows(file: IO[bytes], limits: TableLimits) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of the active sheet, blank rows as (line, []). Raises TableError, also while iterating."""
    book = _Book(Archive(file, limits), limits)
    return book.sheet_rows(book.workbook())


class _Book:
    """The parts of a workbook that lead to its active sheet's rows."""

    def __init__(self, archive: Archive, limits: TableLimits) -> None:
        self.archive = archive
        self.limits = limits

    def workbook(self) -> _Workbook:
        path = _Relationships.read(self.archive, "").target("officeDocument") or "xl/workbook.xml"
        workbook = _Workbook(path)
        _parse_all(self.archive.chunks(path, max_bytes=MAX_META_BYTES), workbook, self.limits)
        workbook.relationships = _Relationships.read(self.archive, path)
        return workbook

    def sheet_rows(self, workbook: _Workbook) -> Iterator[tuple[int, list[str]]]:
        sheet = workbook.relationships.by_id.get(workbook.active_sheet_id() or "")
        if sheet is None or not sheet[0].endswith("/worksheet") or not self.archive.part_exists(sheet[1]):
            raise unreadable()
        shared = self._shared_strings(workbook.relationships.target("sharedStrings"))
        date_styles, duration_styles = self._styles(workbook.relationships.target("styles"))
        parser = _Sheet(shared, date_styles, duration_styles, workbook.epoch, self.limits)
        chunks = self.archive.chunks(sheet[1], max_bytes=self.limits.max_uncompressed_bytes)
        for _chunk in _parse(chunks, parser, self.limits):
            yield from parser.rows
            parser.rows.clear()

    def _shared_strings(self, path: str | None) -> list[str]:
        if path is None or not self.archive.part_exists(path):
            return []

        def too_large() -> TableError:
            return TableError(
                _("The texts of the file take more than %(limit)d MB. Split it into smaller files.")
                % {"limit": self.limits.max_shared_strings_bytes // MB}
            )

        strings = _SharedStrings(self.limits)
        _parse_all(
            self.archive.chunks(path, max_bytes=self.limits.max_shared_strings_bytes, too_large=too_large),
            strings,
            self.limits,
        )
        return strings.strings

    def _styles(self, path: str | None) -> tuple[set[int], set[int]]:
        """The cell styles that show a number as a date, and those that show it as a duration."""
        if path is None or not self.archive.part_exists(path):
            return set(), set()
        styles = _Styles()
        _parse_all(self.archive.chunks(path, max_bytes=MAX_STYLES_BYTES), styles, self.limits)
        formats = {**BUILTIN_FORMATS, **styles.formats}
        dates, durations = set(), set()
        for index, format_id in enumerate(styles.cell_formats):
            code = formats.get(format_id)
            if code is None or len(code) > MAX_FORMAT_CHARS:  # the date check's regex is quadratic
                continue
            if is_timedelta_format(code):
                durations.add(index)
            elif is_date_format(code):
                dates.add(index)
        return dates, durations


# XML ------------------------------------------------------------------------------------------


class _Handler:
    """Receives the events of one XML part, with depth and element count bounded."""

    depth = 0
    elements = 0
    max_elements = 0  # set by _parse from the limits

    def start_element(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_DEPTH:
            raise unreadable()
        if self.elements > self.max_elements:
            raise TableError(
                _(
                    "The file holds far more than a table (over %(limit)d XML elements). "
                    "Copy the table alone into a new workbook and upload that."
                )
                % {"limit": self.max_elements}
            )
        self.start(name if ":" not in name else name.rpartition(":")[2], attributes)

    def end_element(self, name: str) -> None:
        self.depth -= 1
        self.end(name if ":" not in name else name.rpartition(":")[2])

    def start(self, name: str, attributes: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...

    def text(self, data: str) -> None: ...


def _refuse_dtd(*_args) -> None:
    raise TableError(
        _(
            "The file declares an XML document type, which spreadsheets never do (it may try to read "
            "other files or expand without end), so it was not opened. Save it again from Excel."
        )
    )


def _parse(chunks: Iterator[bytes], handler: _Handler, limits: TableLimits) -> Iterator[None]:
    """Feed an XML part to expat chunk by chunk, yielding after each (the handler collects results)."""
    handler.max_elements = limits.max_xml_elements
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = handler.start_element
    parser.EndElementHandler = handler.end_element
    parser.CharacterDataHandler = handler.text
    parser.buffer_text = True  # fewer calls; a piece is still at most buffer_size characters
    fed = 0
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            fed += len(chunk)
            # Between calls CurrentByteIndex is where parsing stopped: the rest waits in expat's
            # buffer, which only an endless tag, comment or similar makes grow.
            if fed - parser.CurrentByteIndex > MAX_PENDING:
                raise TableError(
                    _("The file has a piece of XML longer than %(limit)d KB, which spreadsheets never write.")
                    % {"limit": MAX_PENDING // 1024}
                )
            yield
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise unreadable() from error
    yield


def _parse_all(chunks: Iterator[bytes], handler: _Handler, limits: TableLimits) -> None:
    for _chunk in _parse(chunks, handler, limits):
        pass


class _Relationships(_Handler):
    """A part's relationships: id -> (type, target path inside the archive)."""

    def __init__(self, source: str) -> None:
        self.folder = posixpath.dirname(source)
        self.by_id: dict[str, tuple[str, str]] = {}

    @classmethod
    def read(cls, archive: Archive, source: str) -> _Relationships:
        relationships = cls(source)
        path = posixpath.join(posixpath.dirname(source), "_rels", posixpath.basename(source) + ".rels")
        if archive.part_exists(path):
            _parse_all(archive.chunks(path, max_bytes=MAX_META_BYTES), relationships, archive.limits)
        return relationships

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name != "Relationship" or attributes.get("TargetMode") == "External":
            return
        target = attributes.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(self.folder, target)
        self.by_id[attributes.get("Id", "")] = (attributes.get("Type", ""), posixpath.normpath(path))

    def target(self, kind: str) -> str | None:
        """The first target of a relationship type such as `styles` (any namespace version)."""
        return next((path for type_, path in self.by_id.values() if type_.rpartition("/")[2] == kind), None)


class _Workbook(_Handler):
    def __init__(self, path: str) -> None:
        self.sheet_ids: list[str] = []
        self.active = 0
        self.epoch = WINDOWS_EPOCH
        self.relationships = _Relationships(path)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "sheet":
            self.sheet_ids.append(next((v for k, v in attributes.items() if k.rpartition(":")[2] == "id"), ""))
        elif name == "workbookView":
            active = attributes.get("activeTab", "0")
            self.active = int(active) if active.isascii() and active.isdigit() and len(active) < 6 else 0
        elif name == "workbookPr" and attributes.get("date1904", "").lower() in ("1", "true"):
            self.epoch = MAC_EPOCH

    def active_sheet_id(self) -> str | None:
        if not self.sheet_ids:
            return None
        return self.sheet_ids[self.active if self.active < len(self.sheet_ids) else 0]


class _Styles(_Handler):
    def __init__(self) -> None:
        self.formats: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self.in_cell_formats = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "numFmt":
            format_id = whole_number(attributes.get("numFmtId", ""), 1_000_000)
            if format_id is not None:
                self.formats[format_id] = attributes.get("formatCode", "")
        elif name == "cellXfs":
            self.in_cell_formats = True
        elif name == "xf" and self.in_cell_formats:
            self.cell_formats.append(whole_number(attributes.get("numFmtId", "0"), 1_000_000) or 0)

    def end(self, name: str) -> None:
        if name == "cellXfs":
            self.in_cell_formats = False


class _Text(_Handler):
    """Collects the text of `t` and `v` elements (not of phonetic runs), cut off at the cell limit."""

    def __init__(self, limits: TableLimits) -> None:
        self.limits = limits
        self.parts: list[str] = []
        self.length = 0
        self.collecting = False
        self.phonetic = 0

    def start_text(self, name: str) -> None:
        if name == "rPh":
            self.phonetic += 1
        elif name in ("t", "v") and not self.phonetic:
            self.collecting = True

    def end_text(self, name: str) -> None:
        if name == "rPh":
            self.phonetic -= 1
        elif name in ("t", "v"):
            self.collecting = False

    def text(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > self.limits.max_cell_chars:
                raise self.too_long()
            self.parts.append(data)

    def take(self) -> str:
        value = "".join(self.parts).strip()
        self.parts.clear()
        self.length = 0
        return value

    def too_long(self) -> TableError:
        return cell_too_long(self.limits)


class _SharedStrings(_Text):
    def __init__(self, limits: TableLimits) -> None:
        super().__init__(limits)
        self.strings: list[str] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.start_text(name)

    def end(self, name: str) -> None:
        if name == "si":
            if len(self.strings) >= self.limits.max_shared_strings:
                raise TableError(
                    _("The file holds more than %(limit)d different texts. Split it into smaller files.")
                    % {"limit": self.limits.max_shared_strings}
                )
            self.strings.append(self.take())
        self.end_text(name)


class _Sheet(_Text):
    """Rows of a worksheet part; finished rows wait in `rows` until the reader takes them."""

    def __init__(self, shared, date_styles, duration_styles, epoch, limits: TableLimits) -> None:
        super().__init__(limits)
        self.shared, self.date_styles, self.duration_styles, self.epoch = shared, date_styles, duration_styles, epoch
        self.rows: list[tuple[int, list[str]]] = []
        self.line = 0
        self.column = 0
        self.cells: dict[int, str] = {}
        self.cell_count = 0
        self.kind = self.style = None

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "row":
            line = whole_number(attributes["r"], MAX_ROW) if "r" in attributes else self.line + 1
            if line is None or line <= self.line or line > MAX_ROW:
                raise unreadable()
            self.line, self.column = line, 0
            self.cells.clear()
        elif name == "c":
            self.cell_count += 1
            if self.cell_count > self.limits.max_cells:
                raise TableError(
                    _(
                        "The sheet has more than %(limit)d cells, empty ones included. Delete the empty rows "
                        "and columns around the table, or split it."
                    )
                    % {"limit": self.limits.max_cells}
                )
            self.column = column_number(attributes.get("r"), self.column)
            self.kind = attributes.get("t", "n")
            self.style = whole_number(attributes.get("s", "0"), 10_000_000, minimum=0)
            self.take()
        else:
            self.start_text(name)

    def end(self, name: str) -> None:
        if name == "c":
            value = self.value(self.take())
            if value:
                self.cells[self.column] = value
        elif name == "row":
            width = max(self.cells, default=0)
            self.rows.append((self.line, [self.cells.get(column, "") for column in range(1, width + 1)]))
        else:
            self.end_text(name)

    def too_long(self) -> TableError:
        return cell_too_long(self.limits, row=self.line, column=self.column)

    def value(self, raw: str) -> str:
        """A cell as the text a user would have typed."""
        if self.kind == "s":
            index = whole_number(raw, len(self.shared) - 1, minimum=0)
            if index is None:
                raise unreadable()
            return self.shared[index]
        if self.kind == "b":
            return {"1": "True", "0": "False"}.get(raw, raw)
        if self.kind == "d":
            return iso_text(raw)
        if self.kind == "n" and raw:
            return number_text(raw, self.style, self)
        return raw

    def is_date(self, style: int | None) -> bool:
        return style in self.date_styles or style in self.duration_styles
