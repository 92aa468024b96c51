"""Limits on the person's chat messages (issue 24): so many a minute per conversation
(``BALCAO_CHAT_RATE``) and so many characters (``BALCAO_CHAT_MAX_CHARS``), refused with a
clear pt-BR message by the services, the send endpoint (429 / 400 JSON), the socket (an
error event, the socket kept) and chat.js (the typed text kept), nothing else lost."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from balcao.cases.models import Message
from balcao.livechat import services
from balcao.livechat.models import ChatSession

pytestmark = pytest.mark.django_db

RATE = 3


@pytest.fixture(autouse=True)
def small_limits():
    cache.clear()
    with override_settings(BALCAO_CHAT_RATE=RATE, BALCAO_CHAT_MAX_CHARS=50):
        yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """The limit's clock (its fixed window), moved by the test."""
    now = {"t": 1_800_000_000.0}  # the start of a minute
    monkeypatch.setattr(services, "rate_clock", lambda: now["t"])
    return now


@pytest.fixture
def chat(person, chat_channel):
    return services.do_start_chat(person, chat_channel, reason="Como emito a GRU?")


def bodies(chat: ChatSession) -> list[str]:
    return list(
        Message.objects.filter(case_id=chat.case_id).order_by("pk").values_list("body", flat=True)
    )


def test_more_than_the_rate_in_a_minute_is_refused_and_the_next_minute_takes_them(
    chat, person, chat_channel, agent, clock
):
    for n in range(RATE):
        services.do_send(chat, from_person=True, text=f"mensagem {n}")
    clock["t"] += 45
    with pytest.raises(services.ChatRateLimited) as refused:
        services.do_send(chat, from_person=True, text="uma a mais")
    assert refused.value.retry_after == 15
    assert "muitas mensagens em pouco tempo" in str(refused.value)
    assert "Aguarde 15 segundos" in str(refused.value)
    assert bodies(chat) == ["Como emito a GRU?", "mensagem 0", "mensagem 1", "mensagem 2"]

    # Per conversation: the same person's other chat, and the agent, are not held back.
    other = services.do_start_chat(person, chat_channel, reason="Outra dúvida")
    services.do_send(other, from_person=True, text="nesta posso")
    ana = agent("ana")
    services.do_accept(ana, chat)
    for n in range(RATE + 1):
        services.do_send(chat, author_user=ana, text=f"resposta {n}")

    clock["t"] += 15  # the next minute
    services.do_send(chat, from_person=True, text="agora vai")
    assert bodies(chat)[-1] == "agora vai"


def test_zero_turns_the_rate_off(chat, clock):
    with override_settings(BALCAO_CHAT_RATE=0):
        for n in range(RATE + 2):
            services.do_send(chat, from_person=True, text=f"mensagem {n}")
    assert len(bodies(chat)) == RATE + 3


def test_a_message_too_long_is_refused_whole(chat, agent):
    with pytest.raises(services.ChatRefused) as refused:
        services.do_send(chat, from_person=True, text="x" * 51)
    assert "51 caracteres e o máximo é 50" in str(refused.value)
    services.do_send(chat, from_person=True, text="y" * 50)
    assert bodies(chat) == ["Como emito a GRU?", "y" * 50]

    ana = agent("ana")
    services.do_accept(ana, chat)
    for action in (services.do_send, services.do_add_note):
        with pytest.raises(services.ChatRefused):
            action(chat, author_user=ana, text="z" * 51)
    assert bodies(chat) == ["Como emito a GRU?", "y" * 50]


# --- the send endpoint ---------------------------------------------------------------------


@pytest.fixture
def proven(client, person):
    from tests.livechat.test_person_pages import prove

    prove(client, person.email)
    return client


def test_the_send_endpoint_answers_429_then_takes_messages_again(proven, chat, clock):
    url = reverse("portal:chat_send", args=[chat.token])
    as_json = {"HTTP_ACCEPT": "application/json"}
    for n in range(RATE):
        assert proven.post(url, {"text": f"m{n}"}, **as_json).status_code == 200
    clock["t"] += 20
    refused = proven.post(url, {"text": "uma a mais"}, **as_json)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    data = refused.json()
    assert data["ok"] is False and "Aguarde 40 segundos" in data["error"]
    assert "uma a mais" not in bodies(chat)

    # Without JavaScript: back to the page, which says why.
    page = proven.post(url, {"text": "sem script"}, follow=True).content.decode()
    assert "muitas mensagens em pouco tempo" in page

    clock["t"] += 40
    assert proven.post(url, {"text": "de novo"}, **as_json).json()["ok"] is True
    assert bodies(chat)[-1] == "de novo"


def test_the_send_endpoint_refuses_a_long_message_with_400_not_500(proven, chat):
    url = reverse("portal:chat_send", args=[chat.token])
    refused = proven.post(url, {"text": "x" * 500}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400
    assert "500 caracteres e o máximo é 50" in refused.json()["error"]
    page = proven.get(reverse("portal:chat_conversation", args=[chat.token])).content.decode()
    assert 'maxlength="50"' in page


# --- the person's socket ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_socket_says_why_and_stays_open(chat, clock):
    from tests.livechat.test_consumers import communicator, person_cookie, receive_until, run

    key = person_cookie("hauana@example.com")

    async def scenario():
        widget = communicator(f"/ws/chat/{chat.token}/", key)
        connected, _ = await widget.connect()
        assert connected
        assert (await widget.receive_json_from())["event"] == "snapshot"
        events = {}
        for n in range(RATE):
            await widget.send_json_to({"type": "message", "text": f"m{n}"})
            await receive_until(widget, "message")
        await widget.send_json_to({"type": "message", "text": "uma a mais"})
        events["rate"] = await receive_until(widget, "error")
        await widget.send_json_to({"type": "message", "text": "x" * 51})
        events["long"] = await receive_until(widget, "error")
        await widget.send_to(text_data=json.dumps({"type": "message", "text": "x" * 10_000}))
        events["frame"] = await receive_until(widget, "error")
        await widget.send_to(text_data="{not json")
        events["garbage"] = await receive_until(widget, "error")
        clock["t"] += 60
        await widget.send_json_to({"type": "message", "text": "ainda aqui"})
        events["after"] = await receive_until(widget, "message")
        await widget.disconnect()
        return events

    events = run(scenario)
    assert events["rate"]["code"] == "rate_limited"
    assert events["rate"]["retry_after"] == 60
    assert "muitas mensagens em pouco tempo" in events["rate"]["message"]
    assert "o máximo é 50" in events["long"]["message"]
    assert "longa demais" in events["frame"]["message"]
    assert events["garbage"]["message"] == "Mensagem ilegível."
    assert events["after"]["message"]["text"] == "ainda aqui"
    assert bodies(chat) == ["Como emito a GRU?", "m0", "m1", "m2", "ainda aqui"]


# --- chat.js --------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_chat_js_shows_the_refusal_and_keeps_what_was_typed(asgi_server, chat, clock):
    """The limit's clock stands still, so the four messages fall in one window however long
    the browser takes."""
    from django.conf import settings

    from tests.livechat.conftest import in_browser
    from tests.livechat.test_consumers import person_cookie

    key = person_cookie("hauana@example.com")
    origin = f"http://{asgi_server}"
    seen = {}

    def steps(page):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": origin}]
        )
        page.goto(origin + reverse("portal:chat_conversation", args=[chat.token]))
        page.locator('#chat[data-connected="1"]').wait_for()
        for n in range(RATE):
            page.fill("#chat-text", f"m{n}")
            page.click("[data-chat-form] button[type=submit]")
            page.locator(".chat-messages li", has_text=f"m{n}").wait_for()
        page.fill("#chat-text", "a quarta, importante")
        page.click("[data-chat-form] button[type=submit]")
        error = page.locator("#chat-files-error", has_text="muitas mensagens")
        error.wait_for()
        seen["error"] = error.inner_text()
        seen["kept"] = page.input_value("#chat-text")
        seen["shown"] = page.locator(".chat-messages li").all_inner_texts()

    in_browser(steps)
    assert "Aguarde" in seen["error"]
    assert seen["kept"] == "a quarta, importante"
    assert not any("a quarta" in text for text in seen["shown"])
    assert sum(1 for text in seen["shown"] if text.split("\n")[-1] in {"m0", "m1", "m2"}) == 3


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_chat_js_keeps_the_next_message_typed_while_the_last_one_travels(asgi_server, chat, clock):
    """The person types the next message before the server has answered the last one: the
    answer empties the box only when it still holds what was sent. (It once emptied it
    anyway, and a fast typer's next message went out empty and was refused.) The send is
    held in the browser until the next text is typed, so the order is certain."""
    from django.conf import settings
    from playwright.sync_api import expect

    from tests.livechat.conftest import HeldRequest, in_browser
    from tests.livechat.test_consumers import person_cookie

    key = person_cookie("hauana@example.com")
    origin = f"http://{asgi_server}"
    seen = {}

    def answered(page):
        # Playwright's expect, not wait_for_function: a string polled in the page is eval,
        # which the portal's Content-Security-Policy refuses whenever it is not true at once.
        expect(page.locator("#chat-files-error")).to_have_text("")

    def steps(page):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": origin}]
        )
        page.goto(origin + reverse("portal:chat_conversation", args=[chat.token]))
        page.locator('#chat[data-connected="1"]').wait_for()
        held = HeldRequest(page, "**/enviar/")
        page.fill("#chat-text", "primeira")
        page.click("[data-chat-form] button[type=submit]")
        held.wait()
        page.fill("#chat-text", "segunda, ainda digitando")
        held.release()
        page.locator(".chat-messages li", has_text="primeira").wait_for()
        answered(page)
        seen["kept"] = page.input_value("#chat-text")
        page.click("[data-chat-form] button[type=submit]")
        page.locator(".chat-messages li", has_text="segunda, ainda digitando").wait_for()
        answered(page)
        seen["after"] = page.input_value("#chat-text")

    in_browser(steps)
    assert seen["kept"] == "segunda, ainda digitando"
    assert seen["after"] == ""
    assert bodies(chat)[-2:] == ["primeira", "segunda, ainda digitando"]
