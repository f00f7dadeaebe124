"""Hostile spreadsheets, made on the fly: zip bombs, XML bombs, floods of rows, over-long cells.

Each maker returns the bytes of a file (built in a streaming way, so making a file that inflates
to hundreds of megabytes costs little memory). `HOSTILE` names them for parametrised tests.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pytest

from subscription.ui.tables import TableError, TableLimits, read_table

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SALE_HEADER = ["date", "product_code", "quantity"]
# What reading any one hostile file may cost, measured with tracemalloc (which slows Python down
# about threefold, hence the generous time).
MEMORY_BOUND = 50 * 1024 * 1024
TIME_BOUND = 10.0

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}">'
    '<sheets><sheet name="Sales" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{OFFICE_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"
Part = bytes | Callable[[], Iterable[bytes]]


def shared_strings_xml(strings: Iterable[str], *, prologue: str = "") -> bytes:
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    return f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<sst xmlns="{MAIN}">{items}</sst>'.encode()


def text_row(number: int, values: Iterable[str]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>' for value in values)
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: Iterable[str]) -> bytes:
    return (SHEET_START + "".join(rows) + SHEET_END).encode()


def xlsx(sheet: Part, *, shared_strings: Part | None = None, extra: dict[str, Part] | None = None) -> bytes:
    """A workbook whose first sheet is `sheet`; a part given as a callable is written chunk by chunk."""
    parts: dict[str, Part] = {
        "[Content_Types].xml": CONTENT_TYPES.encode(),
        "_rels/.rels": PACKAGE_RELS.encode(),
        "xl/workbook.xml": WORKBOOK.encode(),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.encode(),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared_strings if shared_strings is not None else shared_strings_xml([]),
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            with archive.open(name, "w") as member:
                for chunk in [content] if isinstance(content, bytes) else content():
                    member.write(chunk)
    return buffer.getvalue()


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with `name`'s uncompressed size rewritten to `size` in both of its headers (a lie)."""
    data = bytearray(data)
    encoded = name.encode()
    central = 0
    while True:
        central = data.find(b"PK\x01\x02", central)
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == encoded:
            break
        central += 4
    struct.pack_into("<I", data, central + 24, size)
    local = struct.unpack_from("<I", data, central + 42)[0]
    struct.pack_into("<I", data, local + 22, size)
    return bytes(data)


@dataclass
class Usage:
    peak: int = 0  # bytes allocated by Python at most, over what was allocated before
    seconds: float = 0.0


@contextmanager
def measure() -> Iterator[Usage]:
    """The peak memory (tracemalloc) and the time of the block, recorded even if it raises."""
    usage = Usage()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield usage
    finally:
        usage.seconds = time.perf_counter() - started
        usage.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


# The files themselves -------------------------------------------------------------------------


def shared_string_bomb() -> bytes:
    """One 2 MB shared string used in 300 cells: a few kilobytes that once grew a worker past 4 GB."""
    bomb = shared_strings_xml([*SALE_HEADER, "A" * 2_000_000])
    header = '<row r="1">' + "".join(f'<c t="s"><v>{i}</v></c>' for i in range(3)) + "</row>"
    rows = [f'<row r="{n}">' + '<c t="s"><v>3</v></c>' * 3 + "</row>" for n in range(2, 102)]
    return xlsx(sheet_xml([header, *rows]), shared_strings=bomb)


def rows_flood(count: int = 2_000_000) -> bytes:
    """`count` rows of sales in about half a megabyte: the whole file once had to be read first."""
    strings = shared_strings_xml([*SALE_HEADER, "2025-03-14", "CARD-10"])

    def chunks() -> Iterable[bytes]:
        yield (
            SHEET_START + '<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>'
        ).encode()
        line = b'<row><c t="s"><v>3</v></c><c t="s"><v>4</v></c><c><v>1</v></c></row>'
        for _ in range(count // 10_000):
            yield line * 10_000
        yield SHEET_END.encode()

    return xlsx(chunks, shared_strings=strings)


def huge_declared_size() -> bytes:
    """A small good workbook whose sheet claims to inflate to almost 4 GB."""
    good = xlsx(sheet_xml([text_row(1, SALE_HEADER), text_row(2, ["2025-03-14", "CARD-10", "1"])]))
    return declare_size(good, "xl/worksheets/sheet1.xml", 0xFFFF_FFF0)


def zip_bomb(megabytes: int = 200) -> bytes:
    """A sheet that inflates a thousandfold: 200 MB of whitespace inside the sheet data."""

    def chunks() -> Iterable[bytes]:
        yield (SHEET_START + text_row(1, SALE_HEADER)).encode()
        block = b" " * (1 << 20)
        for _ in range(megabytes):
            yield block
        yield SHEET_END.encode()

    return xlsx(chunks)


def lying_zip_bomb() -> bytes:
    """The zip bomb again, but its headers say the sheet is only 2 KB."""
    return declare_size(zip_bomb(50), "xl/worksheets/sheet1.xml", 2048)


def billion_laughs() -> bytes:
    """Nested entities in the shared strings that expand to gigabytes if a parser resolves them."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    )
    prologue = f"<!DOCTYPE sst [{entities}]>"
    xml = f'<?xml version="1.0"?>{prologue}<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'.encode()
    header = '<row r="1">' + "".join(f"<c><v>{i}</v></c>" for i in range(3)) + "</row>"
    return xlsx(sheet_xml([header, '<row r="2"><c t="s"><v>0</v></c></row>']), shared_strings=xml)


def xxe(secret_path: str) -> bytes:
    """A shared string that is an external entity reading a local file."""
    prologue = f'<!DOCTYPE sst [<!ENTITY secret SYSTEM "file://{secret_path}">]>'
    xml = f'<?xml version="1.0"?>{prologue}<sst xmlns="{MAIN}"><si><t>&secret;</t></si></sst>'.encode()
    rows = [text_row(1, SALE_HEADER), '<row r="2"><c t="s"><v>0</v></c><c t="s"><v>0</v></c><c><v>1</v></c></row>']
    return xlsx(sheet_xml(rows), shared_strings=xml)


def wrong_types() -> bytes:
    """Booleans, errors, formulas without a value, text and huge numbers where numbers belong."""
    rows = [
        text_row(1, SALE_HEADER + ["unit_price"]),
        '<row r="2"><c t="b"><v>1</v></c><c t="e"><v>#DIV/0!</v></c><c t="str"><f>A1</f></c><c><v>1E+308</v></c></row>',
        '<row r="3"><c><v>45000</v></c><c t="inlineStr"><is><t>CARD-10</t></is></c>'
        '<c t="inlineStr"><is><t>NaN</t></is></c><c t="inlineStr"><is><t>1E+1000000</t></is></c></row>',
        '<row r="4"><c t="d"><v>2025-03-14T00:00:00</v></c><c><v>-1</v></c><c><v>9' + "9" * 300 + "</v></c></row>",
    ]
    return xlsx(sheet_xml(rows))


def bad_shared_string_index() -> bytes:
    rows = [text_row(1, SALE_HEADER), '<row r="2"><c t="s"><v>99999999999</v></c></row>']
    return xlsx(sheet_xml(rows))


def deep_nesting(depth: int = 200_000) -> bytes:
    """Elements nested two hundred thousand deep inside a cell."""

    def chunks() -> Iterable[bytes]:
        yield (SHEET_START + text_row(1, SALE_HEADER) + '<row r="2"><c t="inlineStr"><is>').encode()
        yield b"<r>" * depth
        yield b"</r>" * depth
        yield ("</is></c></row>" + SHEET_END).encode()

    return xlsx(chunks)


def long_tag(megabytes: int = 8) -> bytes:
    """A start tag megabytes long (one attribute), which a parser would buffer whole."""

    def chunks() -> Iterable[bytes]:
        yield (SHEET_START + text_row(1, SALE_HEADER) + '<row r="2" x="').encode()
        yield b"a" * (megabytes << 20)
        yield ('"/>' + SHEET_END).encode()

    return xlsx(chunks)


def huge_shared_strings() -> bytes:
    """Ten megabytes of different texts, random so that they pack no better than real ones."""
    strings = shared_strings_xml([*SALE_HEADER, *(os.urandom(8).hex() for _ in range(300_000))])
    return xlsx(sheet_xml([text_row(1, SALE_HEADER)]), shared_strings=strings)


def many_entries(count: int = 5000) -> bytes:
    good = {f"xl/media/pad{i}.xml": b"" for i in range(count)}
    return xlsx(sheet_xml([text_row(1, SALE_HEADER)]), extra=good)


def many_columns() -> bytes:
    """A value in the last column a spreadsheet has (XFD)."""
    rows = [text_row(1, SALE_HEADER), '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>']
    return xlsx(sheet_xml(rows))


def control_characters_xlsx() -> bytes:
    """Control characters as Excel escapes them never reach XML raw; raw ones break the XML."""
    rows = [text_row(1, SALE_HEADER), '<row r="2"><c t="inlineStr"><is><t>Ctl\x01Name</t></is></c></row>']
    return xlsx(sheet_xml(rows))


def not_a_zip() -> bytes:
    return b"PK\x03\x04" + bytes(range(256)) * 4


def csv_long_line(megabytes: int = 50) -> bytes:
    return ",".join(SALE_HEADER).encode() + b"\n2025-03-14,CARD-10," + b"9" * (megabytes << 20) + b"\n"


def csv_control_characters() -> bytes:
    return ",".join(SALE_HEADER + ["pharmacy"]).encode() + b"\n2025-03-14,CARD-10,1,Ctl\x01Name\n"


def csv_nul_bytes() -> bytes:
    return ",".join(SALE_HEADER).encode() + b"\n2025-03-14,CARD-10,1\x00\x00\n"


def csv_rows_flood() -> bytes:
    """Six hundred thousand short rows in under 10 MB."""
    return ",".join(SALE_HEADER).encode() + b"\n" + b"2025-03-14,CARD-10,1\n" * 450_000


def csv_blank_flood() -> bytes:
    return ",".join(SALE_HEADER).encode() + b"\n" * 5_000_000


def csv_quoted_multiline() -> bytes:
    """One record that a quote keeps open over many lines."""
    return ",".join(SALE_HEADER).encode() + b'\n2025-03-14,"' + b"a\n" * 2_000_000 + b'",1\n'


# name -> (file name, maker); each maker is cached, since several tests read the same file.
HOSTILE: dict[str, tuple[str, Callable[[], bytes]]] = {
    name: (file_name, functools.cache(maker))
    for name, file_name, maker in [
        ("shared_string_bomb", "bomb.xlsx", shared_string_bomb),
        ("two_million_rows", "rows.xlsx", rows_flood),
        ("huge_declared_size", "declared.xlsx", huge_declared_size),
        ("zip_bomb", "zipbomb.xlsx", zip_bomb),
        ("lying_zip_bomb", "lying.xlsx", lying_zip_bomb),
        ("billion_laughs", "laughs.xlsx", billion_laughs),
        ("bad_shared_string_index", "index.xlsx", bad_shared_string_index),
        ("deep_nesting", "deep.xlsx", deep_nesting),
        ("long_tag", "tag.xlsx", long_tag),
        ("many_entries", "entries.xlsx", many_entries),
        ("many_columns", "columns.xlsx", many_columns),
        ("huge_shared_strings", "texts.xlsx", huge_shared_strings),
        ("control_characters_xlsx", "control.xlsx", control_characters_xlsx),
        ("not_a_zip", "broken.xlsx", not_a_zip),
        ("csv_long_line", "line.csv", csv_long_line),
        ("csv_control_characters", "control.csv", csv_control_characters),
        ("csv_nul_bytes", "nul.csv", csv_nul_bytes),
        ("csv_rows_flood", "rows.csv", csv_rows_flood),
        ("csv_blank_flood", "blank.csv", csv_blank_flood),
        ("csv_quoted_multiline", "quoted.csv", csv_quoted_multiline),
    ]
}


# --- Reading them ---------------------------------------------------------------------------------------
def upload(data: bytes, name: str = "table.xlsx") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


DEFAULT_LIMITS = TableLimits()


def read(data: bytes, name: str = "table.xlsx", *, max_rows: int = 5000, limits: TableLimits = DEFAULT_LIMITS):
    return list(read_table(upload(data, name), max_rows=max_rows, limits=limits))


def refusal(data: bytes, name: str, limits: TableLimits = DEFAULT_LIMITS) -> tuple[str, int, float]:
    """The message a hostile file is refused with, and the peak memory and seconds it took."""
    with measure() as usage, pytest.raises(TableError) as error:
        read(data, name, limits=limits)
    return str(error.value), usage.peak, usage.seconds


# How each hostile file is refused (the message after "“name” cannot be read: ").
REFUSALS = {
    "shared_string_bomb": "packed far more tightly than a spreadsheet",
    "two_million_rows": "packed far more tightly than a spreadsheet",
    "huge_declared_size": "packed far more tightly than a spreadsheet",
    "zip_bomb": "packed far more tightly than a spreadsheet",
    "lying_zip_bomb": "not a readable XLSX spreadsheet",
    "billion_laughs": "declares an XML document type",
    "bad_shared_string_index": "not a readable XLSX spreadsheet",
    "deep_nesting": "packed far more tightly than a spreadsheet",
    "long_tag": "packed far more tightly than a spreadsheet",
    "many_entries": "holds more than 1000 parts",
    "many_columns": "Row 2 has a value in column XFD; an upload has at most 100 columns",
    "huge_shared_strings": "The texts of the file take more than 8 MB",
    "control_characters_xlsx": "not a readable XLSX spreadsheet",
    "not_a_zip": "not a readable XLSX spreadsheet",
    "csv_long_line": "The file is larger than 10 MB",
    "csv_control_characters": "Row 2, column D contains a control character (U+0001)",
    "csv_nul_bytes": "neither an XLSX spreadsheet nor a CSV file",
    "csv_rows_flood": "The file has more than 5000 rows; one upload takes at most 5000",
    "csv_blank_flood": "more than 10000 empty rows",
    "csv_quoted_multiline": 'Row 2 is longer than 65536 characters; check for a quote (")',
}
