"""Inputs for the company forms, for the generated tests: hostile values per field type, a valid
value per field, and the forms a page holds."""

from django import forms
from hypothesis import strategies as st

TEXT = st.sampled_from(
    [
        "Ctl\x01Name",
        "tab\there",
        "two\nlines",
        "nul\x00",
        "=1+1",
        "@SUM(A1)",
        "a" * 5000,
        " ",
        "",
        "\u202eRTL",
        "ə" * 300,
    ]
) | st.text(max_size=120)
NUMBERS = st.sampled_from(
    ["9223372036854775808", "-9223372036854775809", "1E+1000000", "1e-1000000", "NaN", "-Infinity", "-0", "1,5"]
    + ["99999999999999999999999999.99", "0.0000001", ""]
) | st.integers(min_value=-(2**70), max_value=2**70).map(str)
DATES = st.sampled_from(["0001-01-01", "9999-12-31", "2025-02-30", "0000-00-00", "10000-01-01", "2025-13-01", ""]) | (
    st.dates().map(str)
)
MOMENTS = st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "2025-02-30T10:00", ""]) | (
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M"))
)
HUGE_IDS = st.sampled_from(["9223372036854775808", "-1", "0", "1" * 40, "abc", "1.5", ""])


def field_values(field: forms.Field):
    """Values for one field: hostile ones, and valid ones so that some examples get past the form."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(HUGE_IDS | _ids_of(field), max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        return HUGE_IDS | _ids_of(field)
    if isinstance(field, forms.ChoiceField):
        values = [str(value) for value, _label in field.choices if not isinstance(_label, (list, tuple))]
        return (st.sampled_from(values) if values else st.nothing()) | TEXT
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false"])
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return NUMBERS
    if isinstance(field, forms.DateTimeField):
        return MOMENTS
    if isinstance(field, forms.DateField):
        return DATES
    return TEXT


def _ids_of(field: forms.ModelChoiceField):
    ids = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:20]]
    return st.sampled_from(ids) if ids else st.nothing()


def valid_value(form: forms.BaseForm, name: str, field: forms.Field):
    """A value the field takes: the record's own (edit pages), else a plain one of its type."""
    initial = form[name].value()
    if initial not in (None, "", []):
        return [str(value) for value in initial] if isinstance(initial, (list, tuple)) else str(initial)
    if isinstance(field, forms.ModelMultipleChoiceField):
        return []
    if isinstance(field, forms.ModelChoiceField):
        first = field.queryset.values_list("pk", flat=True).first()
        return str(first) if first is not None else ""
    if isinstance(field, forms.ChoiceField):
        return next((str(value) for value, _label in field.choices if value not in ("", None)), "")
    if isinstance(field, forms.BooleanField):
        return ""
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return "1"
    if isinstance(field, forms.DateTimeField):
        return "2025-05-06T10:00"
    if isinstance(field, forms.DateField):
        return "2025-05-06"
    if isinstance(field, forms.EmailField):
        return "fuzz@example.az"
    return "Fuzz"


def form_data(form: forms.BaseForm, extra: dict | None = None):
    """Request data for `form`: valid values with one or two fields replaced by hostile ones (or left out).

    Replacing few fields at a time lets a hostile value reach the service and the database, where
    overflows hide, instead of stopping at another field's error.
    """
    fuzzed = {
        name: field
        for name, field in form.fields.items()
        if not isinstance(field, forms.FileField) and not field.disabled
    }
    baseline = {name: valid_value(form, name, field) for name, field in fuzzed.items()}
    hostile = {name: field_values(field) for name, field in fuzzed.items()} | (extra or {})

    @st.composite
    def data(draw) -> dict:
        values = dict(baseline)
        for name in draw(st.sets(st.sampled_from(sorted(hostile)), min_size=1, max_size=2)):
            value = draw(st.none() | hostile[name])
            if value is None:
                values.pop(name, None)
            else:
                values[name] = value
        return values

    return data()


# The query of a list page besides its filter form: search, sorting, page.
LIST_QUERY = {"q": TEXT, "sort": TEXT, "page": NUMBERS}


def forms_on(response) -> list[tuple[str, forms.BaseForm]]:
    """The page's forms to fuzz and how each is sent."""
    found = []
    form = response.context.get("form") if response.context else None
    if isinstance(form, forms.BaseForm) and any(not isinstance(f, forms.FileField) for f in form.fields.values()):
        found.append(("POST" if 'method="post"' in response.text else "GET", form))
    filter_form = response.context.get("filter_form") if response.context else None
    if isinstance(filter_form, forms.BaseForm):
        found.append(("GET", filter_form))
    return found
