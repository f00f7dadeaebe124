"""The language switcher in the header: az → ru → en, each time back on the same page (address and
query), in the chosen language; with JavaScript on change, and without it through its button."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAGE = "/doctors/?q=a%C4%9Fas&sort=code"


def where(page) -> tuple[str, str]:
    url = urlparse(page.url)
    return url.path, url.query


def nav_doctors(page) -> str:
    return page.locator("#main-nav a[href='/doctors/']").inner_text().strip()


def test_it_switches_az_ru_en_and_stays_on_the_page(open_page):
    page = open_page("acme_manager", own_session=True)
    page.goto(PAGE)
    assert page.get_attribute("html", "lang") == "az"
    start, labels = where(page), {"az": nav_doctors(page)}
    for language in ("ru", "en"):
        with page.expect_navigation():
            page.select_option("select[name=language]", language)
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert where(page) == start
        assert page.input_value("select[name=language]") == language
        labels[language] = nav_doctors(page)
    assert labels["en"] == "Doctors"
    assert len(set(labels.values())) == 3  # three languages, three words


def test_it_switches_language_without_javascript(open_page):
    page = open_page("acme_manager", javascript=False, own_session=True)
    page.goto(PAGE)
    page.select_option("select[name=language]", "en")
    page.locator("form:has(select[name=language]) button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert where(page) == (urlparse(PAGE).path, urlparse(PAGE).query)
