"""Every main page as a browser shows it, on a desktop and on a 375 px phone: no console error or
failed request (so neither the Content-Security-Policy nor a missing file breaks it), no serious or
critical accessibility violation (axe-core, once per template), and no sideways scrolling of the
page on the phone."""

import pytest

from config.tests.browser.accessibility import axe_violations, describe
from config.tests.browser.conftest import PHONE
from config.tests.browser.pages import AXE_PAGES, MAIN_PAGES, open_main_page, page_id

pytestmark = pytest.mark.browser

SIDEWAYS = """() => {
    const width = document.documentElement.clientWidth;
    const wide = el => el.getBoundingClientRect().right > width + 1;
    const culprits = [...document.querySelectorAll('body *')]
        .filter(el => wide(el) && ![...el.children].some(wide))
        .slice(0, 5)
        .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.'));
    return {scroll: document.documentElement.scrollWidth, width, culprits};
}"""


@pytest.mark.parametrize(("who", "path"), MAIN_PAGES, ids=map(page_id, MAIN_PAGES))
def test_it_shows_the_page_cleanly_on_desktop_and_phone(open_page, addresses, who, path):
    page = open_main_page(open_page, addresses, who, path)
    assert page.locator("h1").first.is_visible()
    if (who, path) in AXE_PAGES:
        violations = axe_violations(page)
        assert not violations, f"{path}:\n{describe(violations)}"

    page.set_viewport_size(PHONE)  # the same page, laid out again for a phone
    assert page.locator("h1").first.is_visible()
    overflow = page.evaluate(SIDEWAYS)
    assert overflow["scroll"] <= overflow["width"], f"{path} scrolls sideways at 375 px: {overflow}"


def test_the_browser_enforces_the_policy_and_the_suite_sees_it(open_page):
    """An inline script slipped into a page does not run, and the refusal is a console error the
    page checks above would report."""
    page = open_page("acme_manager")
    page.goto("/doctors/add/")
    # htmx runs without eval and without the <style> it would otherwise inject.
    assert page.evaluate("() => [htmx.config.allowEval, htmx.config.includeIndicatorStyles]") == [False, False]
    assert page.locator("style").count() == 0
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.append(script);
        }"""
    )
    assert page.evaluate("() => window.injected === undefined")
    problems = page.problems.take()
    assert any("Content Security Policy" in problem for problem in problems), problems
