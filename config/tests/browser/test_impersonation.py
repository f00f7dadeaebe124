"""A superuser enters Acme from /master-admin/ (banner), sees Acme's doctors, switches to Globex and sees
only Globex's, then exits and is back in /master-admin/ without the banner."""

import pytest
from playwright.sync_api import expect

from config.tests.browser.actions import list_codes, search

pytestmark = pytest.mark.browser


def enter(page, slug: str, reason: str) -> None:
    page.goto("/master-admin/")
    page.locator(f"main a[href='/master-admin/companies/{slug}/']").first.click()
    page.locator(f"main a[href='/master-admin/companies/{slug}/enter/']").click()
    page.fill("#id_reason", reason)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/master-admin/" not in url)


def test_it_enters_acme_switches_to_globex_and_exits(open_page, own_doctors):
    page = open_page("admin", own_session=True)
    page.wait_for_url("**/master-admin/")
    expect(page.locator(".impersonation-banner")).to_have_count(0)

    enter(page, "acme", "Support request: checking the doctor list")
    expect(page.locator(".impersonation-banner")).to_contain_text("Acme Pharma")
    search(page, "/doctors/", "E2E")
    assert "E2E-ACME" in list_codes(page) and "E2E-GLOBEX" not in list_codes(page)

    enter(page, "globex", "Support request: the same for Globex")
    expect(page.locator(".impersonation-banner")).to_contain_text("Globex Medical")
    search(page, "/doctors/", "E2E")
    assert list_codes(page) == ["E2E-GLOBEX"]

    page.locator(".impersonation-banner form button[type=submit]").click()
    page.wait_for_url("**/master-admin/**")
    expect(page.locator(".impersonation-banner")).to_have_count(0)
    expect(page.locator(".navbar-brand")).not_to_contain_text("Globex")
