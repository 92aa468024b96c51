"""Asking for a person is not an unanswerable question, and "did you mean" offers buttons
(issue 19, smaller items)."""

from __future__ import annotations

import json

import pytest

from balcao.bot import services
from balcao.kb import services as kb
from balcao.kb.models import Gap

pytestmark = pytest.mark.django_db

ARTICLES = [
    {
        "id": "gru-emitir",
        "question": "Como emitir a GRU de uma marca?",
        "answer": "Emita a GRU no sistema de peticionamento.",
        "variants": ["gerar boleto da marca"],
        "language": "pt-BR",
    },
    {
        "id": "gru-pagar",
        "question": "Onde pagar a GRU de uma marca?",
        "answer": "Pague a GRU em qualquer banco.",
        "variants": ["pagamento do boleto da marca"],
        "language": "pt-BR",
    },
]


@pytest.fixture(autouse=True)
def base():
    kb.do_import([json.dumps(a) for a in ARTICLES])


@pytest.mark.parametrize(
    "text",
    [
        "quero falar com um atendente",
        "QUERO FALAR COM UMA PESSOA",
        "atendimento humano por favor",
        "talk to a human",
    ],
)
def test_asking_for_a_person_outside_hours_offers_a_case_and_records_no_gap(
    client, monkeypatch, text
):
    monkeypatch.setattr(services, "staffed_now", lambda now=None: False)
    client.get("/chatbot/")
    page = client.post("/chatbot/mensagem/", {"text": text}).content.decode()
    assert "Não encontrei uma resposta" not in page
    assert "Agora não há atendentes" in page
    assert "Abrir um chamado" in page
    assert not Gap.objects.exists()


def test_asking_for_a_person_in_staffed_hours_joins_the_queue(client, monkeypatch):
    monkeypatch.setattr(services, "staffed_now", lambda now=None: True)
    client.get("/chatbot/")
    page = client.post("/chatbot/mensagem/", {"text": "quero falar com um atendente"})
    html = page.content.decode()
    assert "Vou chamar um atendente" in html and "Você está na fila" in html
    assert not Gap.objects.exists()


def test_did_you_mean_suggestions_are_buttons_that_ask_the_question(client, monkeypatch):
    monkeypatch.setattr(services, "staffed_now", lambda now=None: False)
    client.get("/chatbot/")
    conversation = None
    for text in ("gru da marca", "boleto gru marca", "gru marca"):
        html = client.post("/chatbot/mensagem/", {"text": text}).content.decode()
        from balcao.bot.models import Turn

        turn = Turn.objects.filter(role="bot").last()
        if turn.suggestions:
            conversation = turn.conversation
            break
    assert conversation is not None, "no phrasing led the demo base to offer a choice"
    for question in turn.suggestions:
        assert f'value="{question}"' in html
        assert f'type="submit">{question}</button>' in html
    chosen = client.post("/chatbot/mensagem/", {"text": turn.suggestions[1]}).content.decode()
    assert "Pague a GRU" in chosen or "Emita a GRU" in chosen
