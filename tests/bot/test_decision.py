"""Decision thresholds, confidence, the request for a human, and the engine's replies."""

from __future__ import annotations

import pytest

from balcao.bot import decision as D
from balcao.bot.engine import Bot
from balcao.bot.retrieval import Article, Hit


def hit(id: str, score: float, coverage: float, matched: int = 2) -> Hit:
    return Hit(
        article=Article(id=id, question=f"Q {id}", answer=f"A {id}"),
        score=score,
        coverage=coverage,
        matched_terms=tuple(f"t{i}" for i in range(matched)),
        query_terms=max(matched, 1),
        unknown_terms=0,
        same_language=True,
    )


def test_no_hits_or_no_terms_refuse() -> None:
    assert D.decide([]).action == "refuse"
    assert D.decide([], query_terms=0).reason == "no-terms"
    assert D.decide([]).confidence == 0.0


def test_coverage_threshold_is_the_line_between_answer_and_refuse() -> None:
    just_above = D.decide([hit("a", 5.0, D.MIN_COVERAGE + 0.01), hit("b", 1.0, 0.1)])
    just_below = D.decide([hit("a", 5.0, D.MIN_COVERAGE - 0.01), hit("b", 1.0, 0.1)])
    assert just_above.action == "answer"
    assert just_above.top is not None and just_above.top.article.id == "a"
    assert just_below.action == "refuse"
    assert just_below.reason == "low-coverage"


def test_a_single_matched_term_needs_more_coverage() -> None:
    middle = (D.MIN_COVERAGE + D.MIN_COVERAGE_SINGLE_TERM) / 2
    assert D.decide([hit("a", 5.0, middle, matched=2)]).action == "answer"
    assert D.decide([hit("a", 5.0, middle, matched=1)]).action == "refuse"
    assert D.decide([hit("a", 5.0, 1.0, matched=1)]).action == "answer"


def test_close_articles_ask_the_person_to_choose() -> None:
    close = D.decide([hit("a", 5.0, 0.9), hit("b", 5.0 * (1 - D.CHOOSE_MARGIN / 2), 0.9)])
    assert close.action == "choose"
    assert [h.article.id for h in close.candidates] == ["a", "b"]
    apart = D.decide([hit("a", 5.0, 0.9), hit("b", 5.0 * (1 - D.CHOOSE_MARGIN * 2), 0.9)])
    assert apart.action == "answer"


def test_close_second_that_does_not_cover_the_question_is_not_offered() -> None:
    decision = D.decide([hit("a", 5.0, 0.9), hit("b", 4.99, D.MIN_COVERAGE / 2)])
    assert decision.action == "answer"


def test_confidence_is_in_range_and_grows_with_coverage_and_margin() -> None:
    low = D.confidence_of([hit("a", 5.0, 0.5), hit("b", 4.9, 0.3)])
    more_coverage = D.confidence_of([hit("a", 5.0, 0.9), hit("b", 4.9, 0.3)])
    more_margin = D.confidence_of([hit("a", 5.0, 0.5), hit("b", 1.0, 0.3)])
    alone = D.confidence_of([hit("a", 5.0, 1.0)])
    assert 0.0 <= low < more_coverage <= 1.0
    assert low < more_margin <= 1.0
    assert alone == 1.0


@pytest.mark.parametrize("coverage", [0.0, 0.1, 0.2, 0.3, 0.34, 0.36, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("second_score", [0.5, 4.0, 4.99])
def test_half_confidence_is_the_answer_line(coverage: float, second_score: float) -> None:
    hits = [hit("a", 5.0, coverage), hit("b", second_score, 0.2)]
    decision = D.decide(hits)
    assert 0.0 <= decision.confidence <= 1.0
    assert (decision.action != "refuse") == (decision.confidence >= 0.5)


@pytest.mark.parametrize(
    "text",
    [
        "quero falar com um atendente",
        "Quero falar com uma pessoa!",
        "me passa pra um humano por favor",
        "preciso de atendimento humano",
        "gostaria de conversar com um atendente sobre minha marca",
        "I want to talk to a person",
        "can I speak with a human agent?",
        "live agent please",
    ],
)
def test_explicit_request_for_a_human_is_detected(text: str) -> None:
    assert D.asked_for_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "quais são os canais de atendimento do INPI?",
        "como registrar minha marca",
        "pessoa física tem desconto?",
        "how do I register a trademark?",
    ],
)
def test_ordinary_questions_are_not_requests_for_a_human(text: str) -> None:
    assert not D.asked_for_human(text)


def test_engine_greeting_is_refused_and_flagged(demo_bot: Bot) -> None:
    reply = demo_bot.ask("Olá, bom dia!", "pt-BR")
    assert (reply.action, reply.article_id, reply.reason) == ("refuse", None, "greeting")
    assert not reply.asked_for_human and not reply.needs_human
    assert reply.answer


def test_engine_request_for_human_alone(demo_bot: Bot) -> None:
    reply = demo_bot.ask("quero falar com um atendente", "pt-BR")
    assert reply.asked_for_human and reply.needs_human
    assert reply.article_id is None


def test_engine_request_for_human_with_a_subject_still_answers(demo_bot: Bot) -> None:
    reply = demo_bot.ask("quero falar com uma pessoa sobre a anuidade da patente", "pt-BR")
    assert reply.asked_for_human and reply.needs_human
    assert reply.article_id == "patentes-anuidades"


def test_engine_answer_and_contract_shape(demo_bot: Bot) -> None:
    reply = demo_bot.ask("como emitir a gru do inpi", "pt-BR")
    assert reply.action in ("answer", "choose")
    assert reply.article_id == "gru-como-emitir"
    assert 0.0 <= reply.confidence <= 1.0
    assert not reply.needs_human
    line = reply.as_contract(handoff=False)
    assert set(line) == {"article_id", "confidence", "handoff", "answer"}
    assert isinstance(line["answer"], str) and line["answer"]


def test_engine_refuses_other_agencies_matters(demo_bot: Bot) -> None:
    for text in ("como tirar passaporte", "quem ganhou o jogo ontem", "como sacar o fgts"):
        reply = demo_bot.ask(text, "pt-BR")
        assert reply.action == "refuse" and reply.article_id is None, text
        assert reply.needs_human


def test_engine_answers_in_english(demo_bot: Bot) -> None:
    assert demo_bot.ask("how do I renew my trademark?", "en").article_id == (
        "en-trademark-duration"
    )


def test_engine_is_deterministic(demo_bot: Bot) -> None:
    first = demo_bot.ask("quanto custa registrar marca", "pt-BR")
    again = demo_bot.ask("quanto custa registrar marca", "pt-BR")
    assert first == again
