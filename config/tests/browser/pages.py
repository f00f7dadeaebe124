"""The main pages of the product, who opens each, and how to find the address of a detail page."""

from __future__ import annotations

import re

REPORT_KINDS = [
    "coverage",
    "visits_per_rep",
    "visits_plan",
    "sales_month",
    "sales_region",
    "sales_product",
    "sales_rep",
    "payments_kind",
    "payments_doctor",
    "targets",
    "plan_done",
    "samples",
]

# (who, address). "{doctor}" and the like stand for the first row of that list (see first_detail).
MAIN_PAGES: list[tuple[str | None, str]] = [
    (None, "/accounts/login/"),
    ("acme_manager", "/"),
    ("acme_manager", "/doctors/"),
    ("acme_manager", "/doctors/add/"),
    ("acme_manager", "/doctors/{doctor}/"),
    ("acme_manager", "/doctors/{doctor}/edit/"),
    ("acme_manager", "/patients/"),
    ("acme_manager", "/patients/add/"),
    ("acme_manager", "/patients/{patient}/"),
    ("acme_manager", "/appointments/"),
    ("acme_manager", "/appointments/upcoming/"),
    ("acme_manager", "/appointments/upcoming/?view=week"),
    ("acme_manager", "/appointments/add/"),
    ("acme_manager", "/appointments/{appointment}/"),
    ("acme_manager", "/sales/"),
    ("acme_manager", "/sales/add/"),
    ("acme_manager", "/sales/import/"),
    ("acme_manager", "/sales/import/{import}/"),
    ("acme_manager", "/sales/{sale}/"),
    ("acme_manager", "/sales/products/"),
    ("acme_manager", "/sales/products/add/"),
    ("acme_manager", "/payments/"),
    ("acme_manager", "/payments/add/"),
    ("acme_manager", "/payments/{payment}/"),
    ("acme_manager", "/reports/"),
    ("acme_manager", "/reports/saved/"),
    *[("acme_manager", f"/reports/{kind}/") for kind in REPORT_KINDS],
    ("acme_manager", "/appointments/upcoming/?view=month"),
    ("acme_manager", "/territories/"),
    ("acme_manager", "/territories/add/"),
    ("acme_manager", "/sales/pharmacies/"),
    ("acme_manager", "/sales/samples/"),
    ("acme_manager", "/sales/samples/issue/"),
    ("acme_manager", "/plans/"),
    ("acme_manager", "/targets/"),
    ("acme_rep", "/"),
    ("acme_rep", "/appointments/"),
    ("acme_rep", "/appointments/today/"),
    ("acme_rep", "/appointments/report/"),
    ("acme_rep", "/plans/"),
    ("acme_rep", "/targets/"),
    ("acme_owner", "/settings/"),
    ("acme_owner", "/settings/users/"),
    ("acme_owner", "/settings/users/add/"),
    ("acme_owner", "/settings/subscription/"),
    ("acme_owner", "/settings/export/"),
    ("admin", "/master-admin/"),
    ("admin", "/master-admin/companies/acme/"),
    ("admin", "/master-admin/companies/acme/enter/"),
    ("admin", "/master-admin/analytics/"),
    ("admin", "/master-admin/monitoring/"),
    ("admin", "/master-admin/servers/"),
    ("admin", "/master-admin/impersonations/"),
    ("admin", "/admin/"),
    ("admin", "/admin/subscription/company/"),
]

# axe-core runs once per template: the report pages share one, so two of them (a line and a bar chart) stand for all.
AXE_PAGES = [
    (who, path)
    for who, path in MAIN_PAGES
    if who != "acme_rep" and not (path.startswith("/reports/") and path.strip("/").split("/")[-1] in REPORT_KINDS)
] + [("acme_manager", "/reports/visits_plan/"), ("acme_manager", "/reports/sales_region/")]

LISTS = {
    "doctor": "/doctors/",
    "patient": "/patients/",
    "appointment": "/appointments/",
    "sale": "/sales/",
    "payment": "/payments/",
    "import": "/sales/import/",
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def page_id(page: tuple[str | None, str]) -> str:
    who, path = page
    return f"{who or 'anonymous'}:{path}"


def first_detail(page, entity: str) -> str:
    """The id of the first row of `entity`'s list, as its link in the list page shows it."""
    base = LISTS[entity]
    page.goto(base)
    pattern = re.compile(rf"^{re.escape(base)}(\d+)/$")
    for href in page.locator(f"main a[href^='{base}']").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        match = pattern.match(href or "")
        if match:
            return match.group(1)
    raise AssertionError(f"{base} lists no {entity} to open")


def resolve(page, path: str) -> str:
    """`path` with each {entity} replaced by the id of the first row of that list."""
    return PLACEHOLDER.sub(lambda match: first_detail(page, match.group(1)), path)


def open_main_page(open_page, addresses: dict, who: str | None, path: str, **options):
    """A new page of `who` showing `path` (detail addresses are looked up once and kept in `addresses`)."""
    page = open_page(who, **options)
    if (who, path) not in addresses:
        addresses[who, path] = resolve(page, path)
    response = page.goto(addresses[who, path])
    assert response.ok, f"{path}: HTTP {response.status}"
    page.wait_for_load_state("load")
    return page
