"""A member of staff logs in with two factors, opens a case, replies and changes its state."""

import base64

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _code(secret_b32: str) -> str:
    return f"{totp(base64.b32decode(secret_b32)):06d}"


def _next_code(secret_b32: str) -> str:
    """A code the app shows after the one just used (a code is accepted only once)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.update(last_t=-1)  # as if the next 30-second step had come
    return _code(secret_b32)


@pytest.fixture
def agent(django_user_model):
    from balcao.cases.models import Workflow
    from balcao.catalog.models import Channel

    Channel.objects.create(
        slug="fale-conosco",
        name="Fale Conosco",
        kind="form",
        workflow=Workflow.objects.get(slug="helpdesk"),
    )
    user = django_user_model.objects.create_user(
        username="ana.agente", password="senha-de-teste-123"
    )
    user.groups.add(Group.objects.get(name="agent"))
    return user


def test_login_with_2fa_open_reply_and_change_state(page, live_server, agent, artifacts):
    from balcao.accounts import services

    # A password alone enrols nothing: an admin issues a one-time enrolment link.
    _link, raw = services.do_issue_enrolment_link(agent, via="command")
    page.goto(services.enrolment_url(raw, base_url=live_server.url))
    page.get_by_label("Senha").fill("senha-de-teste-123")
    page.get_by_role("button", name="Continuar").click()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Código de verificação").fill(_code(secret))
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("heading", name="Atendimentos").wait_for()

    # Signing in again takes username, password and the app's code in one form.
    page.get_by_role("button", name="Sair").click()
    page.goto(f"{live_server.url}/conta/entrar/")
    page.get_by_label("Usuário").fill("ana.agente")
    page.get_by_label("Senha").fill("senha-de-teste-123")
    page.get_by_label("Código de verificação").fill(_next_code(secret))
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("heading", name="Atendimentos").wait_for()

    page.get_by_role("link", name="Novo atendimento").click()
    page.get_by_label("Canal").select_option(label="Fale Conosco")
    page.get_by_label("Assunto").fill("Dúvida sobre a GRU de depósito de marca")
    page.get_by_label("Descrição", exact=True).fill("Paguei a GRU e o pedido não aparece.")
    page.get_by_role("button", name="Abrir atendimento").click()
    page.get_by_text("aberto.").wait_for()
    protocol = page.locator("h1 .protocol").inner_text()
    assert protocol.startswith("20")

    page.get_by_label("Mensagem").fill("Olá! A GRU leva até 2 dias úteis para ser compensada.")
    page.get_by_role("button", name="Enviar resposta", exact=True).click()
    page.get_by_text("Resposta enviada.").wait_for()
    assert page.get_by_text("A GRU leva até 2 dias úteis").count() == 1

    page.get_by_label("Nova situação").select_option(label="Em atendimento")
    page.get_by_role("button", name="Mudar situação").click()
    page.get_by_text("Situação alterada.").wait_for()
    assert page.locator("#case-state").inner_text() == "Em atendimento"
    page.screenshot(path=str(artifacts / "console-case.png"), full_page=True)

    from balcao.cases.models import Case

    case = Case.objects.get(protocol=protocol)
    assert case.state.slug == "em-atendimento"
    assert list(case.history.values_list("action", flat=True)) == [
        "opened",
        "message_added",
        "state_changed",
    ]
