"""Reading uploaded tables (CSV or XLSX) row by row, keyed by their header."""

import csv
import datetime
import io

from django.utils.translation import gettext as _


def read_table(upload) -> list["TableRow"]:
    """Rows of an uploaded CSV or XLSX file as dicts keyed by the header row (lower-cased, stripped).

    Blank lines are skipped; each row keeps its line number for error reports.

    Raises ValueError with a message a user can act on if the file is neither.
    """
    name = (upload.name or "").lower()
    data = upload.read()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - any parse failure is the file's fault
            raise ValueError(_("The file is not a readable XLSX spreadsheet.")) from error
        values = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValueError(_("The file is neither an XLSX spreadsheet nor a UTF-8 CSV file.")) from error
        if "\x00" in text:
            raise ValueError(_("The file is neither an XLSX spreadsheet nor a CSV file."))
        try:
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            values = list(csv.reader(io.StringIO(text), dialect))
        except csv.Error as error:
            raise ValueError(
                _("The file is not a CSV table a spreadsheet would write (%(error)s).") % {"error": error}
            ) from error
    numbered = [(line, row) for line, row in enumerate(values, start=1) if any(cell not in (None, "") for cell in row)]
    if not numbered:
        raise ValueError(_("The file has no rows."))
    header = [str(cell or "").strip().lower() for cell in numbered[0][1]]
    return [
        TableRow({header[i]: _text(cell) for i, cell in enumerate(row) if i < len(header)}, line=line)
        for line, row in numbered[1:]
    ]


class TableRow(dict):
    """One row of an uploaded table; `line` is its number as the spreadsheet shows it (header = 1)."""

    def __init__(self, values: dict, *, line: int) -> None:
        super().__init__(values)
        self.line = line


def _text(cell) -> str:
    """A spreadsheet cell as the text a user would have typed."""
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time(0):
        return cell.date().isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
