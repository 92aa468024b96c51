"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (scripts/ensure-chromium.sh)")
    # Playwright's sync API runs an event loop; Django's ORM in the test thread is still
    # used synchronously and safely.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
        # While Playwright's loop runs, Django keeps a second connection for this thread
        # (its connections are per async context); close it here, in that context, or
        # PostgreSQL refuses to drop the test database ("being accessed by other users").
        from django.db import connections

        connections.close_all()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- data made by migrations (workflows, roles) survives the transactional flushes ---
# (tests/conftest.py does it before every transactional test; the browser tests' live server
# threads also need it back after their module.)

from tests.conftest import _migrated_data, _restore_migrated_data  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def restore_migrated_data(request, django_db_setup, django_db_blocker):
    """Transactional tests end with a flush that also empties what data migrations created;
    put it back before and after this module's tests so that every browser test finds it."""
    with django_db_blocker.unblock():
        _migrated_data(request.config)
    yield
    with django_db_blocker.unblock():
        _restore_migrated_data(request.config)


@pytest.fixture(autouse=True)
def migrated_data(request, transactional_db):
    _restore_migrated_data(request.config)
