"""The triage result is announced and visible on a phone (issue 19): after "Ver o canal
recomendado" the focus is on the result's heading inside a live region, and the result is
on screen — with and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalogue(db):
    from django.core.cache import cache

    from balcao.catalog.services import load_demo_catalog

    cache.clear()
    load_demo_catalog()


def _in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.top < window.innerHeight; }""",
        selector,
    )


@pytest.mark.parametrize("javascript", [True, False])
def test_the_result_is_focused_announced_and_on_screen(browser, live_server, catalogue, javascript):
    context = browser.new_context(locale="pt-BR", viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/encontre-o-atendimento/")
        assert page.locator("#triage-result").get_attribute("aria-live") == "polite"
        page.locator("#id_text").fill("preciso de cópia do meu processo administrativo")
        page.get_by_role("button", name="Ver o canal recomendado").click()
        page.locator("#triage-result-title").wait_for()
        if javascript:
            expect(page.locator("#triage-result-title")).to_be_focused()
        assert _in_viewport(page, "#triage-result-title")
    finally:
        context.close()
