"""How products and sales are exported: the list pages' exports and the company's full export use these."""

from django.utils.translation import gettext_lazy as _

from regions.models import City, Region
from sales.models import Pharmacy, Product, Sale
from sales.sample_selectors import sample_stock_list
from subscription.ui.exports import Column, ExportSpec, ids_of, names_by_id, user_names, yes_no

PRODUCTS = ExportSpec(
    name="products",
    title=_("Products"),
    queryset=lambda: Product.objects.order_by("code"),
    columns=[
        Column(_("Code"), lambda p, n: p.code),
        Column(_("Name"), lambda p, n: p.name),
        Column(_("Form"), lambda p, n: p.form),
        Column(_("Strength"), lambda p, n: p.strength),
        Column(_("Pack"), lambda p, n: p.pack),
        Column(_("Price (AZN)"), lambda p, n: p.price),
        Column(_("Active"), lambda p, n: yes_no(p.is_active)),
    ],
)


def _sale_names(sales) -> dict:
    return {
        "region": names_by_id(Region, ids_of(sales, "region")),
        "city": names_by_id(City, ids_of(sales, "city")),
        "user": user_names(ids_of(sales, "representative")),
    }


SALES = ExportSpec(
    name="sales",
    title=_("Sales"),
    queryset=lambda: Sale.objects.select_related("product", "doctor", "pharmacy_record").order_by("date", "pk"),
    names=_sale_names,
    columns=[
        Column(_("Number"), lambda s, n: s.pk),
        Column(_("Date"), lambda s, n: s.date),
        Column(_("Product code"), lambda s, n: s.product.code),
        Column(_("Product"), lambda s, n: str(s.product)),
        Column(_("Quantity"), lambda s, n: s.quantity),
        Column(_("Unit price"), lambda s, n: s.unit_price),
        Column(_("Amount"), lambda s, n: s.amount),
        Column(_("Currency"), lambda s, n: s.currency),
        Column(_("Source"), lambda s, n: s.get_source_display()),
        Column(_("Distributor"), lambda s, n: s.distributor),
        Column(_("Pharmacy"), lambda s, n: s.pharmacy),
        Column(_("Pharmacy record"), lambda s, n: s.pharmacy_record.name if s.pharmacy_record_id else ""),
        Column(_("Region"), lambda s, n: n["region"].get(s.region_id)),
        Column(_("City or district"), lambda s, n: n["city"].get(s.city_id)),
        Column(_("Representative"), lambda s, n: n["user"].get(s.representative_id)),
        Column(_("Doctor code"), lambda s, n: s.doctor.code if s.doctor_id else ""),
        Column(_("Doctor"), lambda s, n: s.doctor.full_name if s.doctor_id else ""),
        Column(_("Invoice number"), lambda s, n: s.invoice_number),
    ],
)

PHARMACIES = ExportSpec(
    name="pharmacies",
    title=_("Pharmacies"),
    queryset=lambda: Pharmacy.objects.order_by("name", "pk"),
    names=lambda pharmacies: {"city": names_by_id(City, ids_of(pharmacies, "city"))},
    columns=[
        Column(_("Name"), lambda p, n: p.name),
        Column(_("Chain"), lambda p, n: p.chain),
        Column(_("City or district"), lambda p, n: n["city"].get(p.city_id)),
        Column(_("Address"), lambda p, n: p.address),
        Column(_("Contact person"), lambda p, n: p.contact_person),
        Column(_("Phone"), lambda p, n: p.phone),
        Column(_("Active"), lambda p, n: yes_no(p.is_active)),
    ],
)

SAMPLE_STOCK = ExportSpec(
    name="sample-stock",
    title=_("Sample stock"),
    queryset=lambda: sample_stock_list().order_by("representative", "product__name", "expiry", "pk"),
    names=lambda stock: {"user": user_names(ids_of(stock, "representative"))},
    columns=[
        Column(_("Representative"), lambda s, n: n["user"].get(s.representative_id)),
        Column(_("Product code"), lambda s, n: s.product.code),
        Column(_("Product"), lambda s, n: str(s.product)),
        Column(_("Lot"), lambda s, n: s.lot),
        Column(_("Expiry"), lambda s, n: s.expiry),
        Column(_("Issued"), lambda s, n: s.issued),
        Column(_("Given"), lambda s, n: s.given),
        Column(_("On hand"), lambda s, n: s.quantity),
    ],
)
