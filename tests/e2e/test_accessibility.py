"""axe-core (npm, injected by Playwright) on every public page: zero WCAG 2.1 A/AA violations.

Pages: the home page in pt-BR, English and pt-PT, the triage page with a result, the form of
every form channel (and the form with errors), the confirmation page, the scheduling page,
the chatbot, click-to-call (and with errors), the FAQ list and one FAQ article, the
ombudsman's figures, the staff login page and the live chat's pages for a person (Meus Dados,
Novo Atendimento, a conversation, Meus Atendimentos); then the home page,
a form and the triage page again in the neutral theme.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Run axe on the page as it is now; a short summary of each violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: a <script> tag with inline code (what
        # add_script_tag makes) is refused by the pages' Content-Security-Policy.
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


@pytest.fixture
def demo(db):
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci` (make install)")
    from django.core.cache import cache

    from balcao.demo.services import load_demo

    cache.clear()  # the home page's cached catalogue of an earlier test
    load_demo(cases=0)


def test_every_public_page_has_no_axe_violations(page, live_server, demo, artifacts, settings):
    from balcao.catalog.models import Channel
    from balcao.kb.models import Article

    base = live_server.url
    found: dict[str, list[dict]] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        found[name] = axe_violations(page)

    for prefix in ("", "/en", "/pt-pt"):
        page.goto(f"{base}{prefix}/")
        check(f"home {prefix or '/'}")

    page.goto(f"{base}/encontre-o-atendimento/")
    page.get_by_label("Descreva a sua necessidade").fill(
        "quero saber quanto custa registrar minha marca"
    )
    page.get_by_role("button", name="Ver o canal recomendado").click()
    page.locator("#triage-result-title").wait_for()
    check("triage with a result (htmx)")

    for slug in Channel.objects.filter(active=True, entry="form").values_list("slug", flat=True):
        page.goto(f"{base}/canais/{slug}/")
        check(f"form {slug}")
    page.goto(f"{base}/canais/fale-conosco/")
    page.get_by_label("CPF (opcional)").fill("123.456.789-00")
    page.get_by_role("button", name="Enviar").click()
    page.locator(".field-error").first.wait_for()
    check("form with errors")

    page.get_by_label("Nome completo").fill("Maria da Silva")
    page.get_by_label("E-mail").fill("maria@example.com")
    page.get_by_label("CPF (opcional)").fill("")
    page.get_by_label("Assunto").fill("Dúvida sobre o pedido de marca")
    page.get_by_label("Descrição").fill("Meu pedido está parado na mesma fase há meses.")
    page.get_by_role("button", name="Enviar").click()
    page.locator("#protocol").wait_for()
    check("confirmation")

    page.goto(f"{base}/canais/telepresencial/agendamento/")
    check("(tele)presential request")
    page.goto(f"{base}/canais/conecta-todos/agendamento/")
    check("Conecta Todos sessions")
    page.goto(f"{base}/contato-direto/")
    check("direct contact hypotheses")
    page.goto(f"{base}/chatbot/")
    check("chatbot")
    page.goto(f"{base}/telefone/ligamos-para-voce/")
    check("click-to-call")
    page.get_by_role("button", name="Pedir ligação").click()
    page.locator(".field-error").first.wait_for()
    check("click-to-call with errors")
    page.goto(f"{base}/perguntas-frequentes/")
    check("FAQ list")
    article = Article.objects.filter(state="published").order_by("pk").first()
    assert article is not None, "the demo knowledge base has no published article"
    page.goto(f"{base}/perguntas-frequentes/{article.slug}/")
    check("FAQ article")
    page.goto(f"{base}/transparencia/ouvidoria/")
    check("ombudsman transparency")
    page.goto(f"{base}/transparencia/informacao-classificada/")
    check("annual report of classified information")
    page.goto(f"{base}/conta/entrar/")
    check("staff login")

    # The live chat for a person who proved their e-mail (issue 24): Meus Dados, Novo
    # Atendimento, a conversation with a message from each side and Meus Atendimentos.
    from django.contrib.sessions.backends.db import SessionStore

    from balcao.cases.followup import EMAIL_SESSION_KEY
    from balcao.cases.models import Requester, Workflow
    from balcao.livechat import services as chat

    chat_channel = Channel.objects.create(
        slug="chat-ao-vivo", name="Chat", kind="chat", hours=Channel.Hours.ALWAYS,
        workflow=Workflow.objects.get(slug="chat"),
    )  # fmt: skip
    person = Requester.objects.create(
        name="Hauana Andrade", email="hauana@example.com", phone="4735311500"
    )
    conversation = chat.do_start_chat(person, chat_channel, reason="Como emito a GRU?")
    store = SessionStore()
    store[EMAIL_SESSION_KEY] = {"email": person.email, "at": int(time.time())}
    store.create()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": store.session_key, "url": base}]
    )
    for path, name in (
        ("/atendimento/meus-dados/", "chat: my details"),
        ("/atendimento/chat/", "chat: new case"),
        (f"/atendimento/chat/{conversation.token}/", "chat: conversation"),
        ("/acompanhar/meus/lista/", "chat: my cases"),
    ):
        page.goto(f"{base}{path}")
        check(name)

    # The e-mail proof on the way to the chat, with "Entrar com gov.br" (docs/govbr.md).
    settings.BALCAO_GOVBR_CLIENT_ID = "balcao-teste"
    page.context.clear_cookies()
    page.goto(f"{base}/acompanhar/meus/?next=/atendimento/chat/")
    page.get_by_role("link", name="Entrar com gov.br").wait_for()
    check("e-mail proof with gov.br")

    # The neutral theme (no gov.br CSS) for agencies outside Brazil.
    settings.BALCAO_THEME = "neutral"
    for path in ("/pt-pt/", "/pt-pt/canais/fale-conosco/", "/pt-pt/encontre-o-atendimento/"):
        page.goto(f"{base}{path}")
        check(f"neutral theme {path}")
    page.screenshot(path=str(artifacts / "portal-neutral-theme.png"), full_page=True)

    (artifacts / "axe-results.json").write_text(json.dumps(found, indent=2, ensure_ascii=False))
    failing = {name: v for name, v in found.items() if v}
    assert len(found) >= 17
    assert not failing, json.dumps(failing, indent=2, ensure_ascii=False)
