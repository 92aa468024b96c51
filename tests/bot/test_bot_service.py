"""The bot inside Balcão: answers from the published base, hand-off only in staffed hours
(holidays included), cases with masked transcripts, reopening, idle close, LLM option."""

import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from balcao.bot import services
from balcao.bot.engine import Candidate, Reply
from balcao.bot.models import Conversation
from balcao.cases.models import Case, State
from balcao.kb import services as kb
from balcao.kb.models import GapGroup

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")

ARTICLES = [
    {
        "id": "gru-emitir",
        "question": "Como emito a GRU?",
        "answer": "No site do INPI.",
        "variants": ["gerar boleto", "emitir guia de pagamento"],
        "language": "pt-BR",
    },
    {
        "id": "marca-registrar",
        "question": "Como registro uma marca?",
        "answer": "Faça o pedido no e-INPI.",
        "variants": ["registrar logotipo"],
        "language": "pt-BR",
    },
    {
        "id": "trademark-register",
        "question": "How do I register a trademark?",
        "answer": "File online.",
        "language": "en",
    },
]

MONDAY_10 = datetime(2025, 3, 10, 10, 0, tzinfo=SP)
MONDAY_20 = datetime(2025, 3, 10, 20, 0, tzinfo=SP)
GOOD_FRIDAY_10 = datetime(2025, 4, 18, 10, 0, tzinfo=SP)


@pytest.fixture(autouse=True)
def base():
    kb.do_import([json.dumps(a) for a in ARTICLES])


@pytest.fixture
def channel(helpdesk_channel):
    return helpdesk_channel


def test_answers_in_portuguese_and_english():
    assert services.ask("como gero o boleto", "pt-BR")["article_id"] == "gru-emitir"
    assert services.ask("register trademark", "en")["article_id"] == "trademark-register"


def test_refuses_what_it_does_not_know_and_records_the_gap():
    result = services.ask(
        "qual a previsão do tempo para amanhã?", "pt-BR", record=True, now=MONDAY_20
    )
    assert result["article_id"] is None and result["confidence"] < 0.5
    assert GapGroup.objects.count() == 1


@pytest.mark.parametrize(
    ("now", "staffed"), [(MONDAY_10, True), (MONDAY_20, False), (GOOD_FRIDAY_10, False)]
)
def test_hand_off_only_in_staffed_hours(now, staffed):
    result = services.ask("quero falar com um atendente", "pt-BR", now=now)
    assert result["handoff"] is staffed
    if not staffed:
        assert "chamado" in result["answer"]


def test_a_known_answer_never_hands_off():
    assert services.ask("como emito a GRU", "pt-BR", now=MONDAY_10)["handoff"] is False


def test_conversation_masks_and_opens_a_case_with_the_transcript(channel, monkeypatch):
    monkeypatch.setattr(services, "staffed_now", lambda now=None: False)
    conversation = services.start_conversation("pt-BR")
    services.post_message(conversation, "minha senha é abc123 e meu cpf 529.982.247-25")
    texts = " ".join(conversation.turns.values_list("text", flat=True))
    assert "abc123" not in texts and "529.982.247-25" not in texts
    case = services.open_case_from_conversation(
        conversation, name="Maria", email="maria@exemplo.invalid", cpf="529.982.247-25"
    )
    transcript = case.messages.get(author_kind="bot").body
    assert "Transcrição do chatbot" in transcript and "[SENHA]" in transcript
    assert case.requester.unverified and case.requester.claimed_cpf == "52998224725"
    assert case.requester.cpf is None  # typed in a chat: claimed, not proven


def test_returning_on_the_same_subject_opens_a_new_case_never_reopens(channel, staff):
    """A chat is not identified: typing someone's e-mail must not reopen their case or
    append to it (security issue #17, finding 1)."""
    first = services.start_conversation()
    services.post_message(first, "problema no pagamento da anuidade da patente")
    case = services.open_case_from_conversation(first, name="Maria", email="maria@exemplo.invalid")
    resolved = State.objects.get(workflow__slug="helpdesk", slug="resolvido")
    from balcao.cases.services import do_change_state

    do_change_state(case, resolved, actor=staff["supervisor"])
    messages_before = case.messages.count()
    second = services.start_conversation()
    services.post_message(second, "de novo problema no pagamento da anuidade da patente")
    again = services.open_case_from_conversation(
        second, name="Maria", email="maria@exemplo.invalid"
    )
    assert again.pk != case.pk and Case.objects.count() == 2
    case.refresh_from_db()
    assert case.state.slug == "resolvido" and case.messages.count() == messages_before
    assert not case.history.filter(action="reopened").exists()
    assert again.requester_id != case.requester_id


def test_a_conversation_opens_one_case(channel):
    conversation = services.start_conversation()
    services.post_message(conversation, "quero ajuda com o boleto da gru")
    case = services.open_case_from_conversation(
        conversation, name="Ana", email="ana@exemplo.invalid"
    )
    with pytest.raises(services.CaseAlreadyOpened) as raised:
        services.open_case_from_conversation(conversation, name="Ana", email="ana@exemplo.invalid")
    assert raised.value.case == case and Case.objects.count() == 1


def test_idle_conversations_are_warned_then_closed(channel):
    conversation = services.start_conversation()
    services.post_message(conversation, "oi")
    start = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=start)
    assert services.close_idle_conversations(start + timedelta(minutes=10)) == {
        "warned": 0,
        "closed": 0,
    }
    assert services.close_idle_conversations(start + timedelta(minutes=16)) == {
        "warned": 1,
        "closed": 0,
    }
    assert services.close_idle_conversations(start + timedelta(minutes=20)) == {
        "warned": 0,
        "closed": 1,
    }
    conversation.refresh_from_db()
    assert conversation.state == "closed" and "inatividade" in conversation.close_reason


def test_closing_keeps_the_transcript_on_the_case(channel):
    conversation = services.start_conversation()
    services.post_message(conversation, "quero ajuda com o boleto da gru")
    case = services.open_case_from_conversation(
        conversation, name="Ana", email="ana@exemplo.invalid"
    )
    services.close_conversation(conversation, "encerrada pela pessoa")
    assert case.messages.filter(body__startswith="Transcrição final").exists()


@pytest.fixture
def llm_server():
    state = {"status": 200, "calls": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            state["calls"] += 1
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps({"choices": [{"message": {"content": "Resposta reescrita."}}]})
            self.send_response(state["status"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1", state
    server.shutdown()


def test_llm_option_off_by_default(settings):
    assert settings.BALCAO_LLM_URL == ""
    assert services.ask("como emito a GRU")["answer"] == "No site do INPI."


def test_llm_rephrases_and_cites_when_on(settings, llm_server):
    settings.BALCAO_LLM_URL, state = llm_server
    answer = services.ask("como emito a GRU")["answer"]
    assert answer.startswith("Resposta reescrita.") and "Fonte" in answer
    assert state["calls"] == 1


def test_llm_failing_falls_back_to_the_article(settings, llm_server):
    settings.BALCAO_LLM_URL, state = llm_server
    state["status"] = 500
    assert services.ask("como emito a GRU")["answer"] == "No site do INPI."
    settings.BALCAO_LLM_URL = "http://127.0.0.1:9/v1"  # nothing listens there
    assert services.ask("como emito a GRU")["answer"] == "No site do INPI."


def test_api_ask_contract_and_errors(client):
    response = client.post(
        "/api/v1/bot/ask", json.dumps({"text": "gerar boleto"}), content_type="application/json"
    )
    assert response.status_code == 200
    assert list(response.json()) == ["article_id", "confidence", "handoff", "answer"]
    bad = client.post("/api/v1/bot/ask", json.dumps({"text": " "}), content_type="application/json")
    assert bad.status_code == 422 and "text" in bad.json()["error"]["fields"]
    bad = client.post(
        "/api/v1/bot/ask",
        json.dumps({"text": "oi", "language": "xx"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "language" in bad.json()["error"]["fields"]


def test_public_chat_page_talks_and_offers_a_case(client, channel, monkeypatch):
    monkeypatch.setattr(services, "staffed_now", lambda now=None: False)
    page = client.get("/chatbot/")
    assert page.status_code == 200 and "Nunca peço sua senha" in page.content.decode()
    page = client.post("/chatbot/mensagem/", {"text": "qual a previsão do tempo?"})
    assert "Abrir um chamado" in page.content.decode()
    page = client.post("/chatbot/chamado/", {"name": "Ana", "email": "ana@exemplo.invalid"})
    assert page.status_code == 302  # post/redirect/get: a reload shows the page again
    page = client.get(page["Location"])
    assert "aberto com a transcrição" in page.content.decode()
    assert Case.objects.count() == 1


# --- the bot's own words, in the conversation's language ---------------------------------

GREETINGS = {
    "pt-BR": "Olá! Sou o assistente virtual. Nunca peço sua senha. Qual é a sua dúvida?",
    "pt-PT": "Olá! Sou o assistente virtual. Nunca peço a sua palavra-passe. Qual é a sua dúvida?",
    "en": "Hello! I am the virtual assistant. I never ask for your password. "
    "What is your question?",
}


@pytest.mark.parametrize("language", list(GREETINGS))
def test_a_conversation_opens_in_its_language(language):
    conversation = services.start_conversation(language)
    assert conversation.turns.get().text == GREETINGS[language]


def _reply(action: str, reason: str = "", candidates=()) -> Reply:
    return Reply(
        article_id=None,
        confidence=0.0,
        action=action,
        asked_for_human=False,
        answer="",
        candidates=list(candidates),
        reason=reason,
    )


CHOICE = [
    Candidate("a", "Como emito a GRU?", 0.5, 0.5),
    Candidate("b", "Como pago a GRU?", 0.5, 0.5),
]


@pytest.mark.parametrize(
    ("language", "choose", "greeting", "staffed", "unstaffed"),
    [
        (
            "pt-BR",
            "Você quis dizer",
            "Escreva sua dúvida",
            "falar com um atendente",
            "Posso abrir um chamado para você",
        ),
        (
            "pt-PT",
            "Queria dizer",
            "Escreva a sua dúvida",
            "falar com um operador",
            "Posso abrir um pedido por si",
        ),
        ("en", "Did you mean", "How can I help", "talk to a person", "I can open a request"),
    ],
)
def test_fixed_answers_follow_the_language(language, choose, greeting, staffed, unstaffed):
    """pt-PT gets pt-PT (not pt-BR), English gets English, whatever language is active."""
    with translation.override("pt-br" if language == "en" else "en"):
        texts = [
            services.answer_text(_reply("choose", candidates=CHOICE), language, True),
            services.answer_text(_reply("refuse", "greeting"), language, True),
            services.answer_text(_reply("refuse", "no-match"), language, True),
            services.answer_text(_reply("refuse", "no-match"), language, False),
        ]
    for text, wanted in zip(texts, (choose, greeting, staffed, unstaffed), strict=True):
        assert wanted in text
    assert "“Como emito a GRU?”" in texts[0] and "“Como pago a GRU?”" in texts[0]
    if language != "pt-BR":
        assert not {"você", "chamado", "atendente"} & set(" ".join(texts).lower().split())


def test_asking_in_pt_pt_answers_in_pt_pt():
    result = services.ask("qual a previsão do tempo para amanhã?", "pt-PT", now=MONDAY_20)
    assert "operadores" in result["answer"] and "atendentes" not in result["answer"]


@pytest.mark.parametrize(
    ("prefix", "language"), [("", "pt-BR"), ("/pt-pt", "pt-PT"), ("/en", "en")]
)
def test_the_chat_page_talks_in_the_pages_language(client, prefix, language):
    page = client.get(f"{prefix}/chatbot/").content.decode()
    assert GREETINGS[language] in page
    assert Conversation.objects.get().language == language
