"""The service loop, end to end in Debian's chromium (issue 19, "Done means"): a citizen
files a case (portal form, then the chatbot) → the acknowledgement e-mail carries the
follow-up link and the access code → an agent finds the case in the queue, takes it and asks
for complementation → the person gets the e-mail, opens the follow-up page, replies with a
file → the clock resumes → the agent answers and closes → the person rates the service.
axe-core checks every follow-up page on the way."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.e2e.test_accessibility import AXE, axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def agency(db, live_server, settings):
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci` (make install)")
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from balcao.accounts.models import User
    from balcao.demo.services import load_demo

    settings.BALCAO_BASE_URL = live_server.url  # the links in the e-mails
    cache.clear()
    load_demo(cases=0)
    agent = User.objects.create_user(username="ana.agente", password="senha-de-teste-123")
    agent.groups.add(Group.objects.get(name="agent"))
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    return agent, device


def _login(page, base, device) -> None:
    from django_otp.oath import totp

    device.refresh_from_db()
    device.last_t = -1
    device.save(update_fields=["last_t"])
    code = f"{totp(device.bin_key):06d}"
    page.goto(f"{base}/conta/entrar/")
    page.get_by_label("Usuário").fill("ana.agente")
    page.get_by_label("Senha").fill("senha-de-teste-123")
    page.get_by_label("Código de verificação").fill(code)
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("heading", name="Atendimentos").wait_for()


def _mail_to(address: str, count: int) -> list:
    sent = [m for m in mail.outbox if address in m.to]
    assert len(sent) == count, [m.subject for m in sent]
    return sent


def _code_and_link(message) -> tuple[str, str]:
    code = re.search(r"Código de acesso: (\S+)", message.body).group(1)
    link = re.search(r"(https?://\S+/acompanhar/\?protocolo=\S+)", message.body).group(1)
    return code, link


def _check_axe(page, where: str, found: dict) -> None:
    violations = axe_violations(page)
    if violations:
        found[where] = violations


def _agent_takes_and_asks(agent_page, base, protocol: str) -> None:
    # The default queue (open cases, earliest due date first) lists the new case.
    agent_page.goto(f"{base}/console/")
    assert agent_page.get_by_role("link", name="Abertos").get_attribute("aria-current") == "page"
    agent_page.get_by_role("link", name=protocol).click()
    agent_page.get_by_role("button", name="Atribuir a mim").click()
    agent_page.get_by_text("Atendimento atribuído a você.").wait_for()
    # now it is in the agent's own view
    agent_page.goto(f"{base}/console/?view=meus")
    agent_page.get_by_role("link", name=protocol).click()
    agent_page.get_by_label("Nova situação").select_option(label="Aguardando o requerente")
    agent_page.get_by_label(re.compile("Justificativa")).fill(
        "Envie o comprovante de pagamento da GRU."
    )
    agent_page.get_by_role("button", name="Mudar situação").click()
    agent_page.get_by_text("Situação alterada.").wait_for()


def _person_replies_with_a_file(page, link, code, tmp_path, found) -> None:
    page.goto(link)
    _check_axe(page, "follow-up: access", found)
    page.get_by_label("Código de acesso").fill(code)
    page.get_by_role("button", name="Abrir atendimento").click()
    page.get_by_text("Precisamos de informações suas para continuar").wait_for()
    assert "comprovante de pagamento" in page.locator("#followup-request").inner_text()
    _check_axe(page, "follow-up: waiting on the person", found)
    receipt = tmp_path / "comprovante.pdf"
    receipt.write_bytes(PDF)
    page.get_by_label("Sua mensagem").fill("Segue o comprovante.")
    page.get_by_label(re.compile("Anexo")).set_input_files(str(receipt))
    page.get_by_role("button", name="Enviar resposta", exact=True).click()
    page.get_by_text("Mensagem enviada.").wait_for()
    assert page.locator("#followup-state").inner_text() == "Em atendimento"
    assert page.get_by_role("link", name="comprovante.pdf").count() == 1


def _agent_answers_and_closes(agent_page, answer: str) -> None:
    agent_page.reload()
    agent_page.get_by_label("Mensagem").fill(answer)
    agent_page.get_by_role("button", name="Enviar resposta", exact=True).click()
    agent_page.get_by_text("Resposta enviada.").wait_for()
    agent_page.get_by_label("Nova situação").select_option(label="Resolvido")
    agent_page.get_by_role("button", name="Mudar situação").click()
    agent_page.get_by_text("Situação alterada.").wait_for()


def _person_rates(page, link, code, found) -> None:
    page.goto(link)
    if page.get_by_label("Código de acesso").count():
        page.get_by_label("Código de acesso").fill(code)
        page.get_by_role("button", name="Abrir atendimento").click()
    page.get_by_role("heading", name="Avalie o atendimento").wait_for()
    _check_axe(page, "follow-up: rating", found)
    # gov.br's radios draw the label over the input: a person clicks the label.
    page.locator("label", has_text="4 — Bom").click()
    page.locator("label", has_text="Em parte").click()
    assert page.get_by_label("4 — Bom").is_checked()
    page.get_by_role("button", name="Enviar avaliação").click()
    page.get_by_text("Obrigado pela sua avaliação!").wait_for()


def _clock_resumed(case) -> None:
    from balcao.cases.models import CaseEvent

    case.refresh_from_db()
    assert case.deadline_paused_at is None and case.due_at is not None
    actions = list(case.history.values_list("action", flat=True))
    assert CaseEvent.Action.DEADLINE_PAUSED in actions
    assert CaseEvent.Action.DEADLINE_RESUMED in actions


def test_portal_case_closes_the_loop(page, browser, live_server, agency, tmp_path, artifacts):
    from balcao.cases.models import Case, CaseRating

    _agent, device = agency
    base = live_server.url
    found: dict[str, list] = {}

    page.goto(f"{base}/canais/fale-conosco/")
    page.get_by_label("Nome completo").fill("Maria da Silva")
    page.get_by_label("E-mail").fill("maria@example.com")
    page.get_by_label("Assunto").fill("GRU paga e pedido não aparece")
    page.get_by_label("Descrição").fill("Paguei a GRU há uma semana e o pedido não aparece.")
    page.get_by_role("button", name="Enviar").click()
    protocol = page.locator("#protocol").inner_text()
    [ack] = _mail_to("maria@example.com", 1)
    assert protocol in ack.subject
    code, link = _code_and_link(ack)
    assert protocol in link

    agent_context = browser.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
    agent_page = agent_context.new_page()
    agent_page.set_default_timeout(15_000)
    _login(agent_page, base, device)
    _agent_takes_and_asks(agent_page, base, protocol)
    case = Case.objects.get(protocol=protocol)
    assert case.deadline_paused_at is not None
    request_mail = _mail_to("maria@example.com", 2)[1]
    assert "Envie o comprovante de pagamento da GRU." in request_mail.body
    assert "suspenso" in request_mail.body

    _person_replies_with_a_file(page, link, code, tmp_path, found)
    _clock_resumed(case)

    _agent_answers_and_closes(agent_page, "Pagamento confirmado; o pedido já aparece.")
    answer_mails = _mail_to("maria@example.com", 4)
    assert "Pagamento confirmado" in answer_mails[2].body
    assert "concluído" in answer_mails[3].subject
    _person_rates(page, link, code, found)
    rating = CaseRating.objects.get(case=case)
    assert (rating.score, rating.resolved) == (4, "partly")
    page.screenshot(path=str(artifacts / "followup-rated.png"), full_page=True)
    agent_context.close()

    # "Meus atendimentos": proving control of the e-mail lists the person's cases.
    page.goto(f"{base}/acompanhar/meus/")
    _check_axe(page, "my cases: request", found)
    page.get_by_label("Seu e-mail").fill("maria@example.com")
    page.get_by_role("button", name="Enviar link de acesso").click()
    page.get_by_text("enviamos para ele um link").wait_for()
    proof = _mail_to("maria@example.com", 5)[4]
    page.goto(re.search(r"https?://\S+/acompanhar/meus/\S+/", proof.body).group(0))
    page.get_by_role("link", name=protocol).wait_for()
    _check_axe(page, "my cases: list", found)
    assert not found, found


def test_chatbot_case_closes_the_loop(
    page, browser, live_server, agency, tmp_path, monkeypatch, settings
):
    from balcao.bot import services as bot
    from balcao.cases.models import Case, CaseRating

    _agent, device = agency
    base = live_server.url
    found: dict[str, list] = {}
    monkeypatch.setattr(bot, "staffed_now", lambda now=None: False)
    # The engine over the published base is built (and calibrated) on the first question;
    # built here, in the live server's process, so that the page's wait is for the answer
    # only (with the suite's other worker busy, build and answer once took over 15 s).
    bot.get_bot()

    page.goto(f"{base}/chatbot/")
    page.get_by_role("textbox").first.fill("qual a previsão do tempo amanhã?")
    page.keyboard.press("Enter")
    page.get_by_label("Nome").fill("João Souza")
    page.get_by_label("E-mail").fill("joao@example.com")
    page.get_by_role("button", name=re.compile("Abrir")).click()
    page.locator("#chat-turns").get_by_role("link", name="Acompanhar atendimento").wait_for()
    [ack] = _mail_to("joao@example.com", 1)
    assert "Prazo de resposta" in ack.body
    code, link = _code_and_link(ack)
    protocol = re.search(r"protocolo=(\S+)", link).group(1)
    case = Case.objects.get(protocol=protocol)
    assert case.due_at is not None

    agent_context = browser.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
    agent_page = agent_context.new_page()
    agent_page.set_default_timeout(15_000)
    _login(agent_page, base, device)
    _agent_takes_and_asks(agent_page, base, protocol)
    _person_replies_with_a_file(page, link, code, tmp_path, found)
    _clock_resumed(case)
    _agent_answers_and_closes(agent_page, "A previsão não é assunto do INPI; veja o INMET.")
    _person_rates(page, link, code, found)
    assert CaseRating.objects.filter(case=case).exists()
    agent_context.close()
    assert not found, found
