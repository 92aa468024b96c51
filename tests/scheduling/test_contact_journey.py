"""In Debian's chromium (issue 25, "Done means"): an agent sends a direct-contact message to a
user who has a procurador, and the e-mail goes to the procurador only, from the unit's
address; the direct-contact pages pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.scheduling.test_journey import in_browser
from tests.scheduling.test_presential_journey import staff_cookie


@pytest.fixture
def unit_hypothesis(presencial, staff):
    from balcao.cases.models import Team, TeamMembership
    from balcao.scheduling.models import ContactUnit, Hypothesis

    team = Team.objects.create(slug="patentes", name="Diretoria de Patentes")
    TeamMembership.objects.create(team=team, user=staff["agent"])
    unit = ContactUnit.objects.create(
        team=team, email="patentes@inpi.example", channel=presencial, signature="DIRPA"
    )
    return Hypothesis.objects.create(
        unit=unit,
        title="Documento ilegível em resposta a exigência",
        requirements="Exigência técnica publicada; documento de resposta ilegível.",
        preceito="No processo {processo}, de {titular}, o documento está ilegível.",
        premissa="Regularizar o processo antes do fim do prazo.",
        conclusao="Podemos explicar em um atendimento. Melhores horários: {horarios}.",
    )


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_agent_writes_and_only_the_procurador_gets_it(
    live_server, unit_hypothesis, procurador_requester, staff, settings
):
    from django.core import mail

    from balcao.scheduling.models import DirectContact

    mail.outbox.clear()
    base = live_server.url
    key = staff_cookie(staff["agent"], settings)
    seen: dict[str, str] = {}

    def steps(page):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base}]
        )
        page.goto(f"{base}/console/contato-direto/")
        page.get_by_label("Hipótese").select_option(str(unit_hypothesis.pk))
        page.get_by_label("Número do processo").fill("BR 10 2024 000123-4")
        page.get_by_label("Titular (e-mail ou CPF no cadastro)").fill("titular@example.org")
        page.get_by_role("button", name="Preencher com o modelo").click()
        expect(page.locator("#id_preceito")).to_have_value(re.compile("Maria Titular"))
        page.get_by_role("button", name="Enviar a mensagem").click()
        page.locator("#contact-recipient").wait_for()
        seen["recipient"] = page.locator("#contact-recipient").inner_text()

    in_browser(steps)
    assert "Paulo Procurador" in seen["recipient"] and "procurador" in seen["recipient"]
    sent = DirectContact.objects.get()
    assert sent.case.due_at is not None
    assert [m.to for m in mail.outbox] == [["procurador@example.org"]]
    (message,) = mail.outbox
    assert message.from_email == "patentes@inpi.example"
    assert "No processo BR 10 2024 000123-4, de Maria Titular" in message.body
    assert "titular@example.org" not in str(message.message())


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_contact_pages_pass_axe(
    live_server, unit_hypothesis, procurador_requester, staff, settings
):
    from balcao.scheduling import contact
    from tests.e2e.test_accessibility import AXE, axe_violations

    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci` (make install)")
    sent = contact.do_send_direct_contact(
        hypothesis=unit_hypothesis, holder=procurador_requester, process="BR 1", preceito="a",
        premissa="b", conclusao="c", actor=staff["agent"],
    )  # fmt: skip
    key = staff_cookie(staff["agent"], settings)
    base = live_server.url
    found: dict[str, list] = {}

    def steps(page):
        page.goto(f"{base}/contato-direto/")
        found["hypotheses"] = axe_violations(page)
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base}]
        )
        page.goto(f"{base}/console/contato-direto/")
        found["console contacts"] = axe_violations(page)
        page.goto(f"{base}/console/contato-direto/{sent.pk}/")
        found["console contact"] = axe_violations(page)

    in_browser(steps)
    assert len(found) == 3
    assert {name: v for name, v in found.items() if v} == {}
