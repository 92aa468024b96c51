"""In Debian's chromium (issue 25, "Done means"): a person requests a (tele)presential
session on the portal, a unit accepts it in the console and offers slots, the person picks
one from the link e-mailed to them and receives the confirmation with its .ics; the pages
pass axe."""

from __future__ import annotations

import re

import icalendar
import pytest

from tests.scheduling.conftest import ics_of
from tests.scheduling.test_journey import in_browser
from tests.scheduling.test_presential import add_representatives, working_slots


def staff_cookie(user, settings) -> str:
    """The session key of a 2FA-verified console login for ``user``."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_request_accept_pick_and_confirm(live_server, presencial, staff, settings):
    from django.core import mail

    from balcao.scheduling.models import SessionRequest

    settings.BALCAO_PUBLIC_FORM_RATE = "100/m"
    mail.outbox.clear()
    base = live_server.url
    key = staff_cookie(staff["agent"], settings)
    slots = working_slots(2)
    seen: dict[str, str] = {}

    def person_requests(page):
        page.goto(f"{base}/canais/telepresencial/agendamento/")
        page.get_by_role("button", name="Enviar pedido").click()  # incomplete: refused
        page.get_by_role("alert").first.wait_for()
        seen["refused"] = page.get_by_role("alert").first.inner_text()
        page.locator("#id_name").fill("Ana Souza")
        page.get_by_label("Documento de identificação").fill("RG 12.345.678-9 SSP/SP")
        page.locator("#id_email").fill("ana.souza@example.com")
        page.get_by_label("Assunto a ser abordado").fill("Exigência técnica no pedido")
        page.get_by_label("Ato ou processo administrativo").fill("BR 10 2024 000123-4")
        page.get_by_label("Por que o assunto precisa").fill("Preciso de vista do processo.")
        page.locator('label[for="id_has_companions_0"]').click()  # as a person does
        page.get_by_role("button", name="Enviar pedido").click()
        page.get_by_text("Protocolo").first.wait_for()
        seen["confirmation"] = page.content()

    in_browser(person_requests)
    assert "incompleto" in seen["refused"]
    session_request = SessionRequest.objects.get()
    assert session_request.case.protocol in seen["confirmation"]
    add_representatives(session_request, staff)

    def unit_accepts(page):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base}]
        )
        page.goto(f"{base}/console/agendamento/atendimento/{session_request.pk}/")
        page.get_by_label("Modalidade").select_option("remote")
        for number, start in enumerate(slots, start=1):
            page.get_by_label(f"Horário {number}").fill(start.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_role("button", name="Aceitar e enviar os horários").click()
        page.locator("#request-status").wait_for()
        seen["status"] = page.locator("#request-status").inner_text()

    in_browser(unit_accepts)
    assert seen["status"] == "Horários oferecidos"
    offer = next(m for m in mail.outbox if "Escolha um dos horários" in m.body)
    link = re.search(r"https?://\S+/agendamento/sessao/\S+/", offer.body).group(0)
    path = link[link.index("/agendamento/") :]

    def person_picks(page):
        page.goto(f"{base}{path}")
        page.get_by_role("heading", name="Escolha um horário").wait_for()
        second = page.locator('input[name="slot"]').nth(1).get_attribute("id")
        page.locator(f'label[for="{second}"]').click()
        page.get_by_role("button", name="Confirmar este horário").click()
        page.locator("#session-status").wait_for()
        seen["picked"] = page.locator("#session-status").inner_text()

    in_browser(person_picks)
    assert seen["picked"] == "Confirmada"
    session_request.refresh_from_db()
    assert session_request.starts_at == slots[1]
    (confirmation,) = [m for m in mail.outbox if ics_of(m)]
    assert confirmation.to == ["ana.souza@example.com"]
    (event,) = icalendar.Calendar.from_ical(ics_of(confirmation)).walk("VEVENT")
    assert event.decoded("DTSTART") == slots[1]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_presential_pages_pass_axe(live_server, make_request, staff, settings):
    from balcao.scheduling import presential
    from tests.e2e.test_accessibility import AXE, axe_violations

    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci` (make install)")
    settings.BALCAO_PUBLIC_FORM_RATE = "100/m"
    offered = make_request()
    presential.do_accept(offered, working_slots(2), mode="remote", actor=staff["agent"])
    in_triage = make_request()
    key = staff_cookie(staff["agent"], settings)
    base = live_server.url
    found: dict[str, list] = {}

    def steps(page):
        page.goto(f"{base}/canais/telepresencial/agendamento/")
        found["request"] = axe_violations(page)
        page.get_by_role("button", name="Enviar pedido").click()
        page.get_by_role("alert").first.wait_for()
        found["request with errors"] = axe_violations(page)
        page.goto(f"{base}/agendamento/sessao/{offered.token}/")
        found["pick a slot"] = axe_violations(page)
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base}]
        )
        page.goto(f"{base}/console/agendamento/atendimentos/")
        found["console requests"] = axe_violations(page)
        page.goto(f"{base}/console/agendamento/atendimento/{in_triage.pk}/")
        found["console triage"] = axe_violations(page)

    in_browser(steps)
    assert len(found) == 5
    assert {name: v for name, v in found.items() if v} == {}
