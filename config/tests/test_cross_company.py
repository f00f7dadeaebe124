"""Every company URL with a record id, asked by another company's owner for an id only the first
company has: 404 for reads and writes, and nothing changes in either company."""

import pytest
from django.test import Client

from config.tests.company_urls import company_urls, make_record, snapshot

pytestmark = pytest.mark.django_db
WITH_IDS = [url for url in company_urls() if "pk" in url.arguments]


def test_the_walk_finds_the_urls_with_ids():
    kinds = {url.record_kind for url in WITH_IDS}
    assert kinds == {"doctor", "patient", "visit", "sale", "product", "payment", "report", "member"} | {
        "territory",
        "plan",
        "pharmacy",
        "target",
        "import",
    }


@pytest.mark.parametrize("url", WITH_IDS, ids=str)
def test_another_companys_record_is_not_found_and_nothing_changes(url, acme, globex, member):
    pk = make_record(url.record_kind, acme, representative=member("representative", acme))
    outsider = Client(HTTP_ACCEPT_LANGUAGE="en")
    outsider.force_login(member("owner", globex))  # an owner: every action is allowed, only the id is foreign
    before = snapshot(acme, globex)
    path = url.path(pk)
    statuses = {"GET": outsider.get(path).status_code, "POST": outsider.post(path, {}).status_code}
    # A view that takes only POST (or only GET) may answer the other method with 405 before any lookup.
    assert set(statuses.values()) <= {404, 405} and 404 in statuses.values(), f"{path}: {statuses}"
    assert snapshot(acme, globex) == before
    insider = Client(HTTP_ACCEPT_LANGUAGE="en")
    insider.force_login(member("owner", acme))
    assert insider.get(path).status_code != 404, "the id is real in its own company"


@pytest.mark.parametrize("url", WITH_IDS, ids=str)
def test_an_id_past_64_bits_is_not_found(url, acme, member):
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(member("owner", acme))
    for huge in ("9223372036854775808", "9" * 400):
        path = url.path(0).replace("/0/", f"/{huge}/")
        assert owner.get(path).status_code in (404, 405), path
        assert owner.post(path, {}).status_code in (404, 405), path
    assert url.path(2**63 - 1), "the largest 64-bit id is still a valid address"
