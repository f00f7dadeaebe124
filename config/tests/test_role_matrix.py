"""Every URL of the company interface × every role × GET and POST, against the one permission table.

Each view declares the action it needs (`@require(...)`, a list view's `permission`); the role table
is `subscription.ui.permissions.PERMISSIONS`. A role the table refuses gets 403 and changes nothing;
a role it allows gets past the check (no 403, no 404 for its own company's record, no 5xx). A new
URL without a declared action, or whose id has no record kind, fails here.
"""

import pytest
from django.test import Client

from config.tests.company_urls import OWN_RECORD_ONLY, ROLES, company_urls, declared_actions, make_record, snapshot
from subscription.ui.permissions import PERMISSIONS

pytestmark = pytest.mark.django_db
URLS = company_urls()


def test_the_walk_finds_every_section():
    names = {url.name.split(":")[0] for url in URLS}
    assert names == {"dashboard", "doctors", "patients", "appointments", "sales", "payments", "reports"} | {
        "settings",
        "export",
        "territories",
        "plans",
        "targets",
    }
    assert len(URLS) > 40


@pytest.mark.parametrize("url", URLS, ids=str)
def test_every_view_declares_an_action_of_the_permission_table(url):
    get_action, post_action = declared_actions(url.view)
    assert get_action in PERMISSIONS, f"{url.name}: decorate its view with @require(action) or set `permission`"
    assert post_action in PERMISSIONS


def clients(company, member) -> dict[str, tuple[Client, object]]:
    made = {}
    for role in ROLES:
        user = member(role, company)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        made[role] = (client, user)
    return made


def allowed(url, role: str, action: str) -> bool:
    """The role table's answer, narrowed by the rules on records of their own (OWN_RECORD_ONLY)."""
    return role in PERMISSIONS[action] and (url.name not in OWN_RECORD_ONLY or role == "representative")


def check(response, *, role: str, action: str, path: str, method: str, url=None) -> None:
    where = f"{method} {path} as {role} ({action})"
    assert response.status_code < 500, where
    if allowed(url, role, action) if url is not None else role in PERMISSIONS[action]:
        assert response.status_code not in (403, 404), f"{where}: allowed by the table, got {response.status_code}"
    else:
        # A POST-only view may answer GET with 405 before a rule on the record refuses it.
        refusals = (403, 405) if method == "GET" else (403,)
        assert response.status_code in refusals, f"{where}: refused, got {response.status_code}"


@pytest.mark.parametrize("url", URLS, ids=str)
def test_each_role_gets_what_the_permission_table_says(url, acme, member):
    get_action, post_action = declared_actions(url.view)
    people = clients(acme, member)
    representative = people["representative"][1]

    def new_record() -> int | None:
        return make_record(url.record_kind, acme, representative=representative) if url.record_kind else None

    shared = new_record()  # for reads and refused writes, which change nothing (checked)
    for role, (client, _user) in people.items():
        for method, action in (("GET", get_action), ("POST", post_action)):
            may = allowed(url, role, action)
            # An allowed POST may delete or change its record: it gets one of its own.
            path = url.path(new_record() if method == "POST" and may else shared)
            before = None if may else snapshot(acme)
            response = client.get(path) if method == "GET" else client.post(path, {})
            check(response, role=role, action=action, path=path, method=method, url=url)
            if not may:
                assert snapshot(acme) == before, f"{method} {path} as {role} changed data"


@pytest.mark.parametrize("url", [url for url in URLS if url.exports], ids=str)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_list_exports_follow_the_export_rule(url, fmt, acme, member):
    for role, (client, _user) in clients(acme, member).items():
        response = client.get(url.path(), {"export": fmt})
        check(response, role=role, action="export", path=f"{url.path()}?export={fmt}", method="GET")
        if role in PERMISSIONS["export"]:
            assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
