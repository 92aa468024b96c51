"""Calibrated decision: answer, ask the person to choose, or admit the bot does not know.

Pure Python (no Django). The chatbot is "ideal para dúvidas simples e frequentes" and
"desaconselhado para casos técnicos e questões específicas" (seed ``000_…txt``): when the
evidence is weak it must say it does not know, so the Django side can offer a person in
staffed hours (seed ``002_…txt``: "dias úteis, das 8h às 18h, exceto feriados") or a case.

The decision reads the ranked :class:`~balcao.bot.retrieval.Hit` list, not raw BM25 scores
(those are not comparable between questions or bases). Its evidence:

* **coverage** of the top article: the idf-weighted share of the question's content terms
  that the article contains (an answer-only match counts partly; a word the base has never
  seen counts as an unmatched rare word). An out-of-scope question ("como tirar passaporte")
  usually shares one generic word with some article and leaves its subject word unmatched.
* **margin**: the relative score gap between the first and the second article. A small gap
  between two articles that both cover the question means "ask which one".
* **matched terms**: a single matched word is weak evidence unless it is the whole question.

``confidence`` is a monotone blend of coverage and margin in 0..1, so a threshold on it is
meaningful to the Django side and the gap inbox; the action is decided on the named
thresholds below, which were set on ``tests/bot/data/inpi-eval.jsonl`` and checked on the
held-apart phrasings of ``../shared/data/bot`` (none of it tuned per article).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from balcao.bot.retrieval import Hit
from balcao.textnorm import fold

Action = Literal["answer", "choose", "refuse"]

#: The top article must cover at least this idf-weighted share of the question's terms.
#: Below it the bot refuses: the question's subject is not what the article is about.
#: Measured flat between 0.30 and 0.40 on both the evaluation set and the shared small talk;
#: 0.45+ starts refusing long, chatty in-scope questions.
MIN_COVERAGE = 0.35
#: With only one matched term, demand more (a lone common word such as "prazo" or "taxa"
#: is shared by many out-of-scope questions: "como renovar minha CNH" matches only
#: "renovar"). A one-word question that is all subject ("GRU", "caducidade") still passes.
MIN_COVERAGE_SINGLE_TERM = 0.75
#: Relative score gap (s1 − s2) / s1 under which two articles are "close": ask the person
#: to choose, when the second article also passes MIN_COVERAGE and is a different article.
CHOOSE_MARGIN = 0.06
#: A top article this close in meaning to the question (cosine of their sentence vectors,
#: :mod:`balcao.embeddings`) is answered even when the words differ ("how do I register my
#: trademark" asked in other words). Calibrated per base; this default is used without one.
MIN_SIMILARITY = 0.6
#: Confidence blend: coverage weighs COVERAGE_SHARE, the margin (saturating at
#: MARGIN_SATURATION) the rest.
COVERAGE_SHARE = 0.7
MARGIN_SATURATION = 0.5


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The lines :func:`decide` reads. The constants above are the defaults; a bot built on
    a knowledge base uses the lines calibrated on that base (:mod:`balcao.bot.calibration`)."""

    min_coverage: float = MIN_COVERAGE
    min_coverage_single_term: float = MIN_COVERAGE_SINGLE_TERM
    choose_margin: float = CHOOSE_MARGIN
    min_similarity: float = MIN_SIMILARITY


DEFAULT_THRESHOLDS = Thresholds()

_HUMAN_PATTERNS = [
    re.compile(p)
    for p in (
        # pt: "quero falar com um atendente", "me passa pra uma pessoa", "atendimento humano"
        r"\b(falar|fala|conversar|converso|falo|chamar|chama|passa|passar|transferir|transfere"
        r"|quero|preciso|gostaria de)\b[a-z ]{0,24}\b(atendente|humano|humana|pessoa|pessoas"
        r"|alguem de verdade|gente de verdade|operador|operadora|servidor|ser humano)\b",
        r"\batendimento (humano|pessoal|com (uma )?pessoa)\b",
        r"\b(atendente|humano) por favor\b",
        # en: "talk to a person", "speak with a human", "live agent", "real person"
        r"\b(talk|speak|chat|connect|transfer)\b[a-z ]{0,20}\b(person|human|agent|someone"
        r"|somebody|representative|operator|staff|people)\b",
        r"\b(real person|human agent|live agent|human being)\b",
    )
]


def asked_for_human(text: str) -> bool:
    """True when the person explicitly asks for a human ("quero falar com um atendente")."""
    folded = " ".join(fold(text).split())
    return any(p.search(folded) for p in _HUMAN_PATTERNS)


def strip_human_request(text: str) -> str:
    """The question without the request for a human, so "quero falar com uma pessoa sobre a
    minha marca" is still searched for "marca" while "atendente" does not pull articles."""
    folded = " ".join(fold(text).split())
    for pattern in _HUMAN_PATTERNS:
        folded = pattern.sub(" ", folded)
    return folded


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    confidence: float
    top: Hit | None
    candidates: tuple[Hit, ...]
    reason: str  # 'matched' | 'close-call' | 'no-terms' | 'no-match' | 'low-coverage'


def confidence_of(hits: list[Hit], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> float:
    """Confidence in the top hit, 0..1 (0 when there is none).

    The evidence (coverage blended with margin) is mapped so that **0.5 is the answer line**:
    a top hit that passes the coverage thresholds gets 0.5..1, one that does not gets 0..0.5
    (scaled down by how far its coverage is from the threshold). The Django side and the gap
    inbox can therefore read ``confidence < 0.5`` as "the bot did not know"."""
    if not hits:
        return 0.0
    top = hits[0]
    evidence = COVERAGE_SHARE * top.coverage + (1 - COVERAGE_SHARE) * min(
        1.0, margin_of(hits) / MARGIN_SATURATION
    )
    evidence = max(0.0, min(1.0, evidence))
    if _passes(top, thresholds):
        value = 0.5 + 0.5 * evidence
    else:
        value = 0.5 * evidence * min(1.0, top.coverage / _needed(top, thresholds)) * 0.99
    return round(value, 4)


def margin_of(hits: list[Hit]) -> float:
    """Relative score gap between the top article and the next different one (1 if none)."""
    if not hits or hits[0].score <= 0:
        return 0.0
    second = next((h for h in hits[1:] if h.article.id != hits[0].article.id), None)
    if second is None:
        return 1.0
    return max(0.0, (hits[0].score - second.score) / hits[0].score)


def _needed(hit: Hit, thresholds: Thresholds) -> float:
    if len(hit.matched_terms) <= 1:
        return thresholds.min_coverage_single_term
    return thresholds.min_coverage


def _passes(hit: Hit, thresholds: Thresholds) -> bool:
    """The article covers enough of the question's words, or is near enough in meaning."""
    if hit.similarity and hit.similarity >= thresholds.min_similarity:
        return True
    return bool(hit.matched_terms) and hit.coverage >= _needed(hit, thresholds)


def decide(
    hits: list[Hit],
    query_terms: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Decision:
    """Decide what to do with the ranked hits of one question."""
    if query_terms == 0:
        return Decision("refuse", 0.0, None, (), "no-terms")
    if not hits:
        return Decision("refuse", 0.0, None, (), "no-match")
    top = hits[0]
    confidence = confidence_of(hits, thresholds)
    if not _passes(top, thresholds):
        return Decision("refuse", confidence, top, tuple(hits[:2]), "low-coverage")
    second = next((h for h in hits[1:] if h.article.id != top.article.id), None)
    if (
        second is not None
        and _passes(second, thresholds)
        and margin_of(hits) < thresholds.choose_margin
    ):
        return Decision("choose", confidence, top, (top, second), "close-call")
    return Decision("answer", confidence, top, (top,), "matched")
