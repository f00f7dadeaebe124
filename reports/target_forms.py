"""Forms of targets: sales targets, visit frequency, and the month the targets page shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from doctors.models import Doctor, Territory
from reports.models import SalesTarget
from sales.forms import ProductChoiceField
from sales.models import Product
from subscription.models import UserProfile
from subscription.selectors import company_users
from subscription.ui.aztext import az_ordered
from subscription.ui.forms import StyledFormMixin, UserChoiceField, number_field_classes

if TYPE_CHECKING:
    from subscription.models import Company


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A month (`<input type="month">`), as the date of its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def clean(self, value):
        day = super().clean(value)
        if day is None:
            return None
        if not 1900 <= day.year <= 2999:
            raise forms.ValidationError(_("Choose a month between the years 1900 and 2999."), code="out_of_range")
        return day.replace(day=1)


class SalesTargetForm(StyledFormMixin, forms.ModelForm):
    month = MonthField(label=_("month"))
    product = ProductChoiceField(queryset=Product.objects.none(), label=_("product"))
    representative = UserChoiceField(queryset=None, label=_("representative"), required=False)
    territory = forms.ModelChoiceField(queryset=Territory.objects.none(), label=_("territory"), required=False)

    class Meta:
        model = SalesTarget
        fields = ["month", "product", "representative", "territory", "quantity", "amount"]
        field_classes = number_field_classes(decimals=("amount",), wholes=("quantity",))
        help_texts = {"amount": _("Leave empty to work it out: packs × catalogue price.")}

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].required = False
        self.fields["product"].queryset = Product.objects.order_by(az_ordered("name"), "pk")
        self.fields["representative"].queryset = company_users(
            company, active_only=True, current=self.instance.representative_id
        ).filter(profile__role=UserProfile.Role.REPRESENTATIVE)
        self.fields["territory"].queryset = Territory.objects.order_by("name")
        self.fields["representative"].help_text = _("A target is for a representative or for a territory.")
        self.style_fields()

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("representative")) == bool(data.get("territory")) and not self.errors:
            raise forms.ValidationError(_("Choose a representative or a territory (one of the two)."))
        return data


class FrequencyForm(StyledFormMixin, forms.Form):
    """Calls a month per category: the defaults, or (with a month) that month's own figures."""

    month = MonthField(label=_("month"), required=False, help_text=_("Empty: the company's defaults."))

    def __init__(self, *args, current: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Doctor.Category.choices:
            self.fields[f"calls_{value}"] = forms.IntegerField(
                label=label, min_value=0, max_value=31, required=False, initial=current.get(value)
            )
        self.style_fields()

    def calls(self) -> dict[str, int | None]:
        return {value: self.cleaned_data.get(f"calls_{value}") for value in Doctor.Category.values}

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("month") and any(data.get(f"calls_{v}") is None for v in Doctor.Category.values):
            if not self.errors:
                raise forms.ValidationError(_("The defaults need a number for every category."))
        return data


class TargetMonthForm(forms.Form):
    month = MonthField(
        label=_("month"), required=False, widget=MonthInput(attrs={"class": "form-control form-control-sm"})
    )
