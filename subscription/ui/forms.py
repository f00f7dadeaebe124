"""Form pieces every company page shares: date inputs, typed numbers, Bootstrap styling, clean text, user choices.

Render a StyledFormMixin form's fields with `{% include "_form_fields.html" %}`. Every form of the
company interface is a CleanTextMixin form (StyledFormMixin is one): its text refuses control characters.
"""

import datetime
import unicodedata
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from subscription.selectors import user_label
from subscription.ui.converters import MAX_ID
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


class FastSelect(forms.Select):
    """A <select> written straight to HTML: Django renders every option through a template, which made
    the filter forms' long reference lists (cities, clinics...) a quarter of a list page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _value, label in self.choices):
            return super().render(name, value, attrs, renderer)  # groups and multiple choice: Django's own
        chosen = {str(item) for item in self.format_value(value)}
        options = []
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            options.append(
                format_html(
                    '<option value="{}"{}>{}</option>', text, mark_safe(" selected") if text in chosen else "", label
                )
            )
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe("".join(options)))


class MomentField(forms.DateTimeField):
    """A date and time of the years a business uses (1900–2999), so time-zone arithmetic never overflows."""

    widget = DateTimeLocalInput

    def to_python(self, value) -> datetime.datetime | None:
        try:
            return super().to_python(value)
        except OverflowError:  # year 1 or 9999 shifted into or out of the current time zone
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value) -> None:
        super().validate(value)
        if value and not 1900 <= value.year <= 2999:
            raise forms.ValidationError(_("Choose a date between the years 1900 and 2999."), code="out_of_range")


# Tab, line feed and carriage return are the only control characters multi-line text may hold.
MULTILINE_ALLOWED = frozenset("\t\n\r")


def control_characters(value: str, *, multiline: bool) -> list[str]:
    """The control characters (Unicode category Cc) in `value` that a field of this kind may not hold."""
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    return sorted({char for char in value if unicodedata.category(char) == "Cc" and char not in allowed})


class NoControlCharactersValidator:
    """Refuses text with control characters (tab and line breaks are allowed in multi-line text)."""

    def __init__(self, *, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        found = control_characters(value, multiline=self.multiline)
        if found:
            codes = ", ".join(f"U+{ord(char):04X}" for char in found)
            raise forms.ValidationError(
                _("Remove the invisible control characters (%(codes)s) from this text; they are often pasted in."),
                code="control_characters",
                params={"codes": codes},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharactersValidator) and other.multiline == self.multiline


def guard_text_fields(form: forms.BaseForm) -> None:
    """Give every text field of `form` the control-character check (once; the fields are the form's own copies)."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
            validator = NoControlCharactersValidator(multiline=isinstance(field.widget, forms.Textarea))
            if validator not in field.validators:
                field.validators.append(validator)


class CleanTextMixin:
    """Forms of the company interface: text with control characters is a form error, never stored."""

    def full_clean(self) -> None:
        guard_text_fields(self)
        super().full_clean()


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


class StyledFormMixin(CleanTextMixin):
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
                if type(widget) is forms.Select:
                    widget.__class__ = FastSelect
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


class RecordsChoiceField(forms.ModelMultipleChoiceField):
    """Several records by id. An id no database holds (not a number, or past 64 bits) is a form error,
    never a query: SQLite refuses such an integer in `IN (...)` with an OverflowError."""

    def clean(self, value):
        for pk in value if isinstance(value, (list, tuple)) else []:
            text = str(pk)
            if not text.isdigit() or len(text) > len(str(MAX_ID)) or int(text) > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": text[:30]}
                )
        return super().clean(value)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AbstractUser) -> str:
        return user_label(obj)


def limit_staff_to(field: forms.ModelChoiceField, user: AbstractUser) -> None:
    """A representative's own records: the only choice is themselves, and posted values are ignored."""
    field.queryset = get_user_model().objects.filter(pk=user.pk)
    field.initial = user.pk
    field.disabled = True
    field.help_text = _("Representatives record their own work.")
