"""Distributors' sales files: the columns, and the checks of every row before anything is saved."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doctors.models import Doctor
from regions.models import City, Region
from sales.models import Pharmacy, Product, Sale
from subscription.models import Company
from subscription.ui.aztext import az_fold
from subscription.ui.search import latin_spellings
from subscription.ui.tables import TableRow, cell_date, cell_decimal, cell_whole_number, quote_cell

# A report longer than this helps nobody (and would make a page of megabytes); the count says the rest.
MAX_REPORTED_ERRORS = 100
MAX_QUANTITY = 10**9
MAX_PRICE = Decimal(10) ** 10


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: Promise
    example: str


COLUMNS = [
    Column("date", True, gettext_lazy("Date of the sale: YYYY-MM-DD or DD.MM.YYYY."), "2025-03-14"),
    Column("product_code", True, gettext_lazy("The product's code in the catalogue."), "CARD-10"),
    Column("quantity", True, gettext_lazy("Number of packs, a whole number of 1 or more."), "24"),
    Column(
        "unit_price", False, gettext_lazy("Price of one pack (12.50 or 12,50); empty: the catalogue price."), "12.50"
    ),
    Column(
        "source",
        False,
        gettext_lazy("company_distributor or distributor_pharmacy; empty: distributor_pharmacy."),
        "distributor_pharmacy",
    ),
    Column("distributor", False, gettext_lazy("Name of the distributor."), "Azərfarm"),
    Column(
        "pharmacy",
        False,
        gettext_lazy("Name of the pharmacy; a name of one of the company's pharmacies links the sale to it."),
        "Zəfəran aptek",
    ),
    Column(
        "region_code",
        False,
        gettext_lazy("The economic region: its name as written (Gəncə-Daşkəsən) or its code (ganja-dashkasan)."),
        "Bakı",
    ),
    Column(
        "city_code",
        False,
        gettext_lazy(
            "The city or district: its name (Sumqayıt, Gəncə, Nəsimi) or code; alone, it sets the region too."
        ),
        "Nəsimi",
    ),
    Column("representative", False, gettext_lazy("Login (username) of the credited representative."), ""),
    Column("doctor_code", False, gettext_lazy("Code of the attributed doctor."), ""),
    Column("invoice_number", False, gettext_lazy("Invoice number."), "INV-0001"),
]
COLUMN_NAMES = [column.name for column in COLUMNS]
REQUIRED = [column.name for column in COLUMNS if column.required]
ALIASES = {
    "representative_username": "representative",
    "username": "representative",
    "price": "unit_price",
    "region": "region_code",
    "city": "city_code",
}
# The template file's example row: imported as it is, it is a mistake (it was meant to be replaced).
EXAMPLE_ROW = {column.name: column.example for column in COLUMNS if column.example}
REFERENCES = ["product", "doctor", "region", "city", "representative", "pharmacy_record", "created_by", "updated_by"]
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")
# Model fields a full_clean() error may name, and the file column to report it under.
FIELD_COLUMNS = {
    "date": "date",
    "quantity": "quantity",
    "unit_price": "unit_price",
    "amount": "unit_price",
    "source": "source",
    "distributor": "distributor",
    "pharmacy": "pharmacy",
    "city": "city_code",
    "invoice_number": "invoice_number",
}


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    reason: str


class ImportRejected(Exception):
    """Some rows are wrong, so nothing was saved; `errors` are the first of them, `count` says how many."""

    def __init__(self, errors: list[RowError], *, count: int) -> None:
        super().__init__(f"{count} errors")
        self.errors = errors
        self.count = count


@dataclass
class ParsedSales:
    """Unsaved sales of the good rows, the first MAX_REPORTED_ERRORS errors and the count of all."""

    sales: list[Sale] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add_errors(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        self.errors.extend(errors[: max(0, MAX_REPORTED_ERRORS - len(self.errors))])
        self.sales.clear()  # nothing will be saved, so no need to keep them


def is_example(row: dict[str, str]) -> bool:
    """Whether `row` is the template's example row, unchanged."""
    return all((row.get(name) or "").strip() == value for name, value in EXAMPLE_ROW.items())


def column_key(header: str) -> str:
    """`Product code`, `product-code` and `product_code` name the same column."""
    key = re.sub(r"[\s\-]+", "_", header.strip().lower())
    return ALIASES.get(key, key)


def sale_rows(table: Iterable[TableRow]) -> list[TableRow]:
    """The rows of an uploaded table with only the columns a sale has, under their names.

    Consumes a lazy table row by row, so other columns never pile up in memory.
    """
    rows = []
    for row in table:
        values = {}
        for header, value in row.items():
            key = column_key(header)
            if key in COLUMN_NAMES:
                values[key] = value
        rows.append(TableRow(values, line=row.line))
    return rows


def parse_sale_rows(rows: list[dict[str, str]], *, company: Company, created_by: AbstractUser) -> ParsedSales:
    """Unsaved Sale objects for good rows, or the errors of the bad cells (the first ones, and a count).

    Raises ValidationError if the file as a whole cannot be read as sales (no rows, too many
    rows, a required column missing). Reference rows are read in a few queries, not per row.
    """
    if not rows:
        raise ValidationError(_("The file has a header row but no sales under it."), code="empty")
    if len(rows) > settings.IMPORT_MAX_ROWS:
        raise ValidationError(
            _("The file has more than %(limit)d rows; one upload takes at most %(limit)d. Split it into smaller files.")
            % {"limit": settings.IMPORT_MAX_ROWS},
            code="too_many_rows",
        )
    # Error reports name the line as the spreadsheet shows it, blank lines included.
    lines = [getattr(row, "line", index + 2) for index, row in enumerate(rows)]
    rows = [{column_key(key): value for key, value in row.items()} for row in rows]
    present = set().union(*(row.keys() for row in rows))
    missing = [name for name in REQUIRED if name not in present]
    if missing:
        raise ValidationError(
            _("The file has no column %(missing)s. The first row must name the columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(COLUMN_NAMES)},
            code="missing_columns",
        )
    lookups = _Lookups(rows, company=company)
    parsed = ParsedSales()
    for line, row in zip(lines, rows, strict=True):
        if is_example(row):
            parsed.add_errors([RowError(line, "date", _("This is the template's example row: replace or delete it."))])
            continue
        sale, row_errors = _parse_row(row, line, lookups, created_by)
        if row_errors:
            parsed.add_errors(row_errors)
        elif not parsed.error_count:
            parsed.sales.append(sale)
    return parsed


class PlaceNames:
    """Regions or cities by code and by name as people type it (any language, with or without the
    Azerbaijani letters; a Baku district also by its own name: "Nəsimi" for "Bakı — Nəsimi")."""

    def __init__(self, places) -> None:
        self.by_code: dict[str, object] = {}
        self.by_name: dict[str, list] = {}
        for place in places:
            self.by_code[place.code] = place
            for name in {place.name_az, place.name_en, place.name_ru, place.name_az.rpartition(" — ")[2]}:
                for key in name_keys(name):
                    found = self.by_name.setdefault(key, [])
                    if place not in found:
                        found.append(place)

    def find(self, typed: str, *, region=None) -> list:
        """The places `typed` names (one, or several if the name is shared), within `region` if given."""
        if typed in self.by_code:
            return [self.by_code[typed]]
        typed = " ".join(typed.split())
        # Latin letters typed mean what a Latin keyboard means (I is i); Azerbaijani ones fold by their rules.
        found = self.by_name.get(typed.lower() if typed.isascii() else az_fold(typed), [])
        if region is not None and len(found) > 1:
            found = [place for place in found if place.region_id == region.pk]
        return found


def name_keys(name: str) -> list[str]:
    """The spellings a name is found by: as written (folded) and as a Latin keyboard types it."""
    folded = az_fold(" ".join((name or "").split()))
    return [folded, *latin_spellings(folded)] if folded else []


class _Lookups:
    """The products, doctors, places and users the file names, each read in one query."""

    def __init__(self, rows: list[dict[str, str]], *, company: Company) -> None:
        def values(column: str) -> set[str]:
            return {row[column] for row in rows if row.get(column)}

        self.products = {p.code: p for p in Product.objects.filter(code__in=values("product_code"))}
        self.doctors = {d.code: d for d in Doctor.objects.filter(code__in=values("doctor_code"))}
        self.regions = PlaceNames(Region.objects.all())
        self.cities = PlaceNames(City.objects.select_related("region"))
        users = get_user_model().objects.filter(profile__company=company, username__in=values("representative"))
        self.users = {u.username: u for u in users}
        self.pharmacies: dict[str, list[Pharmacy]] = {}
        for pharmacy in Pharmacy.objects.filter(is_active=True):
            self.pharmacies.setdefault(az_fold(pharmacy.name.strip()), []).append(pharmacy)

    def pharmacy(self, name: str, city: City | None) -> Pharmacy | None:
        """The company's pharmacy of this name (in the row's city, when several share the name)."""
        found = self.pharmacies.get(az_fold(name.strip()), []) if name else []
        if city is not None and len(found) > 1:
            found = [pharmacy for pharmacy in found if pharmacy.city_id == city.pk]
        return found[0] if len(found) == 1 else None


def _places(region_text: str, city_text: str, lookups: _Lookups, fail) -> tuple[Region | None, City | None]:
    """The region and city a row names (by code or name); `fail(column, reason)` for what is wrong."""
    region = city = None
    if region_text:
        regions = lookups.regions.find(region_text)
        if len(regions) == 1:
            region = regions[0]
        else:
            fail("region_code", _("No region is called or coded “%(value)s”.") % {"value": quote_cell(region_text)})
    if city_text:
        cities = lookups.cities.find(city_text, region=region)
        if len(cities) > 1:
            fail(
                "city_code",
                _("Several places are called “%(value)s”: add the region, or use the code.")
                % {"value": quote_cell(city_text)},
            )
        elif not cities:
            fail(
                "city_code",
                _("No city or district is called or coded “%(value)s”.") % {"value": quote_cell(city_text)},
            )
        else:
            city = cities[0]
            if region is None and not region_text:
                region = city.region
            elif region is not None and city.region_id != region.pk:
                fail("city_code", _("This city is not in the region “%(region)s”.") % {"region": region})
    return region, city


def _parse_row(
    row: dict[str, str], number: int, lookups: _Lookups, created_by: AbstractUser
) -> tuple[Sale | None, list[RowError]]:
    errors: list[RowError] = []

    def fail(column: str, reason: str) -> None:
        errors.append(RowError(number, column, reason))

    def cell(column: str) -> str:
        return (row.get(column) or "").strip()

    def shown(column: str) -> str:
        return quote_cell(cell(column))

    date = cell_date(cell("date"), DATE_FORMATS)
    if not cell("date"):
        fail("date", _("The date is missing."))
    elif date is None:
        fail("date", _("“%(value)s” is not a date; write it as YYYY-MM-DD or DD.MM.YYYY.") % {"value": shown("date")})

    product = lookups.products.get(cell("product_code"))
    if not cell("product_code"):
        fail("product_code", _("The product code is missing."))
    elif product is None:
        fail(
            "product_code",
            _("No product has the code “%(value)s”; check it or add the product to the catalogue first.")
            % {"value": shown("product_code")},
        )

    quantity = cell_whole_number(cell("quantity"))
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        fail("quantity", _("“%(value)s” is not a number of packs (1 or more).") % {"value": shown("quantity")})

    unit_price = product.price if product is not None else None
    if cell("unit_price"):
        unit_price = cell_decimal(cell("unit_price"))
        if unit_price is None or not 0 <= unit_price < MAX_PRICE:
            fail("unit_price", _("“%(value)s” is not a price.") % {"value": shown("unit_price")})

    source = cell("source").lower() or Sale.Source.DISTRIBUTOR_TO_PHARMACY
    if source not in Sale.Source.values:
        fail(
            "source",
            _("“%(value)s” is not a source; use %(choices)s.")
            % {"value": shown("source"), "choices": " / ".join(Sale.Source.values)},
        )

    region, city = _places(cell("region_code"), cell("city_code"), lookups, fail)

    representative = None
    if cell("representative"):
        representative = lookups.users.get(cell("representative"))
        if representative is None:
            fail(
                "representative",
                _("No user of this company has the login “%(value)s”.") % {"value": shown("representative")},
            )

    doctor = None
    if cell("doctor_code"):
        doctor = lookups.doctors.get(cell("doctor_code"))
        if doctor is None:
            fail("doctor_code", _("No doctor has the code “%(value)s”.") % {"value": shown("doctor_code")})

    if errors:
        return None, errors
    sale = Sale(
        date=date,
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        source=source,
        distributor=cell("distributor"),
        pharmacy=cell("pharmacy"),
        pharmacy_record=lookups.pharmacy(cell("pharmacy"), city),
        region=region,
        city=city,
        representative=representative,
        doctor=doctor,
        invoice_number=cell("invoice_number"),
        created_by=created_by,
        updated_by=created_by,
    )
    try:
        # References were checked above from the lookups (and the importing user exists): skip
        # Django's query per reference and row.
        sale.full_clean(exclude=REFERENCES)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                fail(FIELD_COLUMNS.get(field, field), message)
        return None, errors
    return sale, errors
