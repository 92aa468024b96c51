"""The console's case page in a browser: a canned answer goes into the reply with the
picker, the reply and the state change go in one step; axe-core finds no WCAG 2.1 A/AA
violation on the case page (picker open, form with an error) nor on the canned answers
pages."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group

from tests.e2e.test_accessibility import AXE, axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(django_user_model):
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci` (make install)")
    from balcao.accounts.permissions import SYSTEM
    from balcao.cases import services
    from balcao.cases.models import Requester, Team, TeamMembership, Workflow
    from balcao.catalog.models import Channel
    from balcao.kb.models import Article, CannedAnswer

    channel = Channel.objects.create(
        slug="sic",
        name="SIC",
        kind="form",
        workflow=Workflow.objects.get(slug="helpdesk"),
        deadline_policy="lai",
    )
    team = Team.objects.create(slug="sac", name="SAC", strategy=Team.Strategy.MANUAL)
    user = django_user_model.objects.create_user(username="sara.sup", password="x-123456789")
    user.groups.add(Group.objects.get(name="supervisor"))
    TeamMembership.objects.create(team=team, user=user)
    CannedAnswer.objects.create(
        title="Prazo da GRU", body="A GRU leva até 2 dias úteis para ser compensada.", team=team
    )
    Article.objects.create(
        slug="gru",
        question="Como pagar a GRU?",
        answer="Pague em qualquer banco.",
        state="published",
    )
    person = Requester.objects.create(name="Maria", email="maria@example.com")
    earlier = services.do_open_case(
        channel=channel, subject="Pedido anterior", requester=person, actor=SYSTEM
    )
    case = services.do_open_case(
        channel=channel, subject="Dúvida sobre a GRU", requester=person, team=team, actor=SYSTEM
    )
    return {"user": user, "case": case, "earlier": earlier}


def _log_in(page, live_server, user) -> None:
    """A verified (2FA) session made on the server side, handed to the browser."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "url": live_server.url}]
    )


def test_case_page_canned_answer_into_the_reply_and_axe(page, live_server, world, artifacts):
    base, case = live_server.url, world["case"]
    _log_in(page, live_server, world["user"])
    found: dict[str, list[dict]] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        found[name] = axe_violations(page)

    page.goto(f"{base}/console/atendimentos/{case.pk}/")
    page.get_by_role("heading", name="Outros atendimentos do requerente").wait_for()
    assert page.get_by_role("link", name=world["earlier"].protocol).count() == 1
    assert page.get_by_role("heading", name="Prorrogar prazo").count() == 1  # LAI admits one
    assert page.get_by_role("button", name="Atribuir a mim").count() == 1
    check("case page")

    page.get_by_text("Respostas prontas e base de conhecimento").click()
    insert = page.locator("#answer-picker button[data-insert-text]").first
    insert.wait_for(state="visible")  # shown by console-case.js
    check("case page with the answer picker open")
    page.get_by_label("Mensagem").fill("Olá, Maria.")
    insert.click()
    body = page.get_by_label("Mensagem")
    assert body.input_value() == ("Olá, Maria.\n\nA GRU leva até 2 dias úteis para ser compensada.")
    assert page.evaluate("() => document.activeElement.id") == "reply-body"
    assert page.locator("#answer-picker-status").inner_text() == "Texto inserido na resposta."

    # "Aguardando o requerente" needs the request itself: marked required once chosen.
    page.get_by_label("E mudar a situação para…").select_option(label="Aguardando o requerente")
    assert page.locator("#reply-reason_required").is_visible()
    assert page.locator("#reply-reason").evaluate("el => el.required")
    page.get_by_role("button", name="Enviar resposta", exact=True).click()
    page.locator("#reply-reason_error").wait_for()
    assert page.locator("#reply-reason").get_attribute("aria-invalid") == "true"
    assert "A GRU leva até 2 dias úteis" in page.get_by_label("Mensagem").input_value()
    check("case page with a refused reply")

    page.get_by_label("Motivo da mudança").fill("Envie o comprovante de pagamento.")
    page.get_by_role("button", name="Enviar resposta", exact=True).click()
    page.get_by_text("Resposta enviada.").wait_for()
    assert page.locator("#case-state").inner_text() == "Aguardando o requerente"
    page.screenshot(path=str(artifacts / "console-case-page.png"), full_page=True)

    page.get_by_role("link", name="Respostas prontas", exact=True).click()
    page.get_by_role("heading", name="Prazo da GRU").wait_for()
    check("canned answers")
    page.get_by_role("link", name="Nova resposta pronta").click()
    page.get_by_role("button", name="Salvar").click()
    page.locator("#canned-title_error").wait_for()
    check("canned answer form with errors")

    # Opening a case: the acknowledgement is ticked once there is an e-mail to send it to.
    page.goto(f"{base}/console/atendimentos/novo/")
    box = page.get_by_label("Enviar confirmação ao requerente")
    assert not box.is_checked()
    page.get_by_label("E-mail do requerente").fill("maria@example.com")
    assert box.is_checked()
    check("new case")

    (artifacts / "axe-case-page.json").write_text(json.dumps(found, indent=2, ensure_ascii=False))
    failing = {name: v for name, v in found.items() if v}
    assert not failing, json.dumps(failing, indent=2, ensure_ascii=False)
