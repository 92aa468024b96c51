"""Pages work in a real browser under the Content-Security-Policy (finding #7): htmx swaps,
the behaviours moved out of ``hx-on`` (chat box reset, focus on the triage result), the
agency colour in the nonce'd <style>, the language switch, the console's htmx filters and
the API docs (swagger-ui from our static files). Any policy violation fails the test.

Violations are caught by a listener Playwright adds before any page script runs (its init
scripts are not subject to the page's policy) and by chromium's console messages.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and console error it meets kept in a list."""
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

    def check() -> None:
        problems.extend(page.evaluate("() => window.__cspViolations || []"))
        assert not problems, "\n".join(problems)

    page.check_csp = check
    return page


@pytest.fixture
def catalogue(db):
    from django.core.cache import cache

    from balcao.catalog.services import load_demo_catalog

    cache.clear()
    load_demo_catalog()


@pytest.fixture
def chat_article(db):
    from balcao.kb import services as kb

    kb.do_import(
        [
            '{"id": "gru-emitir", "question": "Como emito a GRU?", '
            '"answer": "No site do INPI.", "variants": ["gerar boleto"], '
            '"language": "pt-BR"}'
        ]
    )


def test_portal_under_the_policy(watched, live_server, catalogue, settings):
    page = watched
    settings.BALCAO_PRIMARY_COLOR = "#0c326f"
    response = page.goto(f"{live_server.url}/")
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # The nonce'd <style> applied: the agency colour reached the CSS variables.
    colour = page.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--balcao-primary')"
    )
    assert colour.strip() == "#0c326f"
    assert page.evaluate("() => htmx.config.allowEval") is False
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False

    # Triage through htmx: the result is swapped in (no navigation) and gets the focus.
    page.goto(f"{live_server.url}/encontre-o-atendimento/")
    page.evaluate("() => { window.__samePage = true; }")
    page.locator("#id_text").fill("quero saber quanto custa registrar minha marca")
    page.locator("#triage-form button[type=submit]").click()
    page.locator("#triage-result-title").wait_for()
    assert page.evaluate("() => window.__samePage") is True, "htmx did not swap: full reload"
    expect(page.locator("#triage-result-title")).to_be_focused()

    # The language switch (a plain form) still works.
    page.goto(f"{live_server.url}/en/")
    page.get_by_label("Language").select_option("pt-br")
    page.get_by_role("button", name="Change").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "pt-br"
    page.check_csp()


def test_chatbot_under_the_policy(watched, live_server, chat_article):
    page = watched
    page.goto(f"{live_server.url}/chatbot/")
    page.evaluate("() => { window.__samePage = true; }")
    box = page.get_by_label("Sua pergunta")
    box.fill("como emito a GRU?")
    page.get_by_role("button", name="Enviar").click()
    page.locator(".chat-turns li.turn", has_text="como emito a GRU?").wait_for()
    page.locator(".chat-turns li.turn", has_text="No site do INPI.").wait_for()
    assert page.evaluate("() => window.__samePage") is True, "htmx did not swap: full reload"
    expect(page.locator("#chat-text")).to_have_value("")
    page.check_csp()


@pytest.fixture
def verified_staff_cookie(live_server, django_user_model):
    """A supervisor's session with a verified second factor, as a browser cookie."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from balcao.cases.models import Workflow
    from balcao.catalog.models import Channel

    Channel.objects.create(
        slug="fale-conosco",
        name="Fale Conosco",
        kind="form",
        workflow=Workflow.objects.get(slug="helpdesk"),
    )
    user = django_user_model.objects.create_user(
        username="sara.supervisora", password="senha-de-teste-123"
    )
    user.groups.add(Group.objects.get(name="supervisor"))
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return {"name": "sessionid", "value": session.session_key, "url": live_server.url}


def test_console_and_api_docs_under_the_policy(
    watched, live_server, verified_staff_cookie, settings
):
    page = watched
    page.context.add_cookies([verified_staff_cookie])
    response = page.goto(f"{live_server.url}/console/")
    assert "no-store" in response.headers["cache-control"]
    page.get_by_role("heading", name="Atendimentos").wait_for()
    # The filters swap the rows through htmx and push the URL.
    with page.expect_response(lambda r: "sort=recent" in r.url):
        page.locator("#f-sort").select_option("recent")
    page.wait_for_url("**/console/?*sort=recent*")
    page.locator("#case-rows table").wait_for()
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None
    # Back: no htmx snapshot to restore, so the whole page is loaded again.
    page.go_back()
    page.wait_for_url(f"{live_server.url}/console/")
    page.get_by_role("heading", name="Atendimentos").wait_for()
    assert page.locator("#f-sort").input_value() == ""
    page.check_csp()

    settings.DEBUG = False
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info .title", has_text="Balcão API").wait_for()
    page.locator(".opblock-tag", has_text="cases").first.wait_for()
    page.check_csp()
