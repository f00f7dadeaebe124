"""The accessibility check itself (test_pages.py runs it on every main page's template) can fail."""

import pytest

from config.tests.browser.accessibility import axe_violations

pytestmark = pytest.mark.browser


def test_it_reports_a_button_without_a_name(open_page):
    page = open_page("acme_manager")
    page.goto("/doctors/")
    assert axe_violations(page) == []
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in {violation["id"] for violation in axe_violations(page)}
