"""The live chat's websockets through the real ASGI application (origin check, session,
routes), with a websocket communicator: join, fan-out, reconnect, and who may read what.

``channels.testing`` cannot be imported here: its package imports ``daphne`` (for its live
server), which Balcão does not install. ``WebsocketCommunicator`` below is the same few
methods over asgiref's ``ApplicationCommunicator``."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils.module_loading import import_string

from balcao.cases.followup import EMAIL_SESSION_KEY
from balcao.livechat import services
from balcao.livechat.consumers import FORBIDDEN
from tests.loops import run

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


def app():
    from balcao.asgi import application

    return application


def person_cookie(email: str | None) -> str:
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    if email is not None:
        store[EMAIL_SESSION_KEY] = {"email": email, "at": int(time.time())}
    store.create()
    return store.session_key


def staff_cookie(user, *, verified: bool = True) -> str:
    """A staff session of its own, with a second factor as ``verified_client`` (tests/conftest)
    gives it; that fixture reuses one client, where a second login ends the first session."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def communicator(path: str, session_key: str | None, *, origin=ORIGIN):
    headers = [origin] if origin else []
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return WebsocketCommunicator(app(), path, headers=headers)


async def receive_until(comm, event: str, timeout: float = 5) -> dict:
    """The next message whose ``event`` is ``event`` (skipping others)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"no {event!r} event"
        message = await comm.receive_json_from(timeout=left)
        if message.get("event") == event:
            return message


@pytest.fixture
def chat(person, chat_channel):
    return services.do_start_chat(person, chat_channel, reason="Como emito a GRU?")


def test_person_and_agent_talk_and_the_person_reconnects(chat, agent):
    ana = agent("ana")
    person_key = person_cookie("hauana@example.com")
    agent_key = staff_cookie(ana)

    async def scenario():
        console = communicator("/ws/console/chat/", agent_key)
        connected, _ = await console.connect()
        assert connected
        first = await console.receive_json_from()
        assert first["event"] == "console"
        assert [q["id"] for q in first["queue"]] == [chat.pk]

        widget = communicator(f"/ws/chat/{chat.token}/", person_key)
        connected, _ = await widget.connect()
        assert connected
        snapshot = await widget.receive_json_from()
        assert snapshot["event"] == "snapshot"
        assert snapshot["position"] == 1
        assert snapshot["estimated_wait_seconds"] == 300
        assert [m["text"] for m in snapshot["messages"]] == ["Como emito a GRU?"]

        await console.send_json_to({"type": "accept", "session": chat.pk})
        accepted = await receive_until(widget, "accepted")
        assert accepted["agent_name"] == "Ana"

        await console.send_json_to({"type": "typing", "session": chat.pk})
        assert (await receive_until(widget, "typing"))["by"] == "agent"

        await console.send_json_to({"type": "message", "session": chat.pk, "text": "Bom dia!"})
        message = await receive_until(widget, "message")
        assert message["message"]["text"] == "Bom dia!"
        assert message["message"]["author"] == "agent"
        echo = await receive_until(console, "message")  # the sender sees it delivered
        assert echo["message"]["text"] == "Bom dia!"

        await widget.send_json_to({"type": "message", "text": "Processo 123"})
        heard = await receive_until(console, "message")
        assert heard["session"] == chat.pk
        assert heard["message"]["text"] == "Processo 123"

        # The person closes the window; the agent answers; the person comes back.
        await widget.disconnect()
        await console.send_json_to({"type": "message", "session": chat.pk, "text": "Resolvido"})
        await receive_until(console, "message")
        widget = communicator(f"/ws/chat/{chat.token}/", person_key)
        connected, _ = await widget.connect()
        assert connected
        snapshot = await widget.receive_json_from()
        assert snapshot["messages"][-1]["text"] == "Resolvido"
        assert snapshot["unread"] == 1
        await widget.send_json_to({"type": "read"})
        assert (await receive_until(console, "read"))["by"] == "person"
        await console.send_json_to({"type": "message", "session": chat.pk, "text": "Algo mais?"})
        later = await receive_until(widget, "message")
        assert later["message"]["text"] == "Algo mais?"

        await widget.disconnect()
        await console.disconnect()

    run(scenario)
    chat.refresh_from_db()
    assert services.unread_for_person(chat) == 1  # "Algo mais?" after the read mark


def test_a_person_without_the_proven_email_is_refused(chat, person, chat_channel):
    other = type(person).objects.create(name="Outra", email="outra@example.com", phone="1")
    other_chat = services.do_start_chat(other, chat_channel, reason="Outra dúvida")
    keys = {
        "no proof": person_cookie(None),
        "another e-mail": person_cookie("outra@example.com"),
        "no session": None,
    }

    async def scenario():
        results = {}
        for label, key in keys.items():
            comm = communicator(f"/ws/chat/{chat.token}/", key)
            connected, code = await comm.connect()
            results[label] = (connected, code)
            await comm.disconnect()
        # A proven person opens their own conversation, never another's by its token.
        comm = communicator(f"/ws/chat/{other_chat.token}/", person_cookie_value)
        results["someone else's token"] = await comm.connect()
        await comm.disconnect()
        comm = communicator("/ws/chat/not-a-token/", person_cookie_value)
        results["unknown token"] = await comm.connect()
        await comm.disconnect()
        return results

    person_cookie_value = person_cookie("hauana@example.com")
    results = run(scenario)
    assert results == dict.fromkeys(results, (False, FORBIDDEN))


def test_a_page_of_another_origin_cannot_open_the_chat(chat):
    key = person_cookie("hauana@example.com")

    async def scenario():
        comm = communicator(
            f"/ws/chat/{chat.token}/", key, origin=(b"origin", b"https://evil.example")
        )
        connected, _ = await comm.connect()
        await comm.disconnect()
        return connected

    assert run(scenario) is False


def test_the_console_needs_a_verified_case_worker(chat, make_user):
    unverified_key = staff_cookie(make_user("agent", username="semotp"), verified=False)
    person_key = person_cookie("hauana@example.com")
    viewer_key = staff_cookie(make_user("quality_manager", username="qm"))

    async def scenario():
        results = {}
        for label, key in {
            "anonymous": None,
            "without second factor": unverified_key,
            "without cases.reply": viewer_key,
            "the person": person_key,
        }.items():
            comm = communicator("/ws/console/chat/", key)
            results[label] = await comm.connect()
            await comm.disconnect()
        return results

    results = run(scenario)
    assert results == dict.fromkeys(results, (False, FORBIDDEN))


def test_an_agent_neither_hears_nor_writes_in_a_colleagues_conversation(chat, agent):
    ana, bia = agent("ana"), agent("bia")
    services.do_accept(ana, chat)
    ana_key = staff_cookie(ana)
    bia_key = staff_cookie(bia)
    person_key = person_cookie("hauana@example.com")

    async def scenario():
        ana_console = communicator("/ws/console/chat/", ana_key)
        bia_console = communicator("/ws/console/chat/", bia_key)
        widget = communicator(f"/ws/chat/{chat.token}/", person_key)
        for comm in (ana_console, bia_console, widget):
            assert (await comm.connect())[0]
            await comm.receive_json_from()
        await bia_console.send_json_to({"type": "message", "session": chat.pk, "text": "Oi"})
        error = await receive_until(bia_console, "error")
        assert "não está com você" in error["message"]
        await bia_console.send_json_to({"type": "accept", "session": chat.pk})
        assert "já foi atendida" in (await receive_until(bia_console, "error"))["message"]
        await bia_console.send_json_to({"type": "typing", "session": chat.pk})
        await receive_until(bia_console, "error")

        await widget.send_json_to({"type": "message", "text": "Só para a Ana"})
        assert (await receive_until(ana_console, "message"))["message"]["text"] == "Só para a Ana"
        assert await bia_console.receive_nothing(timeout=0.3)
        for comm in (ana_console, bia_console, widget):
            await comm.disconnect()

    run(scenario)


def test_a_waiting_person_sees_the_queue_move(chat, person, chat_channel, agent):
    second = services.do_start_chat(person, chat_channel, reason="Segunda dúvida")
    ana = agent("ana")
    ana_key = staff_cookie(ana)
    person_key = person_cookie("hauana@example.com")

    async def scenario():
        widget = communicator(f"/ws/chat/{second.token}/", person_key)
        assert (await widget.connect())[0]
        assert (await widget.receive_json_from())["position"] == 2
        console = communicator("/ws/console/chat/", ana_key)
        assert (await console.connect())[0]
        queue = (await console.receive_json_from())["queue"]
        assert [entry["id"] for entry in queue] == [chat.pk, second.pk]
        await console.send_json_to({"type": "accept", "session": chat.pk})
        moved = await receive_until(widget, "position")
        assert moved["position"] == 1
        taken = await receive_until(console, "accepted")
        assert taken["session"] == chat.pk
        # The other conversation's messages never reach this person.
        await console.send_json_to({"type": "message", "session": chat.pk, "text": "Olá"})
        await receive_until(console, "message")
        assert await widget.receive_nothing(timeout=0.3)
        await widget.disconnect()
        await console.disconnect()

    run(scenario)


def test_an_expired_proof_opens_nothing():
    from balcao.livechat.consumers import GRANT_SECONDS, proven_email

    fresh = {EMAIL_SESSION_KEY: {"email": "A@Example.com", "at": int(time.time())}}
    old = {EMAIL_SESSION_KEY: {"email": "a@example.com", "at": time.time() - GRANT_SECONDS - 1}}
    assert proven_email(fresh) == "a@example.com"
    assert proven_email(old) == ""
    assert proven_email(None) == ""


def test_an_agent_pauses_and_a_supervisor_sees_it_live(chat, agent):
    ana = agent("ana")
    boss = agent("chefe", role="supervisor")
    ana_key, boss_key = staff_cookie(ana), staff_cookie(boss)

    async def scenario():
        ana_console = communicator("/ws/console/chat/", ana_key)
        board = communicator("/ws/console/chat/", boss_key)
        for comm in (ana_console, board):
            assert (await comm.connect())[0]
            await comm.receive_json_from()
        await ana_console.send_json_to({"type": "presence", "status": "paused"})
        seen = await receive_until(board, "presence")
        assert (seen["agent"], seen["status"]) == (ana.pk, "paused")
        await ana_console.send_json_to({"type": "accept", "session": chat.pk})
        refused = await receive_until(ana_console, "error")
        assert "disponível" in refused["message"]
        for comm in (ana_console, board):
            await comm.disconnect()

    run(scenario)


def test_an_internal_note_reaches_its_author_and_never_the_person(chat, agent):
    ana, bia = agent("ana"), agent("bia")
    services.do_accept(ana, chat)
    ana_key, bia_key = staff_cookie(ana), staff_cookie(bia)
    person_key = person_cookie("hauana@example.com")

    async def scenario():
        ana_console = communicator("/ws/console/chat/", ana_key)
        bia_console = communicator("/ws/console/chat/", bia_key)
        widget = communicator(f"/ws/chat/{chat.token}/", person_key)
        for comm in (ana_console, bia_console, widget):
            assert (await comm.connect())[0]
            await comm.receive_json_from()
        await ana_console.send_json_to(
            {"type": "note", "session": chat.pk, "text": "Pessoa já ligou ontem"}
        )
        note = await receive_until(ana_console, "note")
        assert note["message"]["text"] == "Pessoa já ligou ontem"
        await bia_console.send_json_to({"type": "note", "session": chat.pk, "text": "x"})
        assert "não está com você" in (await receive_until(bia_console, "error"))["message"]
        assert await widget.receive_nothing(timeout=0.3)
        for comm in (ana_console, bia_console, widget):
            await comm.disconnect()
        # Reconnecting, the person's record holds no note either.
        widget = communicator(f"/ws/chat/{chat.token}/", person_key)
        assert (await widget.connect())[0]
        snapshot = await widget.receive_json_from()
        await widget.disconnect()
        return snapshot

    snapshot = run(scenario)
    assert "Pessoa já ligou ontem" not in str(snapshot)
    assert chat.case.messages.filter(internal=True).get().body == "Pessoa já ligou ontem"
