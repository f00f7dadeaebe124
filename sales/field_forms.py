"""Forms of pharmacies and of sample stock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from regions.forms import PlaceFilterMixin, az_sorted
from regions.models import City
from sales.forms import ProductChoiceField
from sales.models import Pharmacy, Product
from subscription.models import UserProfile
from subscription.selectors import company_users
from subscription.ui.aztext import az_ordered
from subscription.ui.forms import DateInput, StyledFormMixin, UserChoiceField, WholeNumberField
from subscription.ui.phones import PHONE_HELP, normalize_phone

if TYPE_CHECKING:
    from subscription.models import Company


class PharmacyForm(StyledFormMixin, forms.ModelForm):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("city or district"))

    class Meta:
        model = Pharmacy
        fields = ["name", "chain", "city", "address", "contact_person", "phone", "is_active"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "placeholder": "+994 12 123 45 67"})}
        help_texts = {"phone": PHONE_HELP}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.city_id
        self.fields["city"].queryset = az_sorted(City.objects.filter(is_active=True) | City.objects.filter(pk=current))
        self.style_fields()

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class PharmacyFilterForm(StyledFormMixin, PlaceFilterMixin, forms.Form):
    compact = True
    mark_invalid = False

    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=None)
    city = forms.ModelChoiceField(label=_("City or district"), required=False, queryset=None)
    chain = forms.CharField(label=_("Chain"), required=False, max_length=150)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setup_place_filters()
        self.style_fields()

    def full_clean(self) -> None:
        super().full_clean()
        self._errors.clear()


class SampleIssueForm(StyledFormMixin, forms.Form):
    representative = UserChoiceField(queryset=None, label=_("representative"))
    product = ProductChoiceField(queryset=Product.objects.none(), label=_("product"))
    lot = forms.CharField(label=_("lot"), max_length=50)
    expiry = forms.DateField(label=_("expiry"), widget=DateInput())
    quantity = WholeNumberField(label=_("quantity"), min_value=1, max_value=100000)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = company_users(company, active_only=True).filter(
            profile__role=UserProfile.Role.REPRESENTATIVE
        )
        self.fields["product"].queryset = Product.objects.filter(is_active=True).order_by(az_ordered("name"), "pk")
        self.style_fields()


class SampleStockFilterForm(StyledFormMixin, forms.Form):
    compact = True
    mark_invalid = False

    representative = UserChoiceField(queryset=None, label=_("Representative"), required=False)
    product = ProductChoiceField(queryset=Product.objects.none(), label=_("Product"), required=False)
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("On hand")), ("all", _("All lots")), ("expired", _("Expired"))],
    )

    def __init__(self, *args, company: Company, own_only: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if own_only:
            del self.fields["representative"]
        else:
            self.fields["representative"].queryset = company_users(company).filter(
                profile__role=UserProfile.Role.REPRESENTATIVE
            )
        self.fields["product"].queryset = Product.objects.order_by(az_ordered("name"), "pk")
        self.style_fields()

    def full_clean(self) -> None:
        super().full_clean()
        self._errors.clear()
