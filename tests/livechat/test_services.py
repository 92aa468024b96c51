"""The live chat's lifecycle through its services (issue 24; seed 004)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from balcao.cases.models import Attachment, Case, Message, OutboundMail
from balcao.livechat import services
from balcao.livechat.models import ChatSession
from tests.livechat.conftest import EXE, PDF

pytestmark = pytest.mark.django_db


def start(person, channel, reason="Como emito a GRU?", **kwargs):
    return services.do_start_chat(person, channel, reason=reason, **kwargs)


def test_missing_phone_is_refused_and_says_what_to_add(person, chat_channel):
    person.phone = ""
    person.save()
    assert services.missing_contact_data(person) == ["phone"]
    with pytest.raises(services.MissingContactData) as refused:
        start(person, chat_channel)
    assert refused.value.fields == ["phone"]
    assert "telefone" in str(refused.value)
    assert "Meus Dados" in str(refused.value)
    assert not Case.objects.exists()
    assert not ChatSession.objects.exists()


def test_missing_both_names_both(person):
    person.phone = person.email = ""
    assert services.missing_contact_data(person) == ["email", "phone"]


def test_start_opens_a_case_and_queues_in_order(person, chat_channel, agent):
    first = start(person, chat_channel)
    second = start(person, chat_channel, reason="Outra dúvida")
    assert first.state == ChatSession.State.WAITING
    assert first.case.state.slug == "atendimento-nao-iniciado"
    assert first.case.priority == Case.Priority.HIGH
    assert first.case.protocol
    assert list(first.case.messages.values_list("body", "author_kind")) == [
        ("Como emito a GRU?", Message.Author.REQUESTER)
    ]
    assert services.queue_position(first) == 1
    assert services.queue_position(second) == 2
    assert list(services.waiting_sessions()) == [first, second]
    # No chat concluded this week: 5 minutes each; nobody available counts as one agent.
    assert services.estimated_wait(second) == timedelta(minutes=10)
    agent("ana")
    agent("bia")
    assert services.estimated_wait(second) == timedelta(minutes=5)


def test_estimated_wait_uses_the_mean_handling_time_of_the_week(person, chat_channel, agent):
    ana = agent("ana")
    done = start(person, chat_channel)
    done = services.do_accept(ana, done)
    ChatSession.objects.filter(pk=done.pk).update(
        state=ChatSession.State.CONCLUDED,
        accepted_at=done.accepted_at - timedelta(minutes=12),
        closed_at=done.accepted_at,
    )
    waiting = start(person, chat_channel)
    assert services.estimated_wait(waiting) == timedelta(minutes=12)


def test_accept_respects_the_maximum_and_moves_the_case(person, chat_channel, agent):
    ana = agent("ana", max_chats=1)
    first, second = start(person, chat_channel), start(person, chat_channel)
    services.do_accept(ana, first)
    first.refresh_from_db()
    first.case.refresh_from_db()
    assert first.state == ChatSession.State.ACTIVE
    assert first.agent == ana
    assert first.case.assignee == ana
    assert first.case.state.slug == "em-atendimento"
    assert ana.chat_presence.__class__.objects.get(user=ana).status == "busy"
    assert services.queue_position(second) == 1
    with pytest.raises(services.ChatRefused, match="máximo"):
        services.do_accept(ana, second)
    second.refresh_from_db()
    assert second.state == ChatSession.State.WAITING


def test_a_conversation_is_accepted_once(person, chat_channel, agent):
    ana, bia = agent("ana"), agent("bia")
    session = start(person, chat_channel)
    services.do_accept(ana, session)
    with pytest.raises(services.ChatRefused, match="já foi atendida"):
        services.do_accept(bia, session)


def test_messages_both_ways_and_unread(person, chat_channel, agent):
    ana, bia = agent("ana"), agent("bia")
    session = start(person, chat_channel)
    services.do_accept(ana, session)
    services.do_send(session, author_user=ana, text="Bom dia! Qual o processo?")
    session.refresh_from_db()
    assert services.unread_for_person(session) == 1
    assert services.unread_badge(person) == 1
    services.do_mark_read(session, by_person=True)
    session.refresh_from_db()
    assert services.unread_for_person(session) == 0
    services.do_send(session, from_person=True, text="Processo 123")
    session.refresh_from_db()
    assert services.unread_for_agent(session) == 1
    bodies = list(session.case.messages.values_list("author_kind", "body"))
    assert bodies[1:] == [
        (Message.Author.AGENT, "Bom dia! Qual o processo?"),
        (Message.Author.REQUESTER, "Processo 123"),
    ]
    # The chat is live: an agent's message is not e-mailed one by one.
    assert not OutboundMail.objects.filter(case=session.case).exists()
    # Nobody writes in (or marks) a conversation that is not theirs.
    with pytest.raises(services.ChatRefused, match="não está com você"):
        services.do_send(session, author_user=bia, text="Intrometida")
    with pytest.raises(services.ChatRefused):
        services.do_mark_read(session, by_person=False, user=bia)


def test_files_both_ways_and_an_exe_renamed_pdf_is_refused(person, chat_channel, agent):
    ana = agent("ana")
    session = start(
        person,
        chat_channel,
        files=[SimpleUploadedFile("guia.pdf", PDF, content_type="application/pdf")],
    )
    services.do_accept(ana, session)
    services.do_send(
        session,
        author_user=ana,
        text="Segue o formulário",
        files=[SimpleUploadedFile("formulario.pdf", PDF)],
    )
    before = Message.objects.filter(case=session.case).count()
    with pytest.raises(services.ChatRefused) as refused:
        services.do_send(
            session,
            from_person=True,
            text="Meu arquivo",
            files=[SimpleUploadedFile("documento.pdf", EXE, content_type="application/pdf")],
        )
    assert "documento.pdf" in str(refused.value)
    assert Message.objects.filter(case=session.case).count() == before
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == [
        "formulario.pdf",
        "guia.pdf",
    ]


def test_conclude_by_the_person_mails_the_whole_record(
    person, chat_channel, agent, django_capture_on_commit_callbacks
):
    ana = agent("ana", max_chats=1)
    session = start(person, chat_channel, files=[SimpleUploadedFile("guia.pdf", PDF)])
    services.do_accept(ana, session)
    services.do_send(session, author_user=ana, text="Emita pelo sistema de peticionamento.")
    services.do_add_note(session, author_user=ana, text="Nota só da equipe")
    with django_capture_on_commit_callbacks(execute=True):
        services.do_conclude_by_person(session)
    session.refresh_from_db()
    case = Case.objects.get(pk=session.case_id)
    assert session.state == ChatSession.State.CONCLUDED
    assert session.closed_at is not None
    assert case.state.slug == "chat-concluido-pelo-usuario"
    assert case.messages.last().author_kind == Message.Author.SYSTEM
    assert "concluiu o atendimento" in case.messages.last().body
    assert ana.chat_presence.__class__.objects.get(user=ana).status == "available"
    [sent] = [m for m in mail.outbox if "Registro do atendimento" in m.subject]
    assert sent.to == ["hauana@example.com"]
    assert case.protocol in sent.subject
    assert "Como emito a GRU?" in sent.body
    assert "Emita pelo sistema de peticionamento." in sent.body
    assert "- guia.pdf" in sent.body
    assert "Chat Concluído pelo Usuário" in sent.body
    assert "Nota só da equipe" not in sent.body
    with pytest.raises(services.ChatRefused):
        services.do_send(session, from_person=True, text="mais uma")


def test_the_person_may_conclude_while_still_waiting(person, chat_channel):
    session = start(person, chat_channel)
    services.do_conclude_by_person(session)
    session.refresh_from_db()
    assert session.case.state.slug == "chat-concluido-pelo-usuario"
    assert services.queue_position(session) == 0


def test_outside_staffed_hours_the_reason_is_left_as_a_message(person, chat_channel, monkeypatch):
    from balcao.bot import services as bot_services

    chat_channel.hours = "weekly"
    chat_channel.save()
    monkeypatch.setattr(bot_services, "staffed_now", lambda now=None: False)
    session = start(person, chat_channel, reason="Fora do horário")
    assert session.state == ChatSession.State.OFFLINE
    case = Case.objects.get(pk=session.case_id)
    assert case.state.slug == "chat-off-line"
    assert case.messages.get().body == "Fora do horário"
    assert not services.waiting_sessions().exists()


def test_agent_closes_with_a_reason(person, chat_channel, agent):
    ana = agent("ana")
    session = start(person, chat_channel)
    services.do_accept(ana, session)
    with pytest.raises(services.ChatRefused, match="motivo"):
        services.do_close_by_agent(session, ana, "")
    services.do_close_by_agent(session, ana, "Dúvida respondida")
    session.refresh_from_db()
    assert session.state == ChatSession.State.CLOSED
    assert session.close_reason == "Dúvida respondida"
    assert Case.objects.get(pk=session.case_id).state.slug == "concluido"


def test_transfer_to_an_agent_and_to_a_team(person, chat_channel, agent, staff):
    from balcao.cases.models import Team, TeamMembership

    ana, bia, cris = agent("ana"), agent("bia"), agent("cris")
    session = start(person, chat_channel)
    services.do_accept(ana, session)
    with pytest.raises(services.ChatRefused):
        services.do_transfer(session, actor=bia, to_agent=bia)  # not hers to move
    services.do_transfer(session, actor=ana, to_agent=bia)
    session.refresh_from_db()
    assert session.agent == bia
    assert Case.objects.get(pk=session.case_id).assignee == bia
    with pytest.raises(services.ChatRefused):
        services.do_send(session, author_user=ana, text="ainda aqui?")
    team = Team.objects.create(slug="marcas", name="Marcas")
    TeamMembership.objects.create(team=team, user=cris)
    services.do_transfer(session, actor=staff["supervisor"], to_team=team)
    session.refresh_from_db()
    assert session.state == ChatSession.State.WAITING
    assert session.agent is None
    with pytest.raises(services.ChatRefused, match="equipe"):
        services.do_accept(ana, session)
    services.do_accept(cris, session)
    assert Case.objects.get(pk=session.case_id).assignee == cris


def test_presence(agent, make_user):
    ana = agent("ana")
    services.do_set_presence(ana, "paused")
    assert ana.chat_presence.__class__.objects.get(user=ana).status == "paused"
    with pytest.raises(services.ChatRefused):
        services.do_set_presence(ana, "dancing")
    with pytest.raises(services.Refused):
        services.do_set_presence(make_user(None), "available")


def test_events_leave_on_commit_to_both_sides_and_the_queue(
    person, chat_channel, agent, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        services, "send_to_groups", lambda groups, payload: sent.append((groups, payload))
    )
    ana = agent("ana")
    with django_capture_on_commit_callbacks(execute=False) as pending:
        first = start(person, chat_channel)
    assert sent == []  # nothing before the commit
    for callback in pending:
        callback()
    [(groups, payload)] = sent
    assert groups == [f"chat.{first.pk}", "chat.agents"]
    assert payload["event"] == "queued"
    assert payload["queue"]["protocol"] == first.case.protocol
    assert "hauana" not in str(payload).lower()  # the queue carries no personal data

    second = start(person, chat_channel)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_accept(ana, first)
    events = [(groups, payload["event"]) for groups, payload in sent]
    assert ([f"chat.{first.pk}", "chat.agents"], "accepted") in events
    [position] = [p for g, p in sent if p["event"] == "position"]
    assert position["session"] == second.pk
    assert position["position"] == 1


def test_an_agent_sees_the_queue_of_their_teams_only(person, chat_channel, agent):
    from balcao.cases.models import Team

    ana = agent("ana")
    open_to_all = start(person, chat_channel)
    for_marcas = start(person, chat_channel)
    team = Team.objects.create(slug="marcas", name="Marcas")
    Case.objects.filter(pk=for_marcas.case_id).update(team=team)
    assert list(services.waiting_sessions(for_user=ana)) == [open_to_all]
    assert list(services.waiting_sessions()) == [open_to_all, for_marcas]


def test_events_reach_the_layer_from_a_thread_that_runs_an_event_loop():
    """A service called from a coroutine's thread (no ``sync_to_async``): the event still goes
    out, through a thread of its own, and is not lost to asgiref's refusal."""
    import asyncio

    from channels.layers import get_channel_layer

    layer = get_channel_layer()

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add("chat-test", channel)
        services.send_to_groups(["chat-test"], {"type": "chat.event", "event": "ping"})
        return await asyncio.wait_for(layer.receive(channel), 5)

    assert asyncio.run(scenario())["event"] == "ping"
