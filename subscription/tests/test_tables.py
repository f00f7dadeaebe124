"""The bounded table reader: hostile files are refused quickly and cheaply, good files read as before."""

import csv
import datetime
import functools
import io
import re
import string
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from subscription.tests import hostile_tables as hostile
from subscription.tests.hostile_tables import MEMORY_BOUND, TIME_BOUND, measure
from subscription.ui.tables import (
    TableError,
    TableLimits,
    cell_decimal,
    cell_whole_number,
    quote_cell,
    read_table,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each layer of defence alone: the packing-ratio check off, then the size checks off as well.
NO_RATIO = TableLimits(max_compression_ratio=10**9)
NO_SIZES = TableLimits(max_compression_ratio=10**9, max_uncompressed_bytes=10**12)
DEFAULT = TableLimits()


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked as written in the code."""
    with translation.override("en"):
        yield


def upload(data: bytes, name: str = "table.xlsx") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def read(data: bytes, name: str = "table.xlsx", *, max_rows: int = 5000, limits: TableLimits = DEFAULT):
    return list(read_table(upload(data, name), max_rows=max_rows, limits=limits))


def refusal(data: bytes, name: str, limits: TableLimits = DEFAULT) -> tuple[str, int, float]:
    """The message a hostile file is refused with, and the peak memory and seconds it took."""
    with measure() as usage, pytest.raises(TableError) as error:
        read(data, name, limits=limits)
    return str(error.value), usage.peak, usage.seconds


def old_text(cell) -> str:
    """How the reader before this one turned an openpyxl cell into text (the behaviour kept)."""
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time(0):
        return cell.date().isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


EXPECTED = {
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


def test_every_hostile_file_has_an_expected_refusal():
    assert set(EXPECTED) == set(hostile.HOSTILE)


@pytest.mark.parametrize("case", sorted(hostile.HOSTILE))
def test_a_hostile_file_is_refused_clearly_within_the_memory_and_time_bounds(case):
    name, make = hostile.HOSTILE[case]
    message, peak, seconds = refusal(make(), name)
    assert EXPECTED[case] in message
    assert peak < MEMORY_BOUND, f"{case}: {peak / 2**20:.1f} MB"
    assert seconds < TIME_BOUND, f"{case}: {seconds:.1f} s"


@pytest.mark.parametrize(
    "case, limits, expected",
    [
        ("shared_string_bomb", NO_RATIO, "A cell holds more than 1000 characters"),
        ("zip_bomb", NO_RATIO, "The file unpacks to more than 50 MB"),
        ("huge_declared_size", NO_RATIO, "The file unpacks to more than 50 MB"),
        ("two_million_rows", NO_RATIO, "The file unpacks to more than 50 MB"),
        ("two_million_rows", NO_SIZES, "The file has more than 5000 rows"),
        ("deep_nesting", NO_RATIO, "not a readable XLSX spreadsheet"),
        ("long_tag", NO_RATIO, "a piece of XML longer than 64 KB"),
    ],
)
def test_each_layer_holds_on_its_own(case, limits, expected):
    name, make = hostile.HOSTILE[case]
    message, peak, seconds = refusal(make(), name, limits)
    assert expected in message
    assert peak < MEMORY_BOUND and seconds < TIME_BOUND


def flood(piece: bytes, times: int) -> bytes:
    """A sheet with a header and then `piece` again and again."""

    def chunks():
        yield (hostile.SHEET_START + hostile.text_row(1, hostile.SALE_HEADER)).encode()
        yield piece * times
        yield hostile.SHEET_END.encode()

    return hostile.xlsx(chunks)


@pytest.mark.parametrize(
    "data, limits, expected",
    [
        (flood(b"<row>" + b"<c/>" * 400 + b"</row>", 10), "max_cells", "The sheet has more than 1000 cells"),
        (flood(b"<x/>", 5000), "max_xml_elements", "over 1000 XML elements"),
        (flood(b"<row/>", 2000), "max_blank_rows", "more than 1000 empty rows"),
    ],
)
def test_cheap_elements_in_bulk_are_counted(data, limits, expected):
    limits = TableLimits(max_compression_ratio=10**9, **{limits: 1000})
    with pytest.raises(TableError, match=expected):
        read(data, limits=limits)
    assert read(data, limits=TableLimits(max_compression_ratio=10**9)) == []


def test_an_archive_inflating_past_what_it_declares_is_cut_off():
    # The lying bomb declares 2 KB and inflates to 50 MB: reading stops at the declared size.
    message, peak, _seconds = refusal(hostile.lying_zip_bomb(), "lying.xlsx", NO_SIZES)
    assert "not a readable XLSX spreadsheet" in message
    assert peak < 2**20


def test_an_external_entity_reads_no_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    message, _peak, _seconds = refusal(hostile.xxe(str(secret)), "xxe.xlsx")
    assert "declares an XML document type" in message
    assert "TOP-SECRET" not in message


def test_a_long_csv_line_read_from_disk_stops_at_the_line_limit(tmp_path):
    path = tmp_path / "line.csv"
    path.write_bytes(hostile.csv_long_line(50))
    with path.open("rb") as file, measure() as usage:
        with pytest.raises(TableError, match="Row 2 is longer than 65536 characters"):
            list(read_table(file, max_rows=5000, limits=TableLimits(max_bytes=10**9)))
    assert usage.peak < MEMORY_BOUND


def test_too_many_texts_are_refused():
    strings = hostile.shared_strings_xml([*hostile.SALE_HEADER, *map(str, range(11))])
    rows = ['<row r="1"><c t="s"><v>0</v></c></row>', '<row r="2"><c t="s"><v>13</v></c></row>']
    data = hostile.xlsx(hostile.sheet_xml(rows), shared_strings=strings)
    assert [dict(row) for row in read(data, limits=TableLimits(max_shared_strings=14))] == [{"date": "10"}]
    with pytest.raises(TableError, match="more than 13 different texts"):
        read(data, limits=TableLimits(max_shared_strings=13))


def test_rows_are_read_lazily_and_counted_before_the_rest_of_the_file():
    lines = [hostile.text_row(1, hostile.SALE_HEADER)]
    lines += [hostile.text_row(n, ["2025-03-14", f"P-{n}", str(n)]) for n in range(2, 20_002)]
    data = hostile.xlsx(hostile.sheet_xml(lines))
    rows = read_table(upload(data), max_rows=100, limits=TableLimits())
    first = [next(rows) for _ in range(100)]
    assert [row.line for row in first] == list(range(2, 102))
    with pytest.raises(TableError, match="more than 100 rows"):
        next(rows)


def test_an_upload_larger_than_the_limit_is_refused_before_reading():
    with pytest.raises(TableError, match="larger than 1 MB"):
        read_table(upload(b"a,b\n" * 300_000, "big.csv"), max_rows=5, limits=TableLimits(max_bytes=2**20))


def test_an_old_or_encrypted_workbook_gets_its_own_advice():
    with pytest.raises(TableError, match="old Excel workbook"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old.xlsx")


# Good files read as before ----------------------------------------------------------------------

CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).filter(lambda f: f == 0 or abs(f) > 1e-6),
    st.dates(min_value=datetime.date(1901, 1, 1), max_value=datetime.date(2100, 1, 1)),
    st.datetimes(min_value=datetime.datetime(1901, 1, 1), max_value=datetime.datetime(2100, 1, 1)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
    st.text(st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\ufffe\uffff"), max_size=30).filter(
        lambda text: not text.startswith("=")
    ),
)


@FUZZ
@given(rows=st.lists(st.lists(CELL_VALUES, min_size=1, max_size=6), min_size=1, max_size=12))
def test_an_xlsx_file_reads_as_openpyxl_reads_it(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Product", "Quantity", "Price", "Note", "Extra"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    expected = []
    values = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True, data_only=True).active.iter_rows(
        values_only=True
    )
    names = ["date", "product", "quantity", "price", "note", "extra"]
    for line, row in enumerate(values, start=1):
        texts = [old_text(cell) for cell in row] + [""] * len(names)
        if line > 1 and any(texts):
            expected.append((line, dict(zip(names, texts[: len(names)], strict=True))))
    assert [(row.line, dict(row)) for row in read(buffer.getvalue())] == expected


def test_shared_strings_rich_text_styles_and_the_1904_calendar_read_as_excel_shows_them():
    strings = (
        f'<sst xmlns="{hostile.MAIN}"><si><t>Date</t></si><si><t xml:space="preserve"> Product </t></si>'
        "<si><r><t>Aptek </t></r><r><rPr><b/></rPr><t>Zəfəran &amp; Co</t></r><rPh><t>ふりがな</t></rPh></si></sst>"
    ).encode()
    styles = (
        f'<styleSheet xmlns="{hostile.MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd.mm.yyyy"/>'
        '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>'
    ).encode()
    sheet = hostile.sheet_xml(
        [
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
            '<row r="3"><c r="A3" s="1"><v>45365</v></c><c r="B3" t="s"><v>2</v></c></row>',
            '<row r="4"><c r="A4" s="2"><v>45365.5</v></c><c r="C4"><v>12.5</v></c></row>',
            '<row r="5"><c r="B5"/></row>',
            '<row r="6"><c r="A6"><v>45365</v></c><c r="B6" t="str"><f>A1</f><v>calc</v></c></row>',
        ]
    )
    rels = hostile.WORKBOOK_RELS.replace(
        "</Relationships>",
        f'<Relationship Id="rId3" Type="{hostile.OFFICE_RELS}/styles" Target="/xl/styles.xml"/></Relationships>',
    )
    book = hostile.WORKBOOK.replace("<sheets>", '<workbookPr date1904="1"/><sheets>')
    data = hostile.xlsx(
        sheet,
        shared_strings=strings,
        extra={"xl/styles.xml": styles, "xl/_rels/workbook.xml.rels": rels.encode(), "xl/workbook.xml": book.encode()},
    )
    rows = read(data)
    assert [(row.line, dict(row)) for row in rows] == [
        (3, {"date": "2028-03-15", "product": "Aptek Zəfəran & Co"}),
        (4, {"date": "2028-03-15 12:00:00", "product": ""}),
        (6, {"date": "45365", "product": "calc"}),
    ]


# Cells without control characters (refused), quotes or delimiters (those test csv.Sniffer, not the reader).
SAFE_TEXT = st.text(st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\",;'"), max_size=20)


@FUZZ
@given(
    rows=st.lists(st.lists(SAFE_TEXT, min_size=3, max_size=3), min_size=1, max_size=15),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
)
def test_a_csv_file_reads_as_its_rows_were_written(rows, delimiter, bom):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writerow(["Alpha", "Beta", "Gamma"])
    writer.writerows(rows)
    data = ("\ufeff" if bom else "").encode() + text.getvalue().encode()
    expected = [
        (line, dict(zip(["alpha", "beta", "gamma"], [cell.strip() for cell in row], strict=True)))
        for line, row in enumerate(rows, start=2)
        if any(cell.strip() for cell in row)
    ]
    assert [(row.line, dict(row)) for row in read(data, "t.csv")] == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        ("a" + "," * 20_000 + "x", "Row 2 has a value in column 20001; an upload has at most 100 columns"),
        (
            "a" + "," * 150 + "x",
            "Row 2 has a value in column EU; an upload has at most 100 columns. Delete the columns after CV.",
        ),
        ("a,b" + "," * 50 + "\x07", "Row 2, column AZ contains a control character (U+0007)"),
        ("a," + "b" * 1001, "Row 2, column B holds more than 1000 characters"),
    ],
)
def test_a_bad_csv_cell_is_named_by_row_and_column(line, expected):
    with pytest.raises(TableError, match=re.escape(expected)):
        read(f"date,product_code\n{line}\n".encode(), "t.csv")


def test_csv_rows_keep_their_spreadsheet_numbers_across_quoted_line_breaks_and_blank_lines():
    data = b'date;note\n2025-03-14;"two\nlines"\n\n2025-03-15;plain\n'
    assert [(row.line, dict(row)) for row in read(data, "t.csv")] == [
        (2, {"date": "2025-03-14", "note": "two\nlines"}),
        (4, {"date": "2025-03-15", "note": "plain"}),
    ]


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "neither an XLSX spreadsheet nor a UTF-8 CSV file"),
        (b"a,b\n" + b"1,2\n" * 3000 + b"\xff\xfe,3\n", "neither an XLSX spreadsheet nor a UTF-8 CSV file"),
        (b"", "The file has no rows."),
        (b"\n\n,,\n", "The file has no rows."),
    ],
)
def test_a_file_that_is_no_csv_says_so(data, expected):
    with pytest.raises(TableError, match=re.escape(expected)):
        read(data, "t.csv")


# Fuzzing: nothing but rows or a TableError -------------------------------------------------------


def rows_or_refusal(data: bytes, name: str) -> None:
    try:
        for row in read_table(upload(data, name), max_rows=50, limits=TableLimits(max_cell_chars=200)):
            assert all(len(value) <= 200 for value in row.values())
    except TableError as error:
        assert str(error)


@FUZZ
@given(data=st.binary(max_size=2000), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt"]))
def test_random_bytes_give_rows_or_a_clear_refusal(data, name):
    rows_or_refusal(data, name)


@FUZZ
@given(text=st.text(max_size=3000))
@example(text='"' * 5)
@example(text="a,b\n\r\r\n\x00")
def test_random_text_as_csv_gives_rows_or_a_clear_refusal(text):
    rows_or_refusal(text.encode("utf-8", "surrogatepass"), "f.csv")


XML_PIECES = st.sampled_from(
    [
        "<row>",
        "</row>",
        '<row r="3">',
        '<row r="0">',
        '<row r="99999999999">',
        "<c>",
        '<c r="B2">',
        '<c r="A1" t="s">',
        '<c t="inlineStr">',
        '<c t="b">',
        '<c t="d">',
        '<c t="e">',
        '<c s="7">',
        '<c r="zz9">',
        "</c>",
        "<v>",
        "</v>",
        "<is><t>",
        "</t></is>",
        "<f>SUM(A1)</f>",
        "1",
        "-1E+400",
        "NaN",
        "x",
        "&amp;",
        "&#1;",
        "&bogus;",
        "<![CDATA[<c>]]>",
        "<!-- c -->",
        "<?pi x?>",
        "<rPh><t>p</t></rPh>",
    ]
)


@FUZZ
@given(pieces=st.lists(XML_PIECES, max_size=40))
def test_random_sheet_xml_gives_rows_or_a_clear_refusal(pieces):
    rows_or_refusal(hostile.xlsx(hostile.sheet_xml(pieces), shared_strings=hostile.shared_strings_xml(["a"])), "f.xlsx")


@functools.cache
def good_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(["date", "product_code", "quantity"])
    workbook.active.append([datetime.date(2025, 3, 14), "CARD-10", 3])
    saved = io.BytesIO()
    workbook.save(saved)
    return saved.getvalue()


@FUZZ
@given(data=st.data())
def test_a_damaged_good_workbook_gives_rows_or_a_clear_refusal(data):
    buffer = bytearray(good_workbook())
    for _ in range(data.draw(st.integers(1, 5))):
        buffer[data.draw(st.integers(0, len(buffer) - 1))] = data.draw(st.integers(0, 255))
    rows_or_refusal(bytes(buffer), "f.xlsx")


# Cells --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12.50", Decimal("12.50")),
        ("12,50", Decimal("12.50")),
        ("1 250.00", Decimal("1250.00")),
        ("1\u00a0250", Decimal("1250")),
        ("-3", Decimal("-3")),
        ("1E3", Decimal("1E3")),
        ("0E-99", Decimal("0E-99")),
        ("", None),
        ("abc", None),
        ("1,250.00", None),
        ("NaN", None),
        ("nan", None),
        ("sNaN", None),
        ("Infinity", None),
        ("-Inf", None),
        ("1E+1000000", None),
        ("1e999999999", None),
        ("9" * 5000, None),
        ("1E+18", None),
        ("1E-19", None),
        ("0x10", None),
        ("1_000", None),
    ],
)
def test_a_decimal_cell_is_a_number_or_none(text, expected):
    assert cell_decimal(text) == expected


@given(text=st.text(max_size=60) | st.from_regex(r"[+-]?\d{0,30}(\.\d{0,30})?([eE][+-]?\d{1,9})?", fullmatch=True))
@example(text="1E+1000000")
def test_decimal_cells_never_raise_and_stay_within_plain_arithmetic(text):
    number = cell_decimal(text)
    if number is not None:
        # What a price or quantity goes through afterwards (abs, times a quantity) cannot overflow.
        assert number.is_finite() and abs(number) < Decimal(10) ** 18
        assert (number * 10**9).is_finite()
    whole = cell_whole_number(text)
    assert whole is None or abs(whole) < 10**18


def test_whole_numbers():
    assert [cell_whole_number(text) for text in ["24", "24.0", "1 000", "2.5", "1E2", "NaN", "1E+1000000"]] == [
        24,
        24,
        1000,
        None,
        100,
        None,
        None,
    ]


def test_a_quoted_cell_is_cut_to_a_hundred_characters():
    assert quote_cell("short") == "short"
    long = string.ascii_letters * 40
    assert quote_cell(long) == long[:99] + "…"
    assert len(quote_cell(long)) == 100
