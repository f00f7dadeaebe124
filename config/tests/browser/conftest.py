"""The browser suite's fixtures: one real server per session, Chromium, logged-in pages that watch for errors.

Every page a test opens fails the test at its end if the browser saw a console error, an uncaught
exception, a failed request or an HTTP error status that the test did not say it expected.
Without Chromium (or Playwright) the suite skips, unless REQUIRE_BROWSER=1 (.ci/run), where it fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from config.tests.browser.server import PASSWORD, DemoServer, chromium_path, launch_chromium

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_available() -> None:
    """Skips (or fails, with REQUIRE_BROWSER=1) the session's browser tests where Chromium or Playwright is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -r requirements-test.txt)")
    if chromium_path() is None:
        _unavailable("Chromium is not installed (apt-get install -y chromium chromium-driver)")


@pytest.fixture(scope="session")
def server(tmp_path_factory, browser_available) -> Iterator[DemoServer]:
    """The product under gunicorn on demo data made for this session (started once)."""
    demo = DemoServer(tmp_path_factory.mktemp("browser-server"))
    demo.prepare()
    demo.start()
    yield demo
    demo.stop()


@pytest.fixture(scope="session")
def playwright_instance(server):
    # After the server: gunicorn is started before Playwright's threads exist (see DemoServer.start).
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_instance):
    browser = launch_chromium(playwright_instance)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def addresses() -> dict:
    """Addresses of detail pages (the first row of a list), found once per session: see pages.resolve()."""
    return {}


class PageProblems:
    """What went wrong in a page as the browser saw it: console errors, exceptions, failed requests."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.expected_statuses: set[int] = set()

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            text = message.text
            if any(f"status of {status}" in text for status in self.expected_statuses):
                return
            self.problems.append(f"console error: {text} ({message.location.get('url', '')})")

    def _request_failed(self, request) -> None:
        # "Aborted" is the browser cancelling a request itself: a download ending its navigation, or the
        # next page (or closing the page) cutting short the icon's fetch. A missing file is an HTTP
        # error status, and a request the Content-Security-Policy blocks is a console error.
        if request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400 and response.status not in self.expected_statuses:
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def expect_status(self, status: int) -> None:
        """The test provokes this HTTP status on purpose."""
        self.expected_statuses.add(status)

    def take(self) -> list[str]:
        taken, self.problems = self.problems, []
        return taken


@pytest.fixture(scope="session")
def login_state(chromium, server) -> Callable[[str], dict]:
    """The cookies of `username` logged in through the login form (once per user and session)."""
    states: dict[str, dict] = {}

    def state(username: str) -> dict:
        if username not in states:
            context = chromium.new_context(base_url=server.url)
            page = context.new_page()
            log_in(page, username)
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            states[username] = context.storage_state()
            context.close()
        return states[username]

    return state


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Fill in and send the login form."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")


@pytest.fixture(scope="session")
def shared_contexts(chromium, server, login_state):
    """Browser contexts reused across tests (their HTTP cache too), one per user, width and JavaScript."""
    contexts: dict[tuple, object] = {}

    def context_for(username: str | None, viewport: dict, javascript: bool):
        key = (username, viewport["width"], viewport["height"], javascript)
        if key not in contexts:
            contexts[key] = _new_context(chromium, server, username and login_state(username), viewport, javascript)
        return contexts[key]

    yield context_for
    for context in contexts.values():
        context.close()


def _new_context(chromium, server, storage_state, viewport: dict, javascript: bool, **options):
    context = chromium.new_context(
        base_url=server.url,
        viewport=viewport,
        java_script_enabled=javascript,
        accept_downloads=True,
        storage_state=storage_state or None,
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def open_page(chromium, server, shared_contexts):
    """`open_page(username=None, viewport=DESKTOP, javascript=True, own_session=False)`: a new browser page.

    Pages of one user share a logged-in context (and so one server session) unless `own_session`:
    then the page gets a context of its own and logs in through the form, for tests that change
    what a session holds (language, impersonation). Any problem the page meets (console error,
    failed request, HTTP error) fails the test at its end.
    """
    opened = []

    def open_(username: str | None = None, *, viewport: dict = DESKTOP, javascript: bool = True, own_session=False):
        if own_session:
            context = _new_context(chromium, server, None, viewport, javascript)
        else:
            context = shared_contexts(username, viewport, javascript)
        page = context.new_page()
        page.problems = PageProblems()
        page.problems.watch(page)
        opened.append((page, context if own_session else None))
        if own_session and username:
            log_in(page, username)
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield open_
    found = []
    for page, own_context in opened:
        found += page.problems.take()
        page.close()
        if own_context is not None:
            own_context.close()
    assert not found, "The browser saw problems:\n" + "\n".join(found)


# Doctors the tests add through the form, each company its own (codes are unique per company).
OWN_DOCTORS = {
    "acme": [
        ("E2E-AZ1", "Ağasıoğlu", "Şəhla"),
        ("E2E-AZ2", "Ağasioğlu", "Çingiz"),
        ("E2E-AZ3", "İsmayılzadə", "Ülvi"),
        ("E2E-ACME", "Acmeov", "Ələsgər"),
    ],
    "globex": [("E2E-GLOBEX", "Globexova", "Günay")],
}


@pytest.fixture(scope="session")
def own_doctors(shared_contexts) -> dict[str, list[tuple[str, str, str]]]:
    """OWN_DOCTORS, added once per session by each company's manager through the doctor form."""
    from config.tests.browser.actions import add_doctor

    for company, doctors in OWN_DOCTORS.items():
        page = shared_contexts(f"{company}_manager", DESKTOP, True).new_page()
        for code, last_name, first_name in doctors:
            add_doctor(page, code=code, last_name=last_name, first_name=first_name)
        page.close()
    return OWN_DOCTORS
