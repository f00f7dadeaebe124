"""Work the job worker does, seen from the browser: the owner's portable bundle from the settings (the page
polls until the download is there), and a superuser's "Back up now" (the backup appears on the company page)."""

import json
import zipfile

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
WORKER_MS = 30_000


def test_the_owner_downloads_the_portable_bundle_from_settings(open_page, tmp_path):
    page = open_page("acme_owner")
    page.goto("/settings/export/")
    page.locator("main form:has(input[name=kind][value=bundle]) button").click()
    page.wait_for_url("**/jobs/*/")
    download_link = page.locator("#job-status a[href$='/download/']")
    expect(download_link).to_be_visible(timeout=WORKER_MS)  # htmx polled the job until the worker finished
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("acme-bundle-") and download.suggested_filename.endswith(".zip")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["company"]["slug"] == "acme"
        assert manifest["tables"]["doctors_doctor"]["rows"] > 0
        assert archive.read("tables/doctors_doctor.csv").decode().startswith("id,")
    page.goto("/settings/export/")
    expect(page.locator("#recent-exports")).to_contain_text("ZIP")


def test_back_up_now_shows_the_backup_when_the_worker_has_made_it(open_page):
    page = open_page("admin")
    page.goto("/master-admin/companies/globex/")
    before = page.locator("#backup-list tbody tr").count()
    page.locator("#backups form[action$='/backup/'] button").click()
    page.wait_for_url("**/master-admin/companies/globex/")
    expect(page.locator("#backup-list tbody tr")).to_have_count(before + 1, timeout=WORKER_MS)
    expect(page.locator("#backup-list tbody tr").first).to_contain_text("globex/globex-")
    page.goto("/master-admin/jobs/")
    expect(page.locator("#job-runs")).to_contain_text("backup_now")
