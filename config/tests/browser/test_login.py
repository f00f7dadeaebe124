"""Logging in through the form, for each role: each lands where it works and sees only its sections."""

import pytest
from playwright.sync_api import expect

from config.tests.browser.conftest import log_in
from subscription.ui.permissions import PERMISSIONS

pytestmark = pytest.mark.browser

# The menu's sections and the right each needs (the one role table, subscription/ui/permissions.py).
SECTIONS = {
    "/doctors/": "doctor_view",
    "/patients/": "patient_view",
    "/appointments/today/": "call_report",
    "/appointments/": "appointment_view",
    "/plans/": "plan_view",
    "/sales/": "sale_view",
    "/payments/": "payment_view",
    "/targets/": "target_view",
    "/territories/": "territory_view",
    "/sales/pharmacies/": "pharmacy_view",
    "/sales/samples/": "sample_view",
    "/reports/": "report_view",
    "/settings/": "settings_view",
}
ROLES = {"owner": "owner", "manager": "manager", "rep": "representative", "viewer": "viewer"}


def sections_of(role: str) -> set[str]:
    return {path for path, right in SECTIONS.items() if ROLES[role] in PERMISSIONS[right]}


def menu(page) -> set[str]:
    """The sections the header links to, in its row and its menus (the account's password page left out)."""
    links = page.locator("#main-nav .nav-link, #main-nav .dropdown-item").all()
    return {href for link in links if (href := link.get_attribute("href")) == "/" or href in SECTIONS}


@pytest.mark.parametrize("company", ["acme", "globex"])
@pytest.mark.parametrize("role", ["owner", "manager", "rep"])
def test_it_logs_in_each_company_role_to_its_dashboard(open_page, company, role):
    page = open_page(own_session=True)
    log_in(page, f"{company}_{role}")
    page.wait_for_url("**/")
    assert page.locator(".navbar-brand").inner_text() == {"acme": "Acme Pharma", "globex": "Globex Medical"}[company]
    assert menu(page) - {"/"} == sections_of(role)


def test_it_sends_the_superuser_to_master_admin(open_page):
    page = open_page(own_session=True)
    log_in(page, "admin")
    page.wait_for_url("**/master-admin/")
    assert menu(page) == set()  # no company, no company sections


def test_it_refuses_a_wrong_password_and_keeps_the_username(open_page):
    page = open_page(own_session=True)
    log_in(page, "acme_manager", password="not-the-password")
    page.wait_for_load_state("load")
    assert "/accounts/login/" in page.url
    expect(page.locator("main .alert-danger")).to_be_visible()
    assert page.input_value("#id_username") == "acme_manager"


def test_it_logs_in_a_viewer_the_owner_added(open_page):
    """The owner adds a viewer in the settings; the viewer logs in and has no patients section."""
    owner = open_page("acme_owner")
    owner.goto("/settings/users/add/")
    owner.fill("#id_username", "acme_viewer_e2e")
    owner.fill("#id_first_name", "Vüsalə")
    owner.fill("#id_last_name", "Baxışova")
    owner.select_option("#id_role", "viewer")
    owner.fill("#id_password", "Viewer-pass-2025")
    owner.click("main form button[type=submit]")
    owner.wait_for_url("**/settings/users/")
    expect(owner.locator("main table")).to_contain_text("acme_viewer_e2e")

    viewer = open_page(own_session=True)
    log_in(viewer, "acme_viewer_e2e", password="Viewer-pass-2025")
    viewer.wait_for_url("**/")
    assert menu(viewer) - {"/"} == sections_of("viewer")
