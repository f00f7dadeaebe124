"""Text with control characters is a form error on every form of the company interface (one shared
check, subscription.ui.forms.CleanTextMixin); tab and line breaks stay allowed in multi-line text."""

import importlib
import inspect

import pytest
from django import forms
from django.test import Client

from config.tests.company_urls import OWN_RECORD_ONLY, company_urls, make_record, snapshot
from config.tests.form_inputs import forms_on, valid_value
from subscription.tenancy import use_tenant
from subscription.ui.forms import CleanTextMixin, NoControlCharactersValidator, RecordsChoiceField

pytestmark = pytest.mark.django_db
COMPANY_FORM_MODULES = [
    "doctors.forms",
    "patients.forms",
    "appointments.forms",
    "sales.forms",
    "payments.forms",
    "reports.forms",
    "subscription.forms",
    "subscription.accounts.forms",
]


def company_form_classes():
    for name in COMPANY_FORM_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


@pytest.mark.parametrize("form_class", list(company_form_classes()), ids=lambda cls: cls.__qualname__)
def test_every_company_form_uses_the_shared_check(form_class):
    assert issubclass(form_class, CleanTextMixin), f"{form_class.__module__}.{form_class.__qualname__}"
    several = [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(field, RecordsChoiceField)
    ]
    assert several == [], "ids past 64 bits crash SQLite's IN (...): use subscription.ui.forms.RecordsChoiceField"


@pytest.mark.parametrize(
    ("value", "multiline", "refused"),
    [
        ("Ctl\x01Name", False, True),
        ("Ctl\x01Name", True, True),
        ("nul\x00", True, True),
        ("del\x7f", False, True),
        ("c1\x85", False, True),
        ("esc\x1b[31m", True, True),
        ("tab\there", False, True),
        ("tab\there", True, False),
        ("two\r\nlines", True, False),
        ("two\nlines", False, True),
        ("Əliyev Гусейн ‘quoted’ — 12½", False, False),
    ],
)
def test_the_check(value, multiline, refused):
    validator = NoControlCharactersValidator(multiline=multiline)
    if refused:
        with pytest.raises(forms.ValidationError):
            validator(value)
    else:
        validator(value)


# Forms only a representative fills in (for themselves).
REPRESENTATIVES_OWN = {*OWN_RECORD_ONLY}
# Forms of numbers, dates and choices only: nothing typed can hold a control character (checked below).
WITHOUT_TEXT = {"plans:plan-update", "targets:target-create", "targets:target-update", "targets:frequency-update"}
# Addresses that only take a POST from a form on another page (the plan list's "Start" button).
POSTED_FROM_ELSEWHERE = {"plans:plan-create"}


def posted_forms():
    for url in company_urls():
        if url.name.endswith(("-create", "-update", "company-edit")) and url.name not in POSTED_FROM_ELSEWHERE:
            yield url


@pytest.mark.parametrize("url", list(posted_forms()), ids=str)
def test_each_text_field_of_each_form_refuses_control_characters(url, acme, member):
    rep = member("representative", acme)
    make_record("doctor", acme, representative=rep)
    path = url.path(make_record(url.record_kind, acme, representative=rep) if url.record_kind else None)
    # The owner fills in most forms; a few are a representative's own (a monthly plan).
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(member("owner", acme) if url.name not in REPRESENTATIVES_OWN else rep)
    page = owner.get(path)
    [(method, form)] = [(method, form) for method, form in forms_on(page) if method == "POST"]
    with use_tenant(acme):
        baseline = {name: valid_value(form, name, field) for name, field in form.fields.items()}
    text_fields = [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)
    ]
    if url.name in WITHOUT_TEXT:
        assert text_fields == [], f"{url.name} has text fields now: take it out of WITHOUT_TEXT"
        return
    assert text_fields, f"{url.name} has no text field (add it to WITHOUT_TEXT if that is right)"
    before = snapshot(acme)
    for name in text_fields:
        response = owner.post(path, baseline | {name: "Ctl\x01Name"})
        assert response.status_code == 200, f"{url.name}: {name} with a control character was accepted"
        assert "control characters" in " ".join(response.context["form"].errors.get(name, [])), name
    assert snapshot(acme) == before
