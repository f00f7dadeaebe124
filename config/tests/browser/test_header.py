"""The header on laptop screens (1360 and 1200 px wide), in each language: the menu stays on one row,
the language switcher keeps room for its code, and the user's name stays on one line; its menus open."""

import pytest

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1360, "height": 800}
SMALL_LAPTOP = {"width": 1200, "height": 800}
MEASURE = """() => {
    const box = el => el.getBoundingClientRect();
    const name = document.querySelector('#main-nav .navbar-user');
    const style = getComputedStyle(name);
    const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    return {
        nav: box(document.querySelector('nav.app-navbar')).height,
        language: box(document.querySelector('select[name=language]')).width,
        nameLines: (box(name).height - padding) / parseFloat(style.lineHeight),
        scroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
}"""


@pytest.mark.parametrize("who", ["acme_manager", "acme_owner"])
def test_the_header_stays_one_row_on_a_laptop(open_page, server, who):
    page = open_page(who, viewport=LAPTOP, own_session=True)
    crowded = []
    for language in ("az", "ru", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
        for viewport in (LAPTOP, SMALL_LAPTOP):
            page.set_viewport_size(viewport)
            page.goto("/")
            assert page.get_attribute("html", "lang") == language
            sizes = page.evaluate(MEASURE)
            if not (
                sizes["nav"] < 70 and sizes["language"] >= 60 and sizes["nameLines"] < 1.5 and sizes["scroll"] <= 0
            ):
                crowded.append((language, viewport["width"], sizes))
    assert not crowded, crowded


def test_the_field_force_and_account_menus_open(open_page):
    page = open_page("acme_owner", viewport=LAPTOP)
    page.goto("/")
    page.click("#nav-field-force")
    page.click("#main-nav .dropdown-item[href='/targets/']")
    page.wait_for_url("**/targets/")
    assert "active" in page.get_attribute("#nav-field-force", "class")
    page.click("#nav-user")
    page.click("#main-nav .dropdown-item[href='/settings/']")
    page.wait_for_url("**/settings/")
