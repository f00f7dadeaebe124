"""Forms of payments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from doctors.forms import DoctorChoiceField
from doctors.models import Doctor
from doctors.selectors import doctors_ordered
from payments.models import Payment
from payments.selectors import AWAITING
from regions.forms import active_or_current, az_sorted
from regions.models import Clinic
from sales.models import Product, Sale
from subscription.ui.aztext import az_ordered
from subscription.ui.forms import DateInput, DayField, StyledFormMixin, number_field_classes


class RecordNumberField(forms.ModelChoiceField):
    """A link to a sale or visit by its number: a select of every one would be far too long."""

    widget = forms.NumberInput

    def __init__(self, queryset, *, not_found: str, **kwargs) -> None:
        super().__init__(queryset, required=False, **kwargs)
        self.error_messages["invalid_choice"] = not_found
        self.widget.attrs.update({"min": 1, "step": 1})


class PaymentForm(StyledFormMixin, forms.ModelForm):
    doctor = DoctorChoiceField(queryset=Doctor.objects.none(), label=_("doctor"), required=False)
    clinic = forms.ModelChoiceField(queryset=Clinic.objects.none(), label=_("clinic"), required=False)
    sale = RecordNumberField(
        Sale.objects.all(),
        label=_("sale number"),
        help_text=_("For a payment against a sale: the number on the sale's page."),
        not_found=_("No sale has this number."),
    )
    appointment = RecordNumberField(
        Appointment.objects.all(),
        label=_("visit number"),
        help_text=_("The visit the payment is for, if any: the number on the visit's page."),
        not_found=_("No visit has this number."),
    )

    class Meta:
        model = Payment
        fields = [
            "direction",
            "kind",
            "date",
            "amount",
            "currency",
            "method",
            "doctor",
            "clinic",
            "counterparty",
            "sale",
            "product",
            "appointment",
            "reference",
            "notes",
        ]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = number_field_classes(decimals=("amount",))
        help_texts = {
            "counterparty": _("When the payment is not to or from a doctor or clinic: who it is."),
            "direction": _("Outgoing payments need a manager's approval before they are paid."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        payment = self.instance
        self.fields["doctor"].queryset = doctors_ordered(active_or_current(Doctor.objects.all(), payment.doctor_id))
        self.fields["clinic"].queryset = az_sorted(active_or_current(Clinic.objects.all(), payment.clinic_id))
        products = active_or_current(Product.objects.all(), payment.product_id)
        self.fields["product"].queryset = products.order_by(az_ordered("name"), "pk")
        self.style_fields()


class PaymentFilterForm(StyledFormMixin, forms.Form):
    compact = True

    queue = forms.ChoiceField(
        label=_("Show"), required=False, choices=[("", _("All")), (AWAITING, _("Awaiting approval"))]
    )
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", _("All"))] + Payment.Direction.choices
    )
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All"))] + Payment.Kind.choices)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Payment.Status.choices)
    method = forms.ChoiceField(label=_("Method"), required=False, choices=[("", _("All"))] + Payment.Method.choices)
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("To"), required=False)
    doctor = DoctorChoiceField(label=_("Doctor"), required=False, queryset=Doctor.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doctor"].queryset = doctors_ordered(Doctor.objects.all())
        self.style_fields()
