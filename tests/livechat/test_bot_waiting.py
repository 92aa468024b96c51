"""The bot answers while the person waits for an agent (issue 24: "While waiting, the bot
answers first when the channel has one; the person can ask for a person (hand-off rules from
the bot issue)"; seed 002): through the services, the person's socket and chat.js."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from balcao.bot import services as bot_services
from balcao.bot.models import Conversation, Turn
from balcao.cases.models import Message
from balcao.catalog.models import Channel
from balcao.kb import services as kb
from balcao.kb.models import Gap
from balcao.livechat import services
from balcao.livechat.consumers import snapshot
from balcao.livechat.models import ChatSession

pytestmark = pytest.mark.django_db

GRU = "Emita a GRU no sistema de peticionamento eletrônico do INPI."
EXAM = "O exame técnico de uma patente leva em média seis anos."
ARTICLES = [
    {
        "id": "gru-emitir",
        "question": "Como emitir a GRU de uma marca?",
        "answer": GRU,
        "variants": ["gerar o boleto da marca"],
        "language": "pt-BR",
    },
    {
        "id": "patente-exame",
        "question": "Quanto tempo demora o exame de uma patente?",
        "answer": EXAM,
        "variants": ["prazo do exame técnico da patente"],
        "language": "pt-BR",
    },
]


@pytest.fixture
def chatbot(db, monkeypatch):
    """The agency's bot: an automated chat channel in the catalogue over a published base,
    in its hand-off hours (seed 002) whatever the clock says."""
    monkeypatch.setattr(bot_services, "staffed_now", lambda now=None: True)
    kb.do_import([json.dumps(a) for a in ARTICLES])
    return Channel.objects.create(slug="chatbot", name="Chatbot", kind="chat", automated=True)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the services leave for after commit (the bot answers then)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def thread(session: ChatSession) -> list[tuple[str, str]]:
    return list(
        Message.objects.filter(case_id=session.case_id, internal=False)
        .order_by("pk")
        .values_list("author_kind", "body")
    )


def test_the_bot_answers_the_opening_question_and_each_message_while_waiting(
    person, chat_channel, chatbot, on_commit
):
    chat = on_commit(
        services.do_start_chat, person, chat_channel, reason="Como emitir a GRU de uma marca?"
    )
    assert thread(chat) == [
        (Message.Author.REQUESTER, "Como emitir a GRU de uma marca?"),
        (Message.Author.BOT, GRU),
    ]
    on_commit(
        services.do_send,
        chat,
        from_person=True,
        text="Meu CPF é 529.982.247-25. Quanto tempo demora o exame de uma patente?",
    )
    assert thread(chat)[-1] == (Message.Author.BOT, EXAM)
    chat.refresh_from_db()
    assert chat.state == ChatSession.State.WAITING and services.queue_position(chat) == 1

    bot_message = Message.objects.filter(case_id=chat.case_id, author_kind="bot").last()
    data = services.message_data(bot_message)
    assert data["author"] == "bot" and data["author_name"] == "Assistente virtual"
    # The bot's own record is its conversation, masked (seed 002: no CPF kept by the bot).
    conversation = Conversation.objects.get(pk=chat.bot_conversation_id)
    said = list(conversation.turns.filter(role=Turn.Role.PERSON).values_list("text", flat=True))
    assert len(said) == 2 and "529.982.247-25" not in said[1]
    assert conversation.state == Conversation.State.BOT


def test_asking_for_a_person_keeps_the_queue_and_the_bot_falls_silent(
    person, chat_channel, chatbot, on_commit
):
    chat = on_commit(services.do_start_chat, person, chat_channel, reason="Bom dia")
    on_commit(services.do_send, chat, from_person=True, text="quero falar com um atendente")
    author, text = thread(chat)[-1]
    assert author == Message.Author.SYSTEM
    assert "Você pediu para falar com um atendente" in text
    assert "continua na fila (posição 1)" in text
    chat.refresh_from_db()
    assert chat.state == ChatSession.State.WAITING
    assert Conversation.objects.get(pk=chat.bot_conversation_id).state == "closed"
    assert not Gap.objects.exists()  # asking for a person is not an unanswered question

    before = len(thread(chat))
    on_commit(services.do_send, chat, from_person=True, text="Como emitir a GRU de uma marca?")
    assert len(thread(chat)) == before + 1  # the person's message, no answer from the bot


def test_what_the_bot_does_not_know_goes_to_an_agent(person, chat_channel, chatbot, on_commit):
    chat = on_commit(
        services.do_start_chat, person, chat_channel, reason="Qual a capital da Mongólia?"
    )
    author, text = thread(chat)[-1]
    assert author == Message.Author.SYSTEM
    assert "não encontrou uma resposta e passou a conversa para um atendente" in text
    assert Gap.objects.filter(text__icontains="Mongólia").exists()  # the gap inbox


def test_once_an_agent_accepts_the_bot_is_silent_and_the_agent_reads_its_answers(
    person, chat_channel, chatbot, agent, on_commit, staff
):
    from balcao.cases.models import Team

    ana = agent("ana")
    chat = on_commit(
        services.do_start_chat, person, chat_channel, reason="Como emitir a GRU de uma marca?"
    )
    on_commit(services.do_accept, ana, chat)
    seen = snapshot(chat.pk, by_person=False)["messages"]
    assert [m["author"] for m in seen] == ["requester", "bot"]
    assert seen[1]["text"] == GRU and seen[1]["author_name"] == "Assistente virtual"
    chat.refresh_from_db()
    assert Conversation.objects.get(pk=chat.bot_conversation_id).state == "closed"

    on_commit(services.do_send, chat, from_person=True, text="Quanto tempo demora o exame?")
    assert thread(chat)[-1][0] == Message.Author.REQUESTER
    # Back in a team's queue after an agent answered: still the agents' conversation.
    team = Team.objects.create(slug="marcas", name="Marcas")
    on_commit(services.do_transfer, chat, actor=staff["supervisor"], to_team=team)
    on_commit(services.do_send, chat, from_person=True, text="Quanto tempo demora o exame?")
    assert thread(chat)[-1][0] == Message.Author.REQUESTER


def test_an_agent_accepting_while_the_bot_thinks_silences_it(
    person, chat_channel, chatbot, agent, on_commit, monkeypatch
):
    ana = agent("ana")
    chat = services.do_start_chat(person, chat_channel, reason="Oi")  # no answer yet
    slow_answer = bot_services.post_message

    def meanwhile_an_agent_accepts(conversation, text):
        result = slow_answer(conversation, text)
        services.do_accept(ana, chat)
        return result

    monkeypatch.setattr(bot_services, "post_message", meanwhile_an_agent_accepts)
    assert on_commit(services.do_bot_answer, chat.pk, "Como emitir a GRU de uma marca?") is None
    assert not Message.objects.filter(case_id=chat.case_id, author_kind="bot").exists()


@pytest.mark.parametrize("setup", ["setting off", "no automated channel", "no articles"])
def test_no_bot_no_answer(person, chat_channel, chatbot, on_commit, setup):
    from balcao.kb.models import Article

    if setup == "no automated channel":
        Channel.objects.filter(pk=chatbot.pk).update(active=False)
    if setup == "no articles":
        Article.objects.all().delete()
    with override_settings(BALCAO_CHAT_BOT=setup != "setting off"):
        chat = on_commit(
            services.do_start_chat, person, chat_channel, reason="Como emitir a GRU de uma marca?"
        )
    assert [author for author, _text in thread(chat)] == [Message.Author.REQUESTER]
    assert ChatSession.objects.get(pk=chat.pk).bot_conversation_id is None


# --- over the person's socket and in the browser -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_bot_answer_reaches_the_persons_socket(person, chat_channel, chatbot):
    from tests.livechat.test_consumers import communicator, person_cookie, receive_until, run

    chat = services.do_start_chat(person, chat_channel, reason="Bom dia")
    key = person_cookie(person.email)

    async def scenario():
        widget = communicator(f"/ws/chat/{chat.token}/", key)
        connected, _ = await widget.connect()
        assert connected
        first = await widget.receive_json_from()
        assert first["event"] == "snapshot"
        await widget.send_json_to({"type": "message", "text": "Como emitir a GRU de uma marca?"})
        mine = await receive_until(widget, "message")
        answer = await receive_until(widget, "message")
        await widget.send_json_to({"type": "message", "text": "quero falar com uma pessoa"})
        await receive_until(widget, "message")
        handed = await receive_until(widget, "message")
        await widget.disconnect()
        return mine["message"], answer["message"], handed["message"]

    mine, answer, handed = run(scenario)
    assert mine["author"] == "requester"
    assert answer["author"] == "bot" and answer["text"] == GRU
    assert answer["author_name"] == "Assistente virtual"
    assert handed["author"] == "system" and "continua na fila" in handed["text"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_chat_js_shows_the_bot_apart(asgi_server, person, chat_channel, chatbot):
    """chat.js in Debian's chromium: the bot's answer arrives live, signed "Assistente
    virtual" and styled apart from the agent's and the system's messages."""
    from django.conf import settings
    from django.urls import reverse

    from tests.livechat.conftest import in_browser
    from tests.livechat.test_consumers import person_cookie

    chat = services.do_start_chat(person, chat_channel, reason="Bom dia")
    key = person_cookie(person.email)
    origin = f"http://{asgi_server}"
    seen = {}

    def steps(page):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": origin}]
        )
        page.goto(origin + reverse("portal:chat_conversation", args=[chat.token]))
        page.locator('#chat[data-connected="1"]').wait_for()
        page.fill("#chat-text", "Como emitir a GRU de uma marca?")
        page.click("[data-chat-form] button[type=submit]")
        answer = page.locator(".chat-messages li.chat-from-bot", has_text=GRU)
        answer.wait_for()
        seen["label"] = answer.locator(".chat-author").inner_text()
        seen["background"] = answer.evaluate("e => getComputedStyle(e).backgroundColor")
        page.reload()  # rendered by the server the same way
        reloaded = page.locator(".chat-messages li.chat-from-bot", has_text=GRU)
        reloaded.wait_for()
        seen["label after reload"] = reloaded.locator(".chat-author").inner_text()
        seen["system background"] = page.evaluate(
            """() => { const li = document.createElement("li");
              li.className = "chat-message chat-from-system";
              document.querySelector(".chat-messages").append(li);
              return getComputedStyle(li).backgroundColor; }"""
        )

    in_browser(steps)
    assert seen["label"] == seen["label after reload"] == "Assistente virtual"
    assert seen["background"] != seen["system background"]
