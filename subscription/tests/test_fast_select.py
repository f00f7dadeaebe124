"""The fast <select> renders what Django's own would, for every choice field of the company forms."""

import pytest
from django import forms
from django.test.html import parse_html

from doctors.forms import DoctorFilterForm, DoctorForm
from regions.tests.factories import CityFactory, ClinicFactory, SpecializationFactory
from subscription.ui.forms import FastSelect

pytestmark = pytest.mark.django_db


def both_ways(widget: forms.Select, name: str, value) -> tuple:
    django_select = forms.Select(attrs=widget.attrs, choices=widget.choices)
    return (
        parse_html(widget.render(name, value, {"id": f"id_{name}", "required": True})),
        parse_html(django_select.render(name, value, {"id": f"id_{name}", "required": True})),
    )


def test_every_select_of_the_doctor_forms_renders_as_djangos(acme, tenant):
    clinic = ClinicFactory(name_az="Mərkəzi <klinika> & Co")
    SpecializationFactory.create_batch(3)
    CityFactory.create_batch(2, region=clinic.city.region)
    data = {"region": clinic.city.region_id, "city": clinic.city_id, "clinic": clinic.pk, "category": "A"}
    for form in (DoctorFilterForm(data, company=acme), DoctorForm(data, company=acme)):
        selects = [bound for bound in form if isinstance(bound.field.widget, forms.Select)]
        assert any(isinstance(bound.field.widget, FastSelect) for bound in selects)
        for bound in selects:
            if isinstance(bound.field.widget, FastSelect):
                fast, django = both_ways(bound.field.widget, bound.name, bound.value())
                assert fast == django, bound.name
