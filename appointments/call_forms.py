"""The call report form: built for a phone, one column, a few rows for products and samples."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from appointments.call_services import ProductDiscussed, SampleGiven
from appointments.models import Appointment, CallDetail
from doctors.forms import DoctorChoiceField
from doctors.models import Doctor
from sales.forms import ProductChoiceField
from sales.models import Pharmacy, Product, SampleStock
from sales.sample_selectors import stock_to_give
from subscription.ui.aztext import az_ordered
from subscription.ui.forms import DateInput, DateTimeLocalInput, StyledFormMixin, WholeNumberField

PRODUCT_ROWS = 3
SAMPLE_ROWS = 2


class CallReportForm(StyledFormMixin, forms.Form):
    outcome = forms.CharField(
        label=_("outcome"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What was agreed, what the doctor said…")}),
        max_length=5000,
    )
    next_step = forms.CharField(label=_("next step"), max_length=300, required=False)
    next_step_date = forms.DateField(label=_("next step date"), required=False, widget=DateInput())
    follow_up = forms.BooleanField(label=_("Plan a follow-up visit on that date"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class NewCallForm(StyledFormMixin, forms.Form):
    """Whom an unplanned call was with, and when."""

    kind = forms.ChoiceField(label=_("kind"), choices=Appointment.Kind.choices, widget=forms.HiddenInput)
    doctor = DoctorChoiceField(label=_("doctor"), queryset=Doctor.objects.none(), required=False)
    pharmacy = forms.ModelChoiceField(label=_("pharmacy"), queryset=Pharmacy.objects.none(), required=False)
    planned_start = forms.DateTimeField(label=_("when"), widget=DateTimeLocalInput())
    channel = forms.ChoiceField(label=_("channel"), choices=Appointment.Channel.choices)

    def __init__(self, *args, doctors: QuerySet[Doctor], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doctor"].queryset = doctors.filter(is_active=True)
        self.fields["pharmacy"].queryset = Pharmacy.objects.filter(is_active=True).order_by(az_ordered("name"), "pk")
        if self.initial.get("kind", self.data.get("kind")) == Appointment.Kind.PHARMACY:
            del self.fields["doctor"]
        else:
            del self.fields["pharmacy"]
        self.style_fields()

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind == Appointment.Kind.DOCTOR and not data.get("doctor") and "doctor" not in self.errors:
            self.add_error("doctor", _("Choose the doctor."))
        if kind == Appointment.Kind.PHARMACY and not data.get("pharmacy") and "pharmacy" not in self.errors:
            self.add_error("pharmacy", _("Choose the pharmacy."))
        return data


class ProductRowForm(StyledFormMixin, forms.Form):
    product = ProductChoiceField(label=_("product"), queryset=Product.objects.none(), required=False)
    key_message = forms.CharField(label=_("key message"), max_length=300, required=False)
    response = forms.ChoiceField(label=_("response"), choices=CallDetail.Response.choices, required=False)

    def __init__(self, *args, products: QuerySet[Product], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.style_fields()

    def discussed(self) -> ProductDiscussed | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("product"):
            return None
        return ProductDiscussed(data["product"], data.get("key_message", ""), data.get("response") or "neutral")


class StockChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SampleStock) -> str:
        return _("%(product)s · lot %(lot)s · exp. %(expiry)s · %(left)d left") % {
            "product": obj.product,
            "lot": obj.lot,
            "expiry": date_format(obj.expiry, "SHORT_DATE_FORMAT"),
            "left": obj.quantity,
        }


class SampleRowForm(StyledFormMixin, forms.Form):
    stock = StockChoiceField(label=_("sample lot"), queryset=SampleStock.objects.none(), required=False)
    quantity = WholeNumberField(label=_("quantity"), min_value=1, max_value=10000, required=False)

    def __init__(self, *args, stock: QuerySet[SampleStock], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stock"].queryset = stock
        self.style_fields()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("stock") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("How many samples were given?"))
        if data.get("quantity") and not data.get("stock") and "stock" not in self.errors:
            self.add_error("stock", _("Choose the lot the samples came from."))
        return data

    def given(self) -> SampleGiven | None:
        data = getattr(self, "cleaned_data", {})
        return SampleGiven(data["stock"], data["quantity"]) if data.get("stock") and data.get("quantity") else None


ProductRows = forms.formset_factory(ProductRowForm, extra=0)
SampleRows = forms.formset_factory(SampleRowForm, extra=0)


def report_products(visit: Appointment | None) -> QuerySet[Product]:
    """Active products, and those the report already names."""
    named = list(visit.details.values_list("product_id", flat=True)) if visit is not None and visit.pk else []
    return Product.objects.filter(Q(is_active=True) | Q(pk__in=named)).order_by(az_ordered("name"), "pk")


def report_stock(*, staff_id: int, day: datetime.date, visit: Appointment | None) -> QuerySet[SampleStock]:
    """The lots a report may take samples from: the staff member's on the day, and those it already took."""
    taken = list(visit.samples.values_list("stock_id", flat=True)) if visit is not None and visit.pk else []
    usable = stock_to_give(representative_id=staff_id, on=day)
    return (
        SampleStock.objects.filter(Q(pk__in=usable.values("pk")) | Q(pk__in=taken))
        .select_related("product")
        .order_by("product__name", "expiry", "pk")
    )


def report_forms(request, *, visit: Appointment | None, staff_id: int, day: datetime.date) -> tuple:
    """The report form and its product and sample rows, bound to the POST or filled from the visit."""
    data = request.POST or None
    products, stock = report_products(visit), report_stock(staff_id=staff_id, day=day, visit=visit)
    product_initial, sample_initial, initial = [], [], {}
    if visit is not None and visit.pk:
        initial = {"outcome": visit.outcome, "next_step": visit.next_step, "next_step_date": visit.next_step_date}
        details = list(visit.details.all())
        product_initial = [
            {"product": d.product_id, "key_message": d.key_message, "response": d.response} for d in details
        ] or [{"product": p.pk} for p in visit.products.all()]
        sample_initial = [{"stock": s.stock_id, "quantity": s.quantity} for s in visit.samples.all()]
    product_rows = ProductRows(
        data,
        prefix="p",
        initial=product_initial + [{}] * max(PRODUCT_ROWS - len(product_initial), 1),
        form_kwargs={"products": products},
    )
    sample_rows = SampleRows(
        data,
        prefix="s",
        initial=sample_initial + [{}] * max(SAMPLE_ROWS - len(sample_initial), 1),
        form_kwargs={"stock": stock},
    )
    return CallReportForm(data, initial=initial), product_rows, sample_rows


def default_call_time() -> datetime.datetime:
    """Now, to the minute (the start of an unplanned call being reported)."""
    return timezone.localtime().replace(second=0, microsecond=0)
