"""The live chat's console pages (issue 24, "For the agent and the supervisor"): the agent's
desk (queue, accept within the maximum, messages with files, notes, transfer, close with a
reason) and the supervisors' live view (queue, agents' states, take over), through the
Django test client with a verified staff session."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from balcao.audit.models import PersonalDataAccess
from balcao.cases.models import Attachment, Case, Message, Team, TeamMembership
from balcao.livechat import services
from balcao.livechat.consumers import snapshot
from balcao.livechat.models import ChatSession
from tests.livechat.conftest import EXE, PDF, HeldRequest, in_browser, person_says

pytestmark = pytest.mark.django_db

DESK = reverse("console:chat_desk")
SUPERVISION = reverse("console:chat_supervision")


def start(person, channel, reason="Como emito a GRU do módulo de tributos?"):
    return services.do_start_chat(person, channel, reason=reason)


def desk_of(pk: int) -> str:
    return f"{DESK}?conversa={pk}"


def accepted(person, chat_channel, user):
    session = start(person, chat_channel)
    services.do_accept(user, session)
    session.refresh_from_db()
    return session


def test_desk_for_case_workers_and_supervision_for_supervisors(verified_client, staff):
    for role, desk_status, supervision_status in [
        ("agent", 200, 403),
        ("supervisor", 200, 200),
        ("manager", 200, 200),
        ("knowledge_manager", 403, 403),
        ("quality_manager", 403, 403),
    ]:
        client = verified_client(staff[role])
        assert client.get(DESK).status_code == desk_status, role
        assert client.get(SUPERVISION).status_code == supervision_status, role
        live = client.get(reverse("console:chat_supervision_live"))
        assert live.status_code == supervision_status, role


def test_the_desk_needs_a_verified_session(client, staff):
    client.force_login(staff["agent"])
    response = client.get(DESK)
    assert response.status_code == 302
    assert "/login" in response["Location"] or "next=" in response["Location"]


def test_queue_shows_wait_module_and_first_message_without_personal_data(
    verified_client, person, chat_channel, agent
):
    ana = agent("ana")
    session = start(person, chat_channel)
    page = verified_client(ana).get(DESK).content.decode()
    assert session.case.protocol in page
    assert "Como emito a GRU do módulo de tributos?" in page
    assert "esperando há 0:0" in page
    assert reverse("console:chat_accept", args=[session.pk]) in page
    assert person.name not in page and person.email not in page
    assert "/ws/console/chat/" in page
    assert "balcao/console-chat.js" in page


def test_accept_opens_the_conversation_and_audits_the_requester(
    verified_client, person, chat_channel, agent
):
    ana = agent("ana")
    session = start(person, chat_channel)
    client = verified_client(ana)
    response = client.post(reverse("console:chat_accept", args=[session.pk]))
    assert response.status_code == 302
    assert response["Location"] == desk_of(session.pk)
    session.refresh_from_db()
    assert session.state == ChatSession.State.ACTIVE and session.agent == ana
    assert Case.objects.get(pk=session.case_id).assignee == ana
    page = client.get(response["Location"]).content.decode()
    assert person.name in page and person.email in page
    assert 'id="chat-thread"' in page
    assert "Como emito a GRU" in page
    assert PersonalDataAccess.objects.filter(requester=person, user=ana).exists()
    # the canned replies of the knowledge base, for this conversation's case
    picker = reverse("console:case_answer_picker", args=[session.case_id])
    assert f"{picker}?into=chat-text" in page
    assert client.get(f"{picker}?into=chat-text").status_code == 200


def test_accept_is_refused_beyond_the_agents_maximum(verified_client, person, chat_channel, agent):
    ana = agent("ana", max_chats=1)
    first, second = start(person, chat_channel), start(person, chat_channel, reason="Outra")
    client = verified_client(ana)
    client.post(reverse("console:chat_accept", args=[first.pk]))
    response = client.post(reverse("console:chat_accept", args=[second.pk]), follow=True)
    assert response.redirect_chain[-1][0] == DESK
    assert "o máximo permitido" in response.content.decode()
    second.refresh_from_db()
    assert second.state == ChatSession.State.WAITING and second.agent is None
    assert "Você está no máximo de 1 conversas" in response.content.decode()


def test_paused_agent_sets_presence_and_cannot_accept(verified_client, person, chat_channel, agent):
    ana = agent("ana")
    session = start(person, chat_channel)
    client = verified_client(ana)
    assert client.post(reverse("console:chat_presence"), {"status": "paused"}).status_code == 302
    assert services.presence_of(ana).status == "paused"
    response = client.post(reverse("console:chat_accept", args=[session.pk]), follow=True)
    assert "Fique disponível" in response.content.decode()
    assert client.post(reverse("console:chat_presence"), {"status": "busy"}).status_code == 302
    assert services.presence_of(ana).status == "paused"  # busy is the system's to set


def test_send_a_message_with_a_file_and_a_refused_file(
    verified_client, person, chat_channel, agent
):
    ana = agent("ana")
    session = accepted(person, chat_channel, ana)
    client = verified_client(ana)
    url = reverse("console:chat_send", args=[session.pk])
    response = client.post(
        url,
        {"text": "Segue o formulário", "files": [SimpleUploadedFile("formulario.pdf", PDF)]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert data["message"]["text"] == "Segue o formulário"
    assert [f["name"] for f in data["message"]["files"]] == ["formulario.pdf"]
    message = Message.objects.get(pk=data["message"]["id"])
    assert message.author_user == ana and not message.internal

    before = Message.objects.filter(case=session.case).count()
    refused = client.post(
        url,
        {"text": "Outro", "files": [SimpleUploadedFile("documento.pdf", EXE)]},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["ok"] is False
    assert "documento.pdf" in refused.json()["error"]
    assert Message.objects.filter(case=session.case).count() == before
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["formulario.pdf"]

    # the plain form: a redirect when sent, the reason beside the field when refused
    plain = client.post(url, {"text": "Sem script"})
    assert plain.status_code == 302 and plain["Location"] == desk_of(session.pk)
    assert Message.objects.filter(case=session.case, body="Sem script").exists()
    empty = client.post(url, {"text": "  "})
    assert empty.status_code == 400
    assert 'id="chat-text_error"' in empty.content.decode()
    plain_refused = client.post(url, {"files": [SimpleUploadedFile("virus.pdf", EXE)]})
    assert plain_refused.status_code == 400
    assert "virus.pdf" in plain_refused.content.decode()


def test_a_note_is_internal_and_never_reaches_the_person(
    verified_client, person, chat_channel, agent
):
    ana = agent("ana")
    session = accepted(person, chat_channel, ana)
    client = verified_client(ana)
    response = client.post(
        reverse("console:chat_note", args=[session.pk]), {"text": "Pessoa já ligou antes"}
    )
    assert response.status_code == 302
    note = Message.objects.get(case=session.case, body="Pessoa já ligou antes")
    assert note.internal is True
    person_side = snapshot(session.pk, by_person=True)
    assert "Pessoa já ligou antes" not in [m["text"] for m in person_side["messages"]]
    assert "Pessoa já ligou antes" not in services.transcript_text(session)
    page = client.get(desk_of(session.pk)).content.decode()
    assert "Nota interna" in page and "Pessoa já ligou antes" in page
    assert client.post(reverse("console:chat_note", args=[session.pk]), {}).status_code == 400


def test_close_requires_a_reason(verified_client, person, chat_channel, agent):
    ana = agent("ana")
    session = accepted(person, chat_channel, ana)
    client = verified_client(ana)
    url = reverse("console:chat_close", args=[session.pk])
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400
    assert 'id="close-reason_error"' in response.content.decode()
    session.refresh_from_db()
    assert session.state == ChatSession.State.ACTIVE
    response = client.post(url, {"reason": "Dúvida esclarecida"})
    assert response.status_code == 302 and response["Location"] == DESK
    session.refresh_from_db()
    assert session.state == ChatSession.State.CLOSED
    assert session.close_reason == "Dúvida esclarecida"
    assert Case.objects.get(pk=session.case_id).state.slug == services.CONCLUDED


def test_transfer_to_an_agent_and_to_a_team(verified_client, person, chat_channel, agent):
    ana, bia = agent("ana"), agent("bia")
    session = accepted(person, chat_channel, ana)
    client = verified_client(ana)
    url = reverse("console:chat_transfer", args=[session.pk])
    neither = client.post(url, {})
    assert neither.status_code == 400
    assert "Escolha um atendente ou uma equipe." in neither.content.decode()
    assert client.post(url, {"agent": bia.pk}).status_code == 302
    session.refresh_from_db()
    assert session.agent == bia
    # no longer hers: nothing of it is reachable
    assert (
        client.post(reverse("console:chat_send", args=[session.pk]), {"text": "oi"}).status_code
        == 404
    )
    assert session.case.protocol not in client.get(desk_of(session.pk)).content.decode()

    team = Team.objects.create(slug="tributos", name="Tributos")
    TeamMembership.objects.create(team=team, user=ana)
    client = verified_client(bia)
    assert client.post(url, {"team": team.pk}).status_code == 302
    session.refresh_from_db()
    assert session.state == ChatSession.State.WAITING and session.agent is None
    assert Case.objects.get(pk=session.case_id).team == team


def test_nobody_reads_or_writes_in_anothers_conversation(
    verified_client, person, chat_channel, agent
):
    ana, bia = agent("ana"), agent("bia")
    session = accepted(person, chat_channel, ana)
    client = verified_client(bia)
    page = client.get(desk_of(session.pk)).content.decode()
    assert person.email not in page and 'id="chat-thread"' not in page
    for name in ("chat_send", "chat_note", "chat_close", "chat_transfer"):
        response = client.post(reverse(f"console:{name}", args=[session.pk]), {"text": "x"})
        assert response.status_code == 404, name
    assert client.get(reverse("console:chat_transfer", args=[session.pk])).status_code == 403


def test_supervision_lists_the_queue_and_the_agents_states(
    verified_client, person, chat_channel, agent, staff
):
    ana, bia = agent("ana"), agent("bia", max_chats=1)
    cris = agent("cris")
    services.do_set_presence(cris, "paused")
    waiting = start(person, chat_channel, reason="Aguardando")
    busy = accepted(person, chat_channel, bia)
    client = verified_client(staff["supervisor"])
    for url in (SUPERVISION, reverse("console:chat_supervision_live")):
        page = client.get(url).content.decode()
        assert waiting.case.protocol in page and busy.case.protocol in page
        assert 'hx-trigger="every 5s"' in page
        assert 'class="chat-agent chat-agent--available"><th scope="row">Ana' in page
        assert 'class="chat-agent chat-agent--busy"><th scope="row">Bia' in page
        assert "Ocupado</td><td>1 / 1</td>" in page
        assert 'class="chat-agent chat-agent--paused"><th scope="row">Cris' in page
        assert person.name not in page and person.email not in page
    assert ana  # available, no conversation


def test_supervisor_takes_over_and_transfers(verified_client, person, chat_channel, agent, staff):
    ana, bia = agent("ana"), agent("bia")
    session = accepted(person, chat_channel, ana)
    supervisor = staff["supervisor"]
    client = verified_client(supervisor)
    response = client.post(reverse("console:chat_take_over", args=[session.pk]))
    assert response.status_code == 302 and response["Location"] == desk_of(session.pk)
    session.refresh_from_db()
    assert session.agent == supervisor and session.state == ChatSession.State.ACTIVE
    assert "Conversa transferida" in Message.objects.filter(case=session.case).last().body

    transfer = reverse("console:chat_transfer", args=[session.pk])
    assert client.get(transfer).status_code == 200
    refused = client.post(transfer, {"origem": "supervisao"})
    assert refused.status_code == 400
    assert "Escolha um atendente ou uma equipe." in refused.content.decode()
    response = client.post(transfer, {"origem": "supervisao", "agent": bia.pk})
    assert response.status_code == 302 and response["Location"] == SUPERVISION
    session.refresh_from_db()
    assert session.agent == bia

    # agents do not take over
    agent_client = verified_client(ana)
    take = agent_client.post(reverse("console:chat_take_over", args=[session.pk]))
    assert take.status_code == 403


# --- the desk live, in a browser ---------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_desk_is_live_over_the_websocket(asgi_server, person, chat_channel, agent):
    from django.conf import settings

    from tests.livechat.test_consumers import person_cookie, staff_cookie

    ana = agent("ana")
    session = accepted(person, chat_channel, ana)
    agent_key, person_key = staff_cookie(ana), person_cookie(person.email)
    origin = f"http://{asgi_server}"

    def steps(page):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": agent_key, "url": origin}]
        )
        sockets = []  # (page side, server side) of each console socket the page opens

        def through(route):
            sockets.append((route, route.connect_to_server()))

        page.route_web_socket("**/ws/console/chat/", through)
        page.goto(origin + desk_of(session.pk))
        page.locator("#chat-socket-status").filter(has_text="Ao vivo: conectado.").wait_for()

        # the person types, then writes: the agent sees both without reloading
        person_says(asgi_server, session.token, person_key, {"type": "typing"})
        page.locator("#chat-typing").filter(has_text="digitando").wait_for()
        person_says(
            asgi_server, session.token, person_key, {"type": "message", "text": "Ainda está aí?"}
        )
        page.locator("#chat-thread li", has_text="Ainda está aí?").wait_for()

        # a message with a file through the script, then a refused file
        page.fill("#chat-text", "Segue o formulário")
        page.set_input_files(
            "#chat-files",
            files=[{"name": "formulario.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        page.click("#chat-message-form button[type=submit]")
        sent = page.locator("#chat-thread li", has_text="Segue o formulário")
        sent.wait_for()
        page.wait_for_timeout(500)  # the socket's echo arrives too: shown once
        assert sent.count() == 1
        assert sent.locator("a", has_text="formulario.pdf").count() == 1
        assert page.input_value("#chat-text") == ""
        page.fill("#chat-text", "Outro")
        page.set_input_files(
            "#chat-files",
            files=[{"name": "virus.pdf", "mimeType": "application/pdf", "buffer": EXE}],
        )
        page.click("#chat-message-form button[type=submit]")
        page.locator("#chat-send-error").filter(has_text="virus.pdf").wait_for()

        # the socket drops; what the person says meanwhile shows once it is back
        for side in sockets[-1]:
            side.close()
        page.locator("#chat-socket-status").filter(has_text="tentando de novo").wait_for()
        person_says(
            asgi_server, session.token, person_key, {"type": "message", "text": "Caiu a linha?"}
        )
        page.locator("#chat-thread li", has_text="Caiu a linha?").wait_for()
        page.locator("#chat-socket-status").filter(has_text="Ao vivo: conectado.").wait_for()
        # reconnected (more than once when a try meets SQLite's shared in-memory test database
        # locked by the person's thread: the script keeps trying, as it should)
        assert len(sockets) >= 2

    in_browser(steps)
    bodies = set(Message.objects.filter(case=session.case).values_list("body", flat=True))
    assert {"Ainda está aí?", "Segue o formulário", "Caiu a linha?"} <= bodies
    assert "Outro" not in bodies


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_desk_keeps_the_next_message_typed_while_the_last_one_travels(
    asgi_server, person, chat_channel, agent
):
    """The agent types the next message before the server has answered the last one: the
    answer empties the box only when it still holds what was sent, and empties the file
    picker. The send is held in the browser until the next text is typed."""
    from django.conf import settings

    from tests.livechat.test_consumers import staff_cookie

    ana = agent("ana")
    session = accepted(person, chat_channel, ana)
    agent_key, send_url = staff_cookie(ana), reverse("console:chat_send", args=[session.pk])
    origin = f"http://{asgi_server}"
    seen = {}

    def steps(page):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": agent_key, "url": origin}]
        )
        page.goto(origin + desk_of(session.pk))
        page.locator("#chat-socket-status").filter(has_text="Ao vivo: conectado.").wait_for()
        held = HeldRequest(page, f"**{send_url}")
        page.fill("#chat-text", "Segue o formulário")
        page.set_input_files(
            "#chat-files",
            files=[{"name": "formulario.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        page.click("#chat-message-form button[type=submit]")
        held.wait()
        page.fill("#chat-text", "E o prazo é de 60 dias")
        held.release()
        page.locator("#chat-thread li", has_text="Segue o formulário").wait_for()
        page.locator("#chat-message-form button[type=submit]:enabled").wait_for()
        seen["kept"] = page.input_value("#chat-text")
        seen["files"] = page.eval_on_selector("#chat-files", "input => input.files.length")

    in_browser(steps)
    assert seen == {"kept": "E o prazo é de 60 dias", "files": 0}
    sent = Message.objects.filter(case_id=session.case_id).order_by("pk").last()
    assert sent.body == "Segue o formulário"
    assert sent.attachments.count() == 1
