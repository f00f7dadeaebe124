"""Screenshots of the main pages, for the README (a documentation tool, not part of the product).

Needs Debian's chromium and chromium-driver and `pip install selenium`; start the product first
(`make run`), then:  .venv/bin/python docs/screenshots/take.py [--base http://127.0.0.1:8000]
"""

import argparse
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

HERE = Path(__file__).resolve().parent
PASSWORD = "demo"
COMPANY_PAGES = [
    ("acme_manager", "/", "dashboard"),
    ("acme_manager", "/doctors/", "doctors"),
    ("acme_manager", "/doctors/add/", "doctor-form"),
    ("acme_manager", "/appointments/upcoming/?view=week", "visits-week"),
    ("acme_manager", "/sales/", "sales"),
    ("acme_manager", "/reports/visits_plan/", "report-visits-planned-vs-done"),
    ("acme_owner", "/settings/", "settings"),
]
ADMIN_PAGES = [
    ("/master-admin/", "master-admin-companies"),
    ("/master-admin/analytics/", "master-admin-analytics"),
    ("/master-admin/monitoring/", "master-admin-monitoring"),
    ("/master-admin/impersonations/", "master-admin-log"),
    ("/admin/subscription/company/", "django-admin-companies"),
]


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1360,900",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def log_in(driver, base: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def shoot(driver, base: str, path: str, name: str) -> None:
    driver.get(f"{base}{path}")
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1360, min(max(height, 700), 1500))
    driver.save_screenshot(str(HERE / f"{name}.png"))
    print(f"{name}.png  ← {path}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--language", default="az")
    base = parser.parse_args().base
    driver = browser()
    try:
        current = None
        for username, path, name in COMPANY_PAGES:
            if username != current:
                log_in(driver, base, username)
                current = username
            shoot(driver, base, path, name)
        log_in(driver, base, "admin")
        for path, name in ADMIN_PAGES:
            shoot(driver, base, path, name)
        driver.get(f"{base}/master-admin/companies/acme/enter/")
        driver.find_element(By.NAME, "reason").send_keys("Support request: checking the doctor list")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        shoot(driver, base, "/doctors/", "impersonating-acme")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
