"""The bot's pure facade: ``Bot(articles).ask(text, language) → Reply``.

No Django import. The Django side adds what needs the database or the clock: ``handoff`` is
``reply.needs_human and <staffed now>`` (seed ``002_…txt``: "atendimento humano … dias úteis,
das 8h às 18h, exceto feriados"), the case with the transcript (masked with
:mod:`balcao.masking`) otherwise, and the gap inbox from ``reply.reason``.

For ``action == "choose"`` the reply still names the best article in ``article_id`` (the
batch contract has one id) and lists both in ``candidates`` so a chat UI can offer the choice.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterable
from dataclasses import dataclass, field

from balcao import embeddings
from balcao.bot import calibration
from balcao.bot.decision import Action, asked_for_human, decide, strip_human_request
from balcao.bot.retrieval import Article, Index, RetrievalOptions
from balcao.textnorm import language_family

_MESSAGES = {
    "pt": {
        "refuse": (
            "Desculpe, não encontrei uma resposta para a sua pergunta. Você pode reformular "
            "a pergunta ou falar com o nosso atendimento."
        ),
        "greeting": "Olá! Sou o assistente virtual. Em que posso ajudar?",
        "human": "Certo, vou verificar o atendimento por uma pessoa.",
        "choose": "Encontrei dois assuntos parecidos. Qual deles responde à sua dúvida?",
    },
    "en": {
        "refuse": (
            "Sorry, I could not find an answer to your question. You can rephrase it or "
            "contact our service desk."
        ),
        "greeting": "Hello! I am the virtual assistant. How can I help?",
        "human": "All right, I will check whether a person can take over.",
        "choose": "I found two close subjects. Which one answers your question?",
    },
}


@dataclass(frozen=True, slots=True)
class Candidate:
    article_id: str
    question: str
    score: float
    coverage: float


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says and what the Django side needs to decide a hand-off."""

    article_id: str | None  # None when the bot does not know (action 'refuse')
    confidence: float  # 0..1
    action: Action
    asked_for_human: bool
    answer: str
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""  # 'matched' | 'close-call' | 'low-coverage' | 'no-match' | 'greeting' …

    @property
    def needs_human(self) -> bool:
        """Offer a person (staffed hours) or a case: the bot does not know, or was asked.
        A greeting alone is not a failure to answer: greet back, offer nothing yet."""
        return self.asked_for_human or (self.action == "refuse" and self.reason != "greeting")

    def as_contract(self, handoff: bool = False) -> dict[str, object]:
        """The ``balcao bot ask --batch`` line; ``handoff`` is decided by the caller."""
        return {
            "article_id": self.article_id,
            "confidence": self.confidence,
            "handoff": handoff,
            "answer": self.answer,
        }


class Bot:
    """Retrieval plus decision over a fixed set of published articles (rebuild to update).

    The decision's lines are calibrated on the articles themselves when the bot is built
    (:mod:`balcao.bot.calibration`); ``calibrate=False`` keeps the defaults, and a
    :class:`~balcao.bot.calibration.Calibration` given is used as it is (one computed by
    another process for the same articles)."""

    def __init__(
        self,
        articles: Iterable[Article],
        options: RetrievalOptions | None = None,
        *,
        calibrate: bool | calibration.Calibration = True,
    ) -> None:
        articles = list(articles)
        with embeddings.building():  # each phrasing encoded once for all the indexes below
            if isinstance(calibrate, calibration.Calibration):
                self.calibration = calibrate
            elif calibrate:
                self.calibration = calibration.calibrate(articles, options)
            else:
                self.calibration = calibration.OFF
            # Built after the calibration's own indexes are gone, in the memory they left:
            # built before them, it kept the process's memory at its peak.
            self.index = Index(articles, options)
        give_back_free_memory()

    def ask(self, text: str, language: str | None = "pt-BR") -> Reply:
        messages = _MESSAGES[language_family(language)]
        human = asked_for_human(text)
        question = strip_human_request(text) if human else text
        terms = self.index.analyse(question, language)
        hits = self.index.search(question, language, limit=5) if terms else []
        decision = decide(hits, query_terms=len(terms), thresholds=self.calibration.thresholds)
        candidates = [
            Candidate(h.article.id, h.article.question, round(h.score, 4), round(h.coverage, 4))
            for h in decision.candidates
        ]
        if decision.action == "refuse":
            reason = decision.reason
            if not len(self.index):
                reason = "no-match"  # an empty base: whatever was asked, offer a person
            elif reason == "no-terms" and not human and text.strip():
                reason = "greeting"  # nothing but greetings / fillers: greet back, don't guess
            message = messages["human" if human else reason if reason == "greeting" else "refuse"]
            return Reply(None, decision.confidence, "refuse", human, message, candidates, reason)
        assert decision.top is not None
        top = decision.top.article
        if decision.action == "choose":
            options = " / ".join(c.question for c in candidates)
            answer = f"{messages['choose']} {options}"
        else:
            answer = top.answer
        return Reply(
            top.id,
            decision.confidence,
            decision.action,
            human,
            answer,
            candidates,
            decision.reason,
        )


def give_back_free_memory() -> None:
    """Hand the memory the build freed back to the system (glibc's ``malloc_trim``).

    The calibration's indexes, the encoder's batches and the memo's extra entries are freed
    once the bot is built, but glibc keeps freed memory in its arenas, so every worker
    stayed at about the build's peak (bench_bot at 5,000 articles: about 40 MB held).
    Elsewhere than glibc this does nothing."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass
