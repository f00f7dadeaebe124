"""The bounded table reader on CSV files, on random input, and its cell parsers."""

import csv
import datetime
import functools
import io
import re
import string
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from subscription.tests import hostile_tables as hostile
from subscription.tests.hostile_tables import read, upload
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
        ("1,250.00", Decimal("1250.00")),
        ("1 500,50", Decimal("1500.50")),
        ("1,500,50", None),
        ("1,500", None),
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
