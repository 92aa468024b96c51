"""An agent is offline when their last console socket closes, and back to what they were when
one opens again (issue 24: supervisors see "available, busy, paused, offline"); nobody is
handed a conversation while offline. The count of open consoles lives on the presence row,
changed by conditional UPDATEs, so several server processes count together."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from balcao.livechat import console as chat_console
from balcao.livechat import services
from balcao.livechat.models import AgentPresence, ChatSession

pytestmark = pytest.mark.django_db

Status = AgentPresence.Status


def state(user) -> tuple[str, int, str]:
    presence = AgentPresence.objects.get(user=user)
    return presence.status, presence.connections, presence.resume_status


def test_offline_only_when_the_last_console_closes_and_back_on_reopening(agent):
    ana = agent("ana")
    services.do_console_opened(ana)
    services.do_console_opened(ana)  # a second tab, or another server process
    services.do_console_closed(ana)
    assert state(ana) == (Status.AVAILABLE, 1, "")
    services.do_console_closed(ana)
    assert state(ana) == (Status.OFFLINE, 0, Status.AVAILABLE)
    services.do_console_closed(ana)  # a close counted twice never goes below zero
    assert state(ana) == (Status.OFFLINE, 0, Status.AVAILABLE)
    services.do_console_opened(ana)
    assert state(ana) == (Status.AVAILABLE, 1, "")


def test_paused_comes_back_paused_and_a_chosen_offline_stays_offline(agent):
    ana, bia = agent("ana"), agent("bia")
    services.do_set_presence(ana, "paused")
    services.do_console_opened(ana)
    services.do_console_closed(ana)
    assert state(ana)[0] == Status.OFFLINE
    services.do_console_opened(ana)
    assert state(ana)[0] == Status.PAUSED

    services.do_console_opened(bia)
    services.do_set_presence(bia, "offline")
    services.do_console_closed(bia)
    services.do_console_opened(bia)
    assert state(bia) == (Status.OFFLINE, 1, "")

    # Choosing a status while the console was closed is what the next one brings back.
    services.do_console_closed(ana)
    services.do_set_presence(ana, "available")
    services.do_console_opened(ana)
    assert state(ana)[0] == Status.AVAILABLE


def test_busy_comes_back_as_what_the_load_says(person, chat_channel, agent):
    ana = agent("ana", max_chats=1)
    chat = services.do_start_chat(person, chat_channel, reason="Dúvida")
    services.do_accept(ana, chat)
    services.do_console_opened(ana)
    assert state(ana)[0] == Status.BUSY
    services.do_console_closed(ana)
    assert state(ana) == (Status.OFFLINE, 0, Status.BUSY)
    services.do_conclude_by_person(chat)  # her conversation ended meanwhile
    services.do_console_opened(ana)
    assert state(ana)[0] == Status.AVAILABLE


def test_nobody_is_handed_a_conversation_while_offline(person, chat_channel, agent, staff):
    ana, bia = agent("ana"), agent("bia")
    chat = services.do_start_chat(person, chat_channel, reason="Dúvida")
    services.do_console_opened(bia)
    services.do_console_closed(bia)
    supervisor = staff["supervisor"]
    assert bia not in chat_console.transfer_agents() and ana in chat_console.transfer_agents()
    with pytest.raises(services.ChatRefused) as refused:
        services.do_transfer(chat, actor=supervisor, to_agent=bia)
    assert "Bia está desconectado do chat" in str(refused.value)
    with pytest.raises(services.ChatRefused):
        services.do_accept(bia, chat)
    chat.refresh_from_db()
    assert chat.state == ChatSession.State.WAITING and chat.agent is None
    # The estimate counts only who is there: Ana alone.
    assert services.estimated_wait(chat) == services.DEFAULT_HANDLING
    # A supervisor taking a conversation over is there, console or not.
    services.do_transfer(chat, actor=supervisor, to_agent=supervisor)
    chat.refresh_from_db()
    assert chat.agent == supervisor


@pytest.mark.django_db(transaction=True)
def test_consoles_opening_and_closing_at_once_are_all_counted(agent):
    ana = agent("ana")
    services.do_console_opened(ana)  # one console stays open throughout
    failures = []

    def tab():
        try:
            for _ in range(10):
                services.do_console_opened(ana)
                services.do_console_closed(ana)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failures.append(exc)
        finally:
            from django.db import connection

            connection.close()

    tabs = [threading.Thread(target=tab) for _ in range(6)]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join(60)
    assert not failures, failures
    assert state(ana) == (Status.AVAILABLE, 1, "")
    services.do_console_closed(ana)
    assert state(ana) == (Status.OFFLINE, 0, Status.AVAILABLE)


# --- through the agent's socket and on the supervision page --------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_console_socket_sets_the_presence_and_supervisors_hear_it(agent, staff):
    from tests.livechat.test_consumers import communicator, receive_until, run, staff_cookie

    ana = agent("ana")
    supervisor = staff["supervisor"]
    ana_key, supervisor_key = staff_cookie(ana), staff_cookie(supervisor)

    async def scenario():
        watching = communicator("/ws/console/chat/", supervisor_key)
        assert (await watching.connect())[0]
        await receive_until(watching, "console")
        first = communicator("/ws/console/chat/", ana_key)
        second = communicator("/ws/console/chat/", ana_key)
        for console in (first, second):
            assert (await console.connect())[0]
            assert (await receive_until(console, "console"))["status"] == "available"
        await first.disconnect()
        heard = {"one closed": await asyncio_state(ana)}
        await second.disconnect()
        heard["offline event"] = await receive_until(watching, "presence")
        heard["both closed"] = await asyncio_state(ana)
        again = communicator("/ws/console/chat/", ana_key)
        assert (await again.connect())[0]
        heard["reopened"] = await receive_until(again, "console")
        heard["back event"] = await receive_until(watching, "presence")
        await again.disconnect()
        await watching.disconnect()
        return heard

    heard = run(scenario)
    assert heard["one closed"] == (Status.AVAILABLE, 1, "")
    assert heard["offline event"]["agent"] == ana.pk
    assert heard["offline event"]["status"] == "offline"
    assert heard["offline event"]["consoles"] == 0
    assert heard["both closed"] == (Status.OFFLINE, 0, Status.AVAILABLE)
    assert heard["reopened"]["status"] == "available"
    assert heard["back event"]["status"] == "available"
    assert heard["back event"]["consoles"] == 1


async def asyncio_state(user):
    from channels.db import database_sync_to_async

    return await database_sync_to_async(state)(user)


def test_the_supervision_page_shows_who_is_offline_and_whose_console_is_open(
    verified_client, agent, staff
):
    ana, bia = agent("ana"), agent("bia")
    services.do_console_opened(ana)
    services.do_console_opened(bia)
    services.do_console_closed(bia)
    client = verified_client(staff["supervisor"])
    page = client.get(reverse("console:chat_supervision_live")).content.decode()
    assert 'class="chat-agent chat-agent--available"><th scope="row">Ana' in page
    assert 'class="chat-agent chat-agent--offline"><th scope="row">Bia' in page
    assert "Desconectado</td>" in page
    assert page.count('class="chat-console-open">aberto') == 1
    assert page.count('class="chat-console-closed">fechado') == 1


def test_a_websocket_process_that_starts_resets_the_counts_it_left(agent):
    """A websocket process killed without closing its sockets left counts behind: the next
    one to start (``balcao.asgi`` under ``balcao serve`` without Redis) puts them back to
    zero, and the agents come back with their status when their console opens."""
    from balcao.livechat.models import AgentPresence

    ana = agent("ana")
    services.do_console_opened(ana)
    services.do_console_opened(ana)  # two tabs; the process then dies
    assert services.do_reset_console_counts() == 1
    presence = AgentPresence.objects.get(user=ana)
    assert presence.connections == 0 and presence.status == AgentPresence.Status.OFFLINE
    services.do_console_opened(ana)
    presence.refresh_from_db()
    assert presence.status == AgentPresence.Status.AVAILABLE
