"""A person signs up for a Conecta Todos session on the portal, in Debian's chromium, and
receives the invitation with its .ics (issue 25, "Done means")."""

from __future__ import annotations

import shutil
import threading
from datetime import timedelta

import icalendar
import pytest

from tests.scheduling.conftest import ics_of

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def in_browser(steps) -> None:
    """Run ``steps(page)`` in Debian's chromium in a thread of its own (Playwright's event
    loop stays out of the test's thread, where the ORM runs)."""
    if not shutil.os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (scripts/ensure-chromium.sh)")
    failure: list[BaseException] = []

    def target():
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                try:
                    page = browser.new_context(locale="pt-BR").new_page()
                    page.set_default_timeout(15_000)
                    steps(page)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the browser did not finish"
    if failure:
        raise failure[0]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_person_signs_up_and_gets_the_invitation(live_server, conecta, make_session, settings):
    from django.core import mail

    from balcao.scheduling.models import Registration

    settings.BALCAO_PUBLIC_FORM_RATE = "100/m"
    session = make_session(capacity=10, ahead=timedelta(days=5))
    make_session(capacity=10, ahead=timedelta(days=6))
    mail.outbox.clear()
    url = f"{live_server.url}/canais/conecta-todos/agendamento/"
    seen = {}

    def steps(page):
        page.goto(url)
        page.get_by_role("heading", name="Próximas sessões").wait_for()
        radio = page.locator(f'input[name="session"][value="{session.pk}"]')
        page.locator(f'label[for="{radio.get_attribute("id")}"]').click()  # as a person does
        assert radio.is_checked()
        page.get_by_label("Nome").fill("Ana Souza")
        page.get_by_label("E-mail").fill("ana.souza@example.com")
        page.get_by_label("Assunto").fill("Como acompanhar meu pedido de marca?")
        page.get_by_role("button", name="Inscrever-me").click()
        page.get_by_role("heading", name="Inscrição recebida").wait_for()
        seen["status"] = page.locator("#registration-status").inner_text()

    in_browser(steps)

    assert "está confirmada" in seen["status"]
    registration = Registration.objects.get(email="ana.souza@example.com")
    assert registration.session_id == session.pk and registration.status == "confirmed"
    (message,) = [m for m in mail.outbox if m.to == ["ana.souza@example.com"]]
    data = ics_of(message)
    assert data is not None
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("DTSTART") == session.starts_at
    assert str(event["URL"]) == session.video_url
    assert f"/agendamento/cancelar/{registration.cancel_token}/" in message.body


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_pages_pass_axe(live_server, conecta, make_session, staff, settings):
    """The sign-up page (also with errors), the confirmation, the cancel page and the two
    console pages, checked by axe-core as the portal's and console's other pages are."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from balcao.scheduling import services
    from tests.e2e.test_accessibility import AXE, axe_violations

    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci` (make install)")
    settings.BALCAO_PUBLIC_FORM_RATE = "100/m"
    session = make_session(capacity=1)
    taken = services.do_register(session, "Bia", "bia@example.com", "Patente")
    services.do_register(session, "Caio", "caio@example.com", "Marca")  # waiting list
    supervisor = staff["supervisor"]
    device = TOTPDevice.objects.create(user=supervisor, name="test", confirmed=True)
    client = Client()
    client.force_login(supervisor)
    staff_session = client.session
    staff_session["otp_device_id"] = device.persistent_id
    staff_session.save()
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    base = live_server.url
    found: dict[str, list] = {}

    def steps(page):
        page.goto(f"{base}/canais/conecta-todos/agendamento/")
        found["sign-up"] = axe_violations(page)
        page.get_by_role("button", name="Inscrever-me").click()
        page.get_by_role("alert").first.wait_for()
        found["sign-up with errors"] = axe_violations(page)
        page.goto(f"{base}/agendamento/cancelar/{taken.cancel_token}/")
        found["cancel"] = axe_violations(page)
        page.goto(f"{base}/agendamento/cancelar/nao-existe/")
        found["cancel, wrong link"] = axe_violations(page)
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base}]
        )
        page.goto(f"{base}/console/agendamento/")
        page.get_by_role("heading", name="Publicar sessões").wait_for()
        found["console sessions"] = axe_violations(page)
        page.goto(f"{base}/console/agendamento/{session.pk}/")
        page.get_by_role("heading", name="Lista de espera").wait_for()
        found["console session"] = axe_violations(page)

    in_browser(steps)
    assert set(found) == {
        "sign-up",
        "sign-up with errors",
        "cancel",
        "cancel, wrong link",
        "console sessions",
        "console session",
    }
    assert {name: v for name, v in found.items() if v} == {}
