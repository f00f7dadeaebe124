"""Screenshots of the main pages for the README (a documentation tool, not part of the product).

`make screenshots` runs it: it starts the product as the browser tests do (gunicorn on a free port,
demo data made in a temporary folder) and photographs the pages with Debian's Chromium through
Playwright. Options: --language az|en|ru (default az), --only NAME (repeatable).
"""

import argparse
import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from config.tests.browser.server import PASSWORD, DemoServer, chromium_path, launch_chromium  # noqa: E402

WIDTH, MIN_HEIGHT, MAX_HEIGHT = 1360, 700, 1500
WORKER_MS = 60_000  # how long a job the script asks for (a backup) may take the worker
# (who, address, file name). An address is a path, or (page, pattern): the first link on that page whose
# address matches the pattern, for pages whose ids the demo data decides.
COMPANY_PAGES = [
    ("acme_manager", "/", "dashboard"),
    ("acme_manager", "/doctors/", "doctors"),
    ("acme_manager", "/doctors/add/", "doctor-form"),
    ("acme_manager", "/appointments/upcoming/?view=week", "visits-week"),
    ("acme_manager", "/sales/", "sales"),
    ("acme_manager", "/reports/visits_plan/", "report-visits-planned-vs-done"),
    ("acme_manager", "/territories/", "territories"),
    ("acme_manager", ("/plans/?status=submitted", r"/plans/\d+/"), "plan-approval"),
    ("acme_manager", "/targets/", "targets"),
    ("acme_manager", "/sales/samples/", "samples"),
    ("acme_manager", "/sales/pharmacies/", "pharmacies"),
    ("acme_rep", ("/appointments/today/", r"/appointments/\d+/report/"), "call-report"),
    ("acme_owner", "/settings/", "settings"),
]
ADMIN_PAGES = [
    ("/master-admin/", "master-admin-companies"),
    ("/master-admin/analytics/", "master-admin-analytics"),
    ("/master-admin/monitoring/", "master-admin-monitoring"),
    ("/master-admin/impersonations/", "master-admin-log"),
    ("/master-admin/companies/acme/", "master-admin-backups"),
    ("/master-admin/jobs/", "master-admin-jobs"),
    ("/admin/subscription/company/", "django-admin-companies"),
]


def log_in(context, username: str):
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def first_link(page, on: str, pattern: str) -> str:
    page.goto(on)
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for href in hrefs:
        if re.fullmatch(pattern, href):
            return href
    raise SystemExit(f"{on} has no link matching {pattern}: the demo data has changed")


def back_up(admin, slug: str) -> None:
    """'Back up now' on the company's page, and wait for the worker: the backup and its job run are then shown."""
    admin.goto(f"/master-admin/companies/{slug}/")
    rows = admin.locator("#backup-list tbody tr")
    before = rows.count()
    admin.locator("#backups form[action$='/backup/'] button").click()
    admin.wait_for_url(f"**/master-admin/companies/{slug}/")
    rows.nth(before).wait_for(timeout=WORKER_MS)


def shoot(page, path: str | tuple[str, str], name: str, only: set[str]) -> None:
    if only and name not in only:
        return
    if isinstance(path, tuple):
        path = first_link(page, *path)
    page.set_viewport_size({"width": WIDTH, "height": MIN_HEIGHT})
    page.goto(path)
    page.wait_for_load_state("load")
    height = page.evaluate("() => document.body.scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": min(max(height, MIN_HEIGHT), MAX_HEIGHT)})
    page.screenshot(path=HERE / f"{name}.png")
    print(f"{name}.png  ← {path}")


def take(base_url: str, language: str, only: set[str]) -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)

        def context():
            made = browser.new_context(base_url=base_url, viewport={"width": WIDTH, "height": MIN_HEIGHT})
            made.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
            return made

        pages: dict[str, object] = {}
        for username, path, name in COMPANY_PAGES:
            if username not in pages:
                pages[username] = log_in(context(), username)
            shoot(pages[username], path, name, only)
        admin = log_in(context(), "admin")
        if not only or only & {"master-admin-backups", "master-admin-jobs"}:
            back_up(admin, "acme")
        for path, name in ADMIN_PAGES:
            shoot(admin, path, name, only)
        admin.goto("/master-admin/companies/acme/enter/")
        admin.fill("#id_reason", "Support request: checking the doctor list")
        admin.click("main form button[type=submit]")
        admin.wait_for_url(lambda url: "/master-admin/" not in url)
        shoot(admin, "/doctors/", "impersonating-acme", only)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="az", choices=["az", "en", "ru"])
    parser.add_argument(
        "--only", action="append", default=[], help="retake only this screenshot (file name without .png)"
    )
    arguments = parser.parse_args()
    if chromium_path() is None:
        sys.exit("Chromium is not installed: apt-get install -y chromium chromium-driver")
    with tempfile.TemporaryDirectory(prefix="medrep-screenshots-") as folder:
        server = DemoServer(Path(folder))
        server.prepare()
        try:
            take(server.start(), arguments.language, set(arguments.only))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
