"""The whole company's data as one workbook: a sheet per entity (the owner's data export).

Each sheet is the entity's own export specification, the same one its list page exports with.
"""

from __future__ import annotations

from appointments.exports import VISITS
from doctors.exports import DOCTORS
from patients.exports import PATIENTS
from payments.exports import PAYMENTS
from sales.exports import PHARMACIES, PRODUCTS, SALES, SAMPLE_STOCK
from subscription.ui.exports import ExportSpec, Sheet, workbook_bytes

# In the order a reader expects.
COMPANY_EXPORT: tuple[ExportSpec, ...] = (
    DOCTORS,
    PATIENTS,
    VISITS,
    PRODUCTS,
    SALES,
    PAYMENTS,
    PHARMACIES,
    SAMPLE_STOCK,
)


def company_sheets() -> list[Sheet]:
    """Every entity of the selected company."""
    return [spec.sheet() for spec in COMPANY_EXPORT]


def company_row_counts() -> list[tuple[str, int]]:
    """How many rows each sheet of the export will have."""
    return [(str(spec.title), spec.queryset().count()) for spec in COMPANY_EXPORT]


def company_workbook() -> bytes:
    """The selected company's data as an XLSX workbook."""
    return workbook_bytes(company_sheets())
