"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

The browser is the system's (`/usr/bin/chromium`, Debian's `chromium` package, which
`.ci/run` installs when it is missing); Playwright never downloads one. Outside CI a
machine without Chromium skips these tests; under `CI=true` a missing Chromium fails them.

Fixtures:
- `browser` (session): one headless Chromium for the whole run.
- `page` (function): a fresh context (1400 x 900, the configured time zone) and its page;
  a screenshot of the last state is saved under `var/screenshots/` when a test fails.
- `admin_page` (function): `page`, logged in through the real login form as a superuser,
  with `admin_page.url_for(path)` built on the live server.
- `shoot(page, name)`: saves a full-page PNG under `var/screenshots/` to look at.

Playwright's sync API runs an event loop in this thread, so Django's ORM calls made by the
test itself would be refused as "async unsafe"; they are safe here (one thread, no loop
of ours), hence DJANGO_ALLOW_ASYNC_UNSAFE for this package's tests only.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
ADMIN_USERNAME = "browser-admin"
ADMIN_PASSWORD = "browser-admin-pass"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is not installed at {CHROMIUM}; .ci/run installs it.")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


def shoot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def page(browser, request):
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, timezone_id=settings.TIME_ZONE, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        shoot(page, f"failed-{request.node.name}")
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture
def admin_user_for_browser(transactional_db, django_user_model):
    return django_user_model.objects.create_superuser(
        ADMIN_USERNAME, "browser-admin@example.com", ADMIN_PASSWORD
    )


@pytest.fixture
def admin_page(page, live_server, admin_user_for_browser):
    """A page logged in to the admin through its real login form."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", ADMIN_USERNAME)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.url_for = lambda path: f"{live_server.url}{path}"
    return page
