"""Forms of products, sales and the sales import."""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doctors.forms import DoctorChoiceField
from doctors.models import Doctor
from doctors.selectors import doctors_ordered
from regions.forms import PlaceFieldsMixin, PlaceFilterMixin, active_or_current
from regions.models import City, Region
from sales.importing import sale_rows
from sales.models import Pharmacy, Product, Sale
from subscription.models import Company
from subscription.selectors import company_users
from subscription.ui.aztext import az_ordered
from subscription.ui.forms import (
    DateInput,
    DayField,
    StyledFormMixin,
    UserChoiceField,
    limit_staff_to,
    number_field_classes,
)
from subscription.ui.tables import TableError, TableRow, quote_cell, read_table

User = get_user_model()
UPLOAD_EXTENSIONS = (".csv", ".xlsx", ".txt")


class ProductForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "form", "strength", "pack", "price", "is_active"]
        field_classes = number_field_classes(decimals=("price",))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class ProductFilterForm(StyledFormMixin, forms.Form):
    compact = True

    is_active = forms.TypedChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
        coerce=lambda value: value == "1",
        empty_value=None,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj} ({obj.code})"


class SaleForm(StyledFormMixin, PlaceFieldsMixin, forms.ModelForm):
    product = ProductChoiceField(queryset=Product.objects.none(), label=_("product"))
    representative = UserChoiceField(queryset=User.objects.none(), label=_("representative"), required=False)
    doctor = DoctorChoiceField(queryset=Doctor.objects.none(), label=_("attributed doctor"), required=False)

    class Meta:
        model = Sale
        fields = [
            "date",
            "product",
            "quantity",
            "unit_price",
            "amount",
            "currency",
            "source",
            "distributor",
            "pharmacy",
            "pharmacy_record",
            "region",
            "city",
            "representative",
            "doctor",
            "invoice_number",
        ]
        widgets = {"date": DateInput()}
        field_classes = number_field_classes(decimals=("unit_price", "amount"), wholes=("quantity",))
        help_texts = {
            "pharmacy_record": _(
                "One of the company's pharmacies; its name fills the pharmacy field when that is empty."
            ),
            "unit_price": _("Leave empty to use the product's catalogue price."),
            "amount": _("Leave empty to work it out: quantity × unit price."),
        }

    def __init__(
        self, *args, company: Company, user: AbstractUser, own_only: bool, doctors: QuerySet | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        sale = self.instance
        self.fields["unit_price"].required = False
        if sale.pk and sale.amount == sale.unit_price * sale.quantity:
            # A worked-out amount is shown empty, so that a new quantity or price works it out again.
            self.initial["amount"] = None
        products = active_or_current(Product.objects.all(), sale.product_id)
        self.fields["product"].queryset = products.order_by(az_ordered("name"), "pk")
        doctors = Doctor.objects.all() if doctors is None else doctors
        self.fields["doctor"].queryset = doctors_ordered(active_or_current(doctors, sale.doctor_id))
        pharmacies = active_or_current(Pharmacy.objects.all(), sale.pharmacy_record_id)
        self.fields["pharmacy_record"].queryset = pharmacies.order_by(az_ordered("name"), "pk")
        if own_only:
            limit_staff_to(self.fields["representative"], user)
            self.initial["representative"] = user.pk
        else:
            self.fields["representative"].queryset = company_users(
                company, active_only=True, current=sale.representative_id
            )
        self.setup_places()
        self.style_fields()

    def clean(self) -> dict:
        data = super().clean()
        product = data.get("product")
        if data.get("unit_price") is None and product is not None and "unit_price" not in self.errors:
            data["unit_price"] = product.price
        return data


class SaleFilterForm(StyledFormMixin, PlaceFilterMixin, forms.Form):
    compact = True

    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("To"), required=False)
    product = ProductChoiceField(label=_("Product"), required=False, queryset=Product.objects.none())
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All"))] + Sale.Source.choices)
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.none())
    city = forms.ModelChoiceField(label=_("City or district"), required=False, queryset=City.objects.none())
    representative = UserChoiceField(label=_("Representative"), required=False, queryset=User.objects.none())
    doctor = DoctorChoiceField(label=_("Doctor"), required=False, queryset=Doctor.objects.none())

    def __init__(self, *args, company: Company, own_only: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.order_by(az_ordered("name"), "pk")
        self.fields["doctor"].queryset = doctors_ordered(Doctor.objects.all())
        if own_only:
            del self.fields["representative"]
        else:
            self.fields["representative"].queryset = company_users(company, active_only=True)
        self.setup_place_filters()
        self.style_fields()


def file_sha256(upload) -> str:
    """The SHA-256 of an uploaded file (read in chunks; the file is rewound for the reader)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


class SaleImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("file"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A CSV (UTF-8) or XLSX file with the columns below, at most %(rows)s rows."
        ) % {"rows": f"{settings.IMPORT_MAX_ROWS:,}"}
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"
        self.style_fields()

    def clean_file(self) -> list[TableRow]:
        """The file's rows with the columns of a sale; a form error if it is not a table within the limits."""
        upload = self.cleaned_data["file"]
        name = quote_cell(upload.name or "")
        if not (upload.name or "").lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(
                _("“%(name)s” is not a spreadsheet. Upload a CSV or XLSX file (Excel: File → Save as → .xlsx)."),
                params={"name": name},
                code="not_spreadsheet",
            )
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB. Split it into smaller files."),
                params={"size": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
                code="too_large",
            )
        self.file_name, self.sha256 = upload.name or "", file_sha256(upload)
        try:
            return sale_rows(read_table(upload, max_rows=settings.IMPORT_MAX_ROWS))
        except TableError as error:
            raise forms.ValidationError(
                _("“%(name)s” cannot be read: %(reason)s"),
                params={"name": name, "reason": str(error)},
                code="unreadable",
            ) from error
