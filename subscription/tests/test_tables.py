"""The bounded table reader: hostile files are refused quickly and cheaply, good files read as before."""

import datetime
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from subscription.tests import hostile_tables as hostile
from subscription.tests.hostile_tables import MEMORY_BOUND, REFUSALS, TIME_BOUND, measure, read, refusal, upload
from subscription.ui.tables import (
    TableError,
    TableLimits,
    read_table,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each layer of defence alone: the packing-ratio check off, then the size checks off as well.
NO_RATIO = TableLimits(max_compression_ratio=10**9)
NO_SIZES = TableLimits(max_compression_ratio=10**9, max_uncompressed_bytes=10**12)
DEFAULT = TableLimits()


def old_text(cell) -> str:
    """How the reader before this one turned an openpyxl cell into text (the behaviour kept)."""
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time(0):
        return cell.date().isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def test_every_hostile_file_has_an_expected_refusal():
    assert set(REFUSALS) == set(hostile.HOSTILE)


@pytest.mark.parametrize("case", sorted(hostile.HOSTILE))
def test_a_hostile_file_is_refused_clearly_within_the_memory_and_time_bounds(case):
    name, make = hostile.HOSTILE[case]
    message, peak, seconds = refusal(make(), name)
    assert REFUSALS[case] in message
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
