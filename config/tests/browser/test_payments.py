"""An outgoing payment to a doctor through its approval: a manager records it as a draft, it waits in
the owner's "Awaiting approval" queue, the owner approves it there, then the manager marks it paid."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REFERENCE = "E2E-FEE-1"


def awaiting(page) -> int:
    page.goto("/payments/")
    return int(page.inner_text("#awaiting-count"))


def test_it_takes_an_outgoing_payment_through_approval(open_page):
    manager, owner = open_page("acme_manager"), open_page("acme_owner")
    waiting = awaiting(owner)

    manager.goto("/payments/add/")
    manager.select_option("#id_direction", "outgoing")
    manager.select_option("#id_kind", "fee")
    manager.fill("#id_date", "2025-03-14")
    manager.fill("#id_amount", "150.00")
    manager.locator("#id_doctor").select_option(index=1)
    manager.fill("#id_reference", REFERENCE)
    manager.click("main form button[type=submit]")
    manager.wait_for_url(re.compile(r"/payments/\d+/$"))
    detail = manager.url
    expect(manager.locator("main .badge.text-bg-warning")).to_be_visible()  # a draft
    expect(manager.locator("form[action$='/pay/']")).to_have_count(0)  # not payable before approval

    assert awaiting(owner) == waiting + 1
    owner.goto("/payments/?queue=awaiting")
    row = owner.locator("main tbody tr").filter(has=owner.locator(f"a[href='{urlparse(detail).path}']"))
    row.locator("form[action$='/approve/'] button").click()
    owner.wait_for_url("**queue=awaiting**")
    expect(owner.locator(".alert-success")).to_be_visible()
    assert awaiting(owner) == waiting

    manager.goto(detail)
    expect(manager.locator("main h1 .badge.text-bg-info")).to_be_visible()  # approved
    manager.click("form[action$='/pay/'] button")
    manager.wait_for_url(detail)
    expect(manager.locator("main h1 .badge.text-bg-success")).to_be_visible()  # paid
    expect(manager.locator("form[action$='/cancel/']")).to_have_count(0)
