"""Conecta Todos pages (issue 25): the portal's sessions and sign-up, the cancel link, and
the console's sessions and attendance, with who may see them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache

from balcao.catalog.models import Channel
from balcao.scheduling import services
from balcao.scheduling.models import OpenSession, Registration
from tests.scheduling.conftest import ics_of

pytestmark = pytest.mark.django_db

PAGE = "/canais/conecta-todos/agendamento/"


@pytest.fixture(autouse=True)
def _room_to_submit(settings):
    settings.BALCAO_PUBLIC_FORM_RATE = "100/m"
    cache.clear()


def test_the_page_lists_sessions_with_seats_or_waiting_list(client, make_session):
    open_one = make_session(capacity=3)
    full = make_session(capacity=0, ahead=timedelta(days=8))
    page = client.get(PAGE).content.decode()
    assert "3 vagas" in page
    assert "Lotada: lista de espera" in page
    assert f'value="{open_one.pk}"' in page and f'value="{full.pk}"' in page
    assert '<label for="id_email">' in page


def test_signing_up_shows_the_confirmation_and_sends_the_invitation(
    client, make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PAGE,
            {"session": session.pk, "name": "Ana", "email": "ana@example.com", "subject": "Marca"},
        )
    assert response.status_code == 200
    assert "está confirmada" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"] and ics_of(message)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(
            PAGE,
            {"session": session.pk, "name": "Bia", "email": "bia@example.com", "subject": "Marca"},
        )
    assert "lista de espera" in second.content.decode()
    assert Registration.objects.get(email="bia@example.com").status == "waiting"


def test_errors_are_announced(client, make_session):
    session = make_session()
    response = client.post(
        PAGE, {"session": session.pk, "name": "Ana", "email": "ana@", "subject": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert 'id="id_email_error"' in page and 'id="id_subject_error"' in page
    assert not Registration.objects.exists()


def test_the_presential_channel_gets_the_request_form(client, conecta):
    Channel.objects.create(
        slug="telepresencial",
        name="Serviço de Atendimento (Tele)Presencial",
        kind=Channel.Kind.SCHEDULING,
        entry=Channel.Entry.SCHEDULING,
        hours=Channel.Hours.APPOINTMENT,
    )
    page = client.get("/canais/telepresencial/agendamento/").content.decode()
    assert "Documento de identificação" in page and "art. 33" in page
    assert "Inscrever-me" not in page
    assert "Não há sessões publicadas" in client.get(PAGE).content.decode()


def test_the_cancel_link(client, make_session, django_capture_on_commit_callbacks):
    session = make_session(capacity=1)
    ana = services.do_register(session, "Ana", "ana@example.com", "Marca")
    bia = services.do_register(session, "Bia", "bia@example.com", "Marca")
    wrong = client.get("/agendamento/cancelar/nao-existe/")
    assert wrong.status_code == 404
    assert "link de cancelamento não é válido" in wrong.content.decode()
    assert client.post("/agendamento/cancelar/nao-existe/").status_code == 404
    url = f"/agendamento/cancelar/{ana.cancel_token}/"
    shown = client.get(url).content.decode()
    assert "Cancelar a inscrição" in shown and "Ana" in shown
    ana.refresh_from_db()
    assert ana.status == "confirmed"  # GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)
    assert "Inscrição cancelada" in done.content.decode()
    assert Registration.objects.get(pk=bia.pk).status == "confirmed"
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "bia@example.com"]


CONSOLE = "/console/agendamento/"


def test_console_pages_need_login_and_a_role(client, staff, verified_client, make_session):
    session = make_session()
    detail = f"{CONSOLE}{session.pk}/"
    for url in (CONSOLE, detail):
        response = client.get(url)
        assert response.status_code == 302 and "/conta/entrar/" in response["Location"]
    allowed = {"agent", "supervisor", "ombudsman", "manager", "admin"}
    for role, user in staff.items():
        logged = verified_client(user)
        for url in (CONSOLE, detail):
            assert logged.get(url).status_code == (200 if role in allowed else 403), (role, url)
        logged.logout()


def test_supervisors_publish_from_the_console_and_agents_may_not(staff, verified_client, conecta):
    form = {
        "channel": conecta.pk,
        "first": "2027-04-19",
        "last": "2027-04-23",
        "times": "10:00, 14:00",
        "capacity": "25",
        "pattern": "https://video.example.gov.br/{room}",
        "hosts": [staff["agent"].pk],
    }
    agent = verified_client(staff["agent"])
    assert "Publicar sessões" not in agent.get(CONSOLE).content.decode()
    assert agent.post(CONSOLE, form).status_code == 403
    agent.logout()
    supervisor = verified_client(staff["supervisor"])
    assert "Publicar sessões" in supervisor.get(CONSOLE).content.decode()
    response = supervisor.post(CONSOLE, form, follow=True)
    assert "8 sessão(ões) publicada(s)." in response.content.decode()
    sessions = OpenSession.objects.all()
    assert sessions.count() == 8  # 21 April (Tiradentes) left out
    assert all(s.video_url.startswith("https://video.example.gov.br/") for s in sessions)
    assert date(2027, 4, 21) not in {s.starts_at.date() for s in sessions}
    bad = supervisor.post(CONSOLE, {**form, "times": "10h"})
    assert bad.status_code == 400 and "Horário inválido" in bad.content.decode()


def test_hosts_mark_attendance_on_the_session_page(staff, verified_client, make_session):
    session = make_session(capacity=1)
    ana = services.do_register(session, "Ana", "ana@example.com", "Marca")
    services.do_register(session, "Bia", "bia@example.com", "Patente")
    agent = verified_client(staff["agent"])
    page = agent.get(f"{CONSOLE}{session.pk}/").content.decode()
    assert re.search(r'id="count-waiting">1<', page)
    assert "Bia (bia@example.com)" in page
    agent.post(
        f"{CONSOLE}{session.pk}/",
        {f"attended-{ana.pk}": "yes", f"questions-{ana.pk}": "Prazo de oposição."},
    )
    ana.refresh_from_db()
    assert ana.attended is True and ana.questions == "Prazo de oposição."
    page = agent.get(f"{CONSOLE}{session.pk}/").content.decode()
    assert re.search(r'id="count-attended">1<', page)
