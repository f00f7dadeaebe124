"""axe-core on the main pages (one per template): no serious or critical violation (labels,
contrast, landmarks, names of buttons and links)."""

import pytest

from config.tests.browser.accessibility import axe_violations, describe
from config.tests.browser.pages import AXE_PAGES, open_main_page, page_id

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("who", "path"), AXE_PAGES, ids=map(page_id, AXE_PAGES))
def test_it_has_no_serious_accessibility_violations(open_page, addresses, who, path):
    page = open_main_page(open_page, addresses, who, path)
    violations = axe_violations(page)
    assert not violations, f"{path}:\n{describe(violations)}"


def test_it_finds_a_violation_axe_is_shown(open_page):
    """The check can fail: a button without a name, added to a real page, is reported."""
    page = open_page("acme_manager")
    page.goto("/doctors/")
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in {violation["id"] for violation in axe_violations(page)}
