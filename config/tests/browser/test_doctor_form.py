"""The doctor form's region → city → clinic selects narrow each other, with JavaScript (htmx) and without
(the "Refresh choices" button); the doctor saved appears in the list. The expected choices come from
the reference data file the server loaded."""

import re

import pytest
from playwright.sync_api import expect

from config.tests.browser.actions import (
    city_names,
    clinic_names,
    fill_doctor,
    list_codes,
    option_texts,
    search,
    wait_for_options,
)

pytestmark = pytest.mark.browser


def submit_and_find(page, code: str) -> None:
    page.click("main form button[type=submit]:not([name])")
    page.wait_for_url(re.compile(r"/doctors/\d+/$"))
    search(page, "/doctors/", code)
    assert list_codes(page) == [code]


def test_it_narrows_cities_and_clinics_as_regions_and_cities_are_chosen(open_page):
    page = open_page("acme_manager")
    page.goto("/doctors/add/")
    assert option_texts(page, "#id_city") == []  # nothing to choose before a region

    page.select_option("#id_region", label="Bakı")
    wait_for_options(page, "#id_city", city_names("Bakı"))
    page.select_option("#id_city", label="Bakı")
    wait_for_options(page, "#id_clinic", clinic_names("Bakı"))

    # Another region: its own cities, and the clinic of the old city is no longer offered.
    page.select_option("#id_region", label="Gəncə-Daşkəsən")
    wait_for_options(page, "#id_city", city_names("Gəncə-Daşkəsən"))
    wait_for_options(page, "#id_clinic", set())
    page.select_option("#id_city", label="Naftalan")
    wait_for_options(page, "#id_clinic", clinic_names("Naftalan"))


def test_it_adds_a_doctor_with_javascript(open_page):
    page = open_page("acme_manager")
    page.goto("/doctors/add/")
    fill_doctor(page, code="E2E-JS", last_name="Qarayeva", first_name="Gülnarə")
    page.select_option("#id_region", label="Bakı")
    wait_for_options(page, "#id_city", city_names("Bakı"))
    page.select_option("#id_city", label="Bakı")
    wait_for_options(page, "#id_clinic", clinic_names("Bakı"))
    clinic = sorted(clinic_names("Bakı"))[0]
    page.select_option("#id_clinic", label=clinic)
    submit_and_find(page, "E2E-JS")
    expect(page.locator("main table tbody")).to_contain_text(clinic)


def test_it_adds_a_doctor_without_javascript(open_page):
    page = open_page("acme_manager", javascript=False)
    page.goto("/doctors/add/")
    refresh = page.locator("button[name=_refresh]")
    expect(refresh).to_be_visible()  # shown only where scripts do not run
    fill_doctor(page, code="E2E-NOJS", last_name="Şükürov", first_name="İlqar")

    page.select_option("#id_region", label="Qazax-Tovuz")
    assert option_texts(page, "#id_city") == []  # nothing changes until the button is pressed
    refresh.click()
    page.wait_for_load_state("load")
    assert set(option_texts(page, "#id_city")) == city_names("Qazax-Tovuz")
    assert page.locator(".invalid-feedback").count() == 0  # refreshing is not submitting
    assert page.input_value("#id_code") == "E2E-NOJS"  # what was typed is kept

    page.select_option("#id_city", label="Qazax")
    page.locator("button[name=_refresh]").click()
    page.wait_for_load_state("load")
    assert set(option_texts(page, "#id_clinic")) == clinic_names("Qazax")
    page.select_option("#id_clinic", index=1)
    submit_and_find(page, "E2E-NOJS")


def test_it_refuses_a_city_of_another_region_without_javascript(open_page):
    """A stale page (region changed, city left over) is a form error, not a doctor in the wrong place."""
    page = open_page("acme_manager", javascript=False)
    page.goto("/doctors/add/")
    fill_doctor(page, code="E2E-STALE", last_name="Abbasova", first_name="Nərmin")
    page.select_option("#id_region", label="Bakı")
    page.locator("button[name=_refresh]").click()
    page.wait_for_load_state("load")
    page.select_option("#id_city", label="Bakı")
    page.select_option("#id_region", label="Qazax-Tovuz")  # then the region changes, no refresh
    page.click("main form button[type=submit]:not([name])")
    page.wait_for_load_state("load")
    assert "/doctors/add/" in page.url
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    search(page, "/doctors/", "E2E-STALE")
    assert list_codes(page) == []
