"""Form pieces every company page shares: date inputs, typed numbers, Bootstrap styling, user choices.

Render a StyledFormMixin form's fields with `{% include "_form_fields.html" %}`.
"""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _

from subscription.selectors import user_label
from subscription.ui.numbers import NumberError, parse_number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DayField(forms.DateField):
    """A date of the years a business uses (1900–2999), so date arithmetic never overflows."""

    widget = DateInput

    def validate(self, value) -> None:
        super().validate(value)
        if value and not 1900 <= value.year <= 2999:
            raise forms.ValidationError(_("Choose a date between the years 1900 and 2999."), code="out_of_range")


NUMBER_MESSAGES = {
    "invalid": _("Enter a number, such as 1500,50 or 1 500,50."),
    "ambiguous": _("“%(value)s” can be read two ways. Write it without thousands separators, such as 1500,50."),
}


def _typed_number(value) -> Decimal | None:
    """A typed number, or None for an empty input. Raises ValidationError for anything else."""
    if value in forms.Field.empty_values:
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    try:
        return parse_number(str(value))
    except NumberError as error:
        raise forms.ValidationError(NUMBER_MESSAGES[error.code], code=error.code, params={"value": value}) from error


class NumberInput(forms.TextInput):
    """A text box with the phone's number keyboard: a number input would refuse a decimal comma."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


class DecimalInputField(forms.DecimalField):
    """An amount or price as people type it: 1500,50, 1 500,50 and 1500.50 are 1500.50; 1,500,50 is refused.

    Shown in the active language's notation (1500,50 in Azerbaijani and Russian), without grouping.
    """

    widget = NumberInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value) -> Decimal | None:
        return _typed_number(value)

    def widget_attrs(self, widget) -> dict:
        return {}


class WholeNumberField(forms.IntegerField):
    """A quantity as people type it (1 500 or 1500); a fraction or ambiguous text (1,500) is refused."""

    widget = NumberInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs["inputmode"] = "numeric"

    def to_python(self, value) -> int | None:
        number = _typed_number(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise forms.ValidationError(_("Enter a whole number."), code="invalid")
        return int(number)

    def widget_attrs(self, widget) -> dict:
        return {}


def number_field_classes(*, decimals: tuple[str, ...] = (), wholes: tuple[str, ...] = ()) -> dict:
    """Meta.field_classes for a ModelForm's amount (decimal) and quantity (whole number) fields."""
    return {**dict.fromkeys(decimals, DecimalInputField), **dict.fromkeys(wholes, WholeNumberField)}


class StyledFormMixin:
    """Bootstrap classes on every widget and `is-invalid` on fields with errors.

    Call `self.style_fields()` at the end of `__init__`. `compact = True` (filter forms) uses the
    small variants; `mark_invalid = False` leaves fields unmarked (filters that ignore bad values).
    """

    compact = False
    mark_invalid = True

    def style_fields(self) -> None:
        size = "-sm" if self.compact else ""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = f"form-select form-select{size}" if size else "form-select"
            else:
                css = f"form-control form-control{size}" if size else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        if not self.mark_invalid:
            return
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AbstractUser) -> str:
        return user_label(obj)


def limit_staff_to(field: forms.ModelChoiceField, user: AbstractUser) -> None:
    """A representative's own records: the only choice is themselves, and posted values are ignored."""
    field.queryset = get_user_model().objects.filter(pk=user.pk)
    field.initial = user.pk
    field.disabled = True
    field.help_text = _("Representatives record their own work.")
