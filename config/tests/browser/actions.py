"""What a person does on the pages, step by step, shared by the browser tests."""

from __future__ import annotations

import json
import re
from functools import cache

from playwright.sync_api import expect

from config.tests.browser.server import ROOT

BLANK = "---------"


@cache
def reference() -> dict:
    """The reference data file the server loaded (regions, cities, clinics): the truth the selects must show."""
    return json.loads((ROOT / "regions" / "data" / "azerbaijan.json").read_text(encoding="utf-8"))


def region_code(name_az: str) -> str:
    return next(region["code"] for region in reference()["regions"] if region["name_az"] == name_az)


def city_names(region_name_az: str) -> set[str]:
    code = region_code(region_name_az)
    return {city["name_az"] for city in reference()["cities"] if city["region"] == code}


def clinic_names(city_name_az: str) -> set[str]:
    code = next(city["code"] for city in reference()["cities"] if city["name_az"] == city_name_az)
    return {clinic["name_az"] for clinic in reference()["clinics"] if clinic["city"] == code}


def option_texts(page, selector: str) -> list[str]:
    """The choices of a select, without the blank one."""
    texts = page.locator(f"{selector} option").all_inner_texts()
    return [text.strip() for text in texts if text.strip() != BLANK]


def wait_for_options(page, selector: str, expected: set[str]) -> None:
    """Wait until the select offers exactly `expected` (plus the blank choice)."""
    expect(page.locator(f"{selector} option")).to_have_count(len(expected) + 1)
    assert set(option_texts(page, selector)) == expected


def fill_doctor(page, *, code: str, last_name: str, first_name: str) -> None:
    """The doctor form's text fields and a specialization (the place is chosen by the test)."""
    page.fill("#id_code", code)
    page.fill("#id_last_name", last_name)
    page.fill("#id_first_name", first_name)
    page.locator("#id_specialization").select_option(index=1)


def add_doctor(page, *, code: str, last_name: str, first_name: str, region: str = "Bakı", city: str = "Bakı") -> str:
    """Add a doctor through the form (with JavaScript); returns the address of its page."""
    page.goto("/doctors/add/")
    fill_doctor(page, code=code, last_name=last_name, first_name=first_name)
    page.select_option("#id_region", label=region)
    wait_for_options(page, "#id_city", city_names(region))
    page.select_option("#id_city", label=city)
    page.click("main form button[type=submit]:not([name])")
    page.wait_for_url(re.compile(r"/doctors/\d+/$"))
    return page.url


def list_codes(page) -> list[str]:
    """The codes in the first column of the list on the page."""
    return [code.strip() for code in page.locator("main table tbody tr:has(td + td) td:first-child").all_inner_texts()]


def search(page, path: str, text: str) -> None:
    """Type `text` into the list's search box and apply it, as a person would."""
    page.goto(path)
    page.fill("#id_q", text)
    page.press("#id_q", "Enter")
    page.wait_for_load_state("load")
