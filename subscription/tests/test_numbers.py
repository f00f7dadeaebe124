"""Numbers as people type them: the one parser behind every amount, price and quantity field and the import."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from subscription.ui.forms import DecimalInputField, WholeNumberField
from subscription.ui.numbers import NumberError, parse_number
from subscription.ui.tables import cell_decimal

NBSP, NARROW_NBSP = "\u00a0", "\u202f"

ACCEPTED = [
    ("1500,50", "1500.50"),
    ("1 500,50", "1500.50"),
    (f"1{NBSP}500,50", "1500.50"),
    (f"1{NARROW_NBSP}500,50", "1500.50"),
    ("1500.50", "1500.50"),
    ("1 500.50", "1500.50"),
    ("1.500,50", "1500.50"),
    ("1,500.50", "1500.50"),
    ("  1500,5  ", "1500.5"),
    ("12,50", "12.50"),
    ("0,5", "0.5"),
    (",5", "0.5"),
    ("1 500", "1500"),
    ("1 000 000", "1000000"),
    ("1,000,000", "1000000"),
    ("1.000.000,25", "1000000.25"),
    ("0,125", "0.125"),
    ("1500", "1500"),
    ("-3,5", "-3.5"),
]
REFUSED = [
    ("1,500,50", "ambiguous"),
    ("1.500.50", "ambiguous"),
    ("1,500", "ambiguous"),
    ("1.500", "ambiguous"),
    ("12,345", "ambiguous"),
    ("1 500,000.50", "ambiguous"),
    ("1.500.000.50,5", "ambiguous"),
    ("15 00", "ambiguous"),
    ("1,50,000.00", "ambiguous"),
    ("", "invalid"),
    ("abc", "invalid"),
    ("12a", "invalid"),
    ("1500,", "invalid"),
    ("1E3", "invalid"),
    ("NaN", "invalid"),
    ("Infinity", "invalid"),
    ("1_000", "invalid"),
    ("0x10", "invalid"),
    ("9" * 41, "invalid"),
    ("9" * 19, "invalid"),
    ("--5", "invalid"),
]


@pytest.mark.parametrize(("typed", "value"), ACCEPTED)
def test_it_reads_what_people_type(typed, value):
    assert parse_number(typed) == Decimal(value)
    assert cell_decimal(typed) == Decimal(value)


@pytest.mark.parametrize(("typed", "code"), REFUSED)
def test_it_refuses_what_could_be_read_two_ways_or_is_no_number(typed, code):
    with pytest.raises(NumberError) as refusal:
        parse_number(typed)
    assert refusal.value.code == code


def test_an_import_cell_may_use_a_spreadsheets_exponent_a_form_may_not():
    assert cell_decimal("1E3") == Decimal("1E3")
    assert cell_decimal("1,500,50") is None


@pytest.mark.parametrize(("typed", "value"), ACCEPTED[:8])
def test_the_amount_field_saves_1500_50_for_each_spelling(typed, value):
    field = DecimalInputField(max_digits=14, decimal_places=2)
    assert field.clean(typed) == Decimal(value)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,500,50", "can be read two ways"),
        ("1,500", "can be read two ways"),
        ("abc", "Enter a number"),
        ("1500,555", "no more than 2 decimal places"),
    ],
)
def test_the_amount_field_says_what_is_wrong(typed, message):
    field = DecimalInputField(max_digits=14, decimal_places=2)
    with pytest.raises(forms.ValidationError) as error:
        field.clean(typed)
    assert message in " ".join(error.value.messages)


def test_a_quantity_is_a_whole_number():
    field = WholeNumberField(min_value=1)
    assert field.clean("1 500") == 1500
    assert field.clean("24") == 24
    for typed in ("2,5", "1,500", "0"):
        with pytest.raises(forms.ValidationError):
            field.clean(typed)


@pytest.mark.parametrize(("language", "shown"), [("az", "1500,50"), ("ru", "1500,50"), ("en", "1500.50")])
def test_a_stored_amount_is_shown_as_the_language_writes_it_and_reads_back(language, shown):
    class Form(forms.Form):
        amount = DecimalInputField(max_digits=14, decimal_places=2)

    with translation.override(language):
        html = str(Form(initial={"amount": Decimal("1500.50")})["amount"])
        assert f'value="{shown}"' in html
        assert 'inputmode="decimal"' in html
        assert Form({"amount": shown}).is_valid()


@given(st.text(max_size=50))
def test_the_parser_never_raises_anything_but_a_refusal(text):
    try:
        number = parse_number(text)
    except NumberError:
        return
    assert number.is_finite() and abs(number) < Decimal(10) ** 18


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_an_amount_written_with_grouping_in_any_language_reads_back(value):
    from django.utils.formats import number_format

    for language in ("az", "ru", "en"):
        with translation.override(language):
            grouped = number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
            plain = number_format(value, decimal_pos=2, use_l10n=True)
        assert parse_number(grouped) == value, grouped
        assert parse_number(plain) == value, plain
