"""A denúncia with identity preserved, end to end in Debian's chromium (issue 21, "Done
means"): a person files it on the portal and follows it with protocol + code; the ombudsman
triages it and forwards a pseudonymised copy; the unit answers without ever seeing who filed
it; the ombudsman answers the person, who reads the answer and rates it. axe-core checks the
new pages on the way."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.e2e.test_accessibility import AXE, axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME, EMAIL = "Joana Prudente Valadares", "joana.valadares@example.org"
PASSWORD = "senha-de-teste-123"  # noqa: S105 — a test account's


@pytest.fixture
def agency(db, live_server, settings):
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci` (make install)")
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from balcao.accounts.models import User
    from balcao.cases.models import Team, TeamMembership
    from balcao.demo.services import load_demo

    settings.BALCAO_BASE_URL = live_server.url
    cache.clear()
    load_demo(cases=0)
    people = {}
    for username, role in (("olga.ouvidora", "ombudsman"), ("ulisses.unidade", "agent")):
        user = User.objects.create_user(username=username, password=PASSWORD)
        user.groups.add(Group.objects.get(name=role))
        people[username] = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    unit = Team.objects.create(slug="dimar", name="DIMAR", strategy=Team.Strategy.MANUAL)
    TeamMembership.objects.create(team=unit, user=User.objects.get(username="ulisses.unidade"))
    return people


def _login(page, base, username, device) -> None:
    from django_otp.oath import totp

    device.refresh_from_db()
    device.last_t = -1
    device.save(update_fields=["last_t"])
    page.goto(f"{base}/conta/entrar/")
    page.get_by_label("Usuário").fill(username)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_label("Código de verificação").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("heading", name="Atendimentos").wait_for()


def _staff_page(browser, base, username, device):
    context = browser.new_context(locale="pt-BR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login(page, base, username, device)
    return context, page


def _check_axe(page, where: str, found: dict) -> None:
    violations = axe_violations(page)
    if violations:
        found[where] = violations


def test_a_preserved_denuncia_goes_to_a_unit_that_never_learns_who_filed_it(
    page, browser, live_server, agency, artifacts
):
    from balcao.cases.models import Case, CaseRating
    from balcao.ombudsman.models import Forwarding

    base = live_server.url
    found: dict[str, list] = {}

    # 1. The person files a denúncia with identity preserved.
    page.goto(f"{base}/canais/ouvidoria/")
    page.locator("label", has_text="Denúncia").first.click()
    page.locator("label", has_text="Com identidade preservada").click()
    page.get_by_label("Nome completo").fill(NAME)
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Assunto").fill("Constrangimento na divisão")
    page.get_by_label("Descrição").fill(
        f"Eu, {NAME}, fui constrangida pelo chefe da DIMAR na frente da equipe. "
        f"Respondam para {EMAIL}."
    )
    page.get_by_role("button", name="Enviar").click()
    protocol = page.locator("#protocol").inner_text()
    [ack] = [m for m in mail.outbox if EMAIL in m.to]
    code = re.search(r"Código de acesso: (\S+)", ack.body).group(1)
    link = re.search(r"(https?://\S+/acompanhar/\?protocolo=\S+)", ack.body).group(1)

    # 2. The ombudsman finds it, triages it and forwards a pseudonymised copy.
    om_context, om = _staff_page(browser, base, "olga.ouvidora", agency["olga.ouvidora"])
    om.goto(f"{base}/console/")
    om.get_by_role("link", name=protocol).click()
    facts = om.locator("dl.case-facts").inner_text()
    assert "Identidade preservada" in facts and NAME not in facts
    om.get_by_text("Admitida", exact=True).click()
    om.get_by_label(re.compile(r"^Motivo \(obrigatório\)")).fill(
        "Fatos descritos; unidade identificada."
    )
    om.get_by_role("button", name="Registrar triagem").click()
    om.get_by_text("Triagem registrada.").wait_for()
    om.get_by_text("Encaminhar a uma unidade (cópia pseudonimizada)").click()
    copy = om.get_by_label(re.compile(r"^Relato \(cópia pseudonimizada\)")).input_value()
    assert "Joana" not in copy and EMAIL not in copy and "chefe da DIMAR" in copy
    _check_axe(om, "case page: forward form open", found)
    om.get_by_label(re.compile(r"^Unidade")).select_option(label="DIMAR")
    om.get_by_label("O que se pede à unidade").fill("Apurar os fatos e informar as providências.")
    om.get_by_role("button", name="Encaminhar", exact=True).click()
    om.get_by_text("Encaminhado à unidade DIMAR (cópia pseudonimizada).").wait_for()

    # 3. The unit reads the copy and answers the ombudsman, never seeing who filed it.
    unit_context, unit = _staff_page(browser, base, "ulisses.unidade", agency["ulisses.unidade"])
    unit.goto(f"{base}/console/encaminhamentos/")
    _check_axe(unit, "forwardings", found)
    unit.get_by_role("link", name="Constrangimento na divisão").click()
    _check_axe(unit, "forwarding", found)
    seen = unit.content()
    for identifier in ("Joana", "Valadares", EMAIL, protocol):
        assert identifier not in seen, identifier
    assert "chefe da DIMAR" in seen
    case = Case.objects.get(protocol=protocol)
    assert unit.goto(f"{base}/console/atendimentos/{case.pk}/").status == 404
    unit.go_back()
    unit.get_by_label(re.compile(r"^Resposta da unidade")).fill(
        "Chefia ouvida; apuração disciplinar aberta."
    )
    unit.get_by_role("button", name="Enviar à Ouvidoria").click()
    unit.get_by_text("Resposta enviada à Ouvidoria.").wait_for()
    assert Forwarding.objects.get(case=case).answered_at is not None
    unit_context.close()

    # 4. The ombudsman reviews the unit's answer and answers the person.
    om.reload()
    assert "apuração disciplinar aberta" in om.locator(".forwardings").inner_text()
    om.get_by_label("Mensagem").fill(
        "A unidade apurou os fatos e abriu procedimento disciplinar. Obrigado por nos avisar."
    )
    om.get_by_role("button", name="Enviar resposta", exact=True).click()
    om.get_by_text("Resposta enviada.").wait_for()
    om.get_by_label("Nova situação").select_option(label="Resolvido")
    om.get_by_role("button", name="Mudar situação").click()
    om.get_by_text("Situação alterada.").wait_for()
    om_context.close()

    # 5. The person reads the answer with protocol + code and rates the service.
    page.goto(link)
    page.get_by_label("Código de acesso").fill(code)
    page.get_by_role("button", name="Abrir atendimento").click()
    page.get_by_text("abriu procedimento disciplinar").wait_for()
    page.get_by_role("heading", name="Avalie o atendimento").wait_for()
    page.locator("label", has_text="5 — Muito bom").click()
    page.locator("label", has_text="Sim").first.click()
    page.get_by_role("button", name="Enviar avaliação").click()
    page.get_by_text("Obrigado pela sua avaliação!").wait_for()
    rating = CaseRating.objects.get(case=case)
    assert (rating.score, rating.resolved) == (5, "yes")
    page.screenshot(path=str(artifacts / "ombudsman-journey-rated.png"), full_page=True)
    assert not found, found
