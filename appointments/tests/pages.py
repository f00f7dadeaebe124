"""Reading what a user sees in a page or a download (shared by the visit, sale and payment tests)."""

import csv
import io

from openpyxl import load_workbook


def table_rows(response) -> str:
    """The rows of the page's table, without the filter form's choices."""
    text = response.text
    return text[text.index("<tbody>") : text.index("</tbody>")]


def csv_rows(response) -> list[list[str]]:
    """A CSV download's rows, header first."""
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def xlsx_rows(response) -> list[list]:
    """An XLSX download's rows, header first."""
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]
