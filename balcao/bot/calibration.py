"""The bot's answer / choose / refuse lines, derived from the knowledge base in hand.

Pure Python (no Django). Issue 20: thresholds fitted to the demo base refused, on a base
nobody had tuned them on, most questions whose answer was in the base. What decides must come
from the base itself, computed again whenever the published articles change (the Django side
builds a new :class:`~balcao.bot.engine.Bot` on every publish, and the bot calibrates then).

How (:func:`calibrate`):

* **Positives** — each article's own other phrasings (``variants``), asked of an index that
  does not hold them: the variants are split in two folds by a stable hash; each fold is asked
  of an index built with that fold removed (the article keeps its question, its answer and the
  other fold). Every phrasing is asked twice more as a person types it — without accents and
  with a slip of the keyboard, and with a greeting around it and everyday abbreviations
  ("vc", "q", "pq") — by rules of general Portuguese and English, never of one base.
* **Negatives** — questions no public agency's FAQ answers (small talk, recipes, sport,
  consumer trouble with private companies, health symptoms…), shipped with the package in
  ``balcao/bot/data/out_of_domain.jsonl``, in pt-BR, pt-PT and English.
* **The line in meaning** (the cosine of the question with the top article, under the base's
  own measure: :mod:`balcao.bot.metric`) is where :data:`NEGATIVE_QUANTILE` of the negatives
  fall below it: those questions are refused on meaning alone, whatever the positives do.
  The base's own phrasings are unlike what citizens type (each is found first half the time,
  a citizen's question two times in three), and lines placed on them in meaning were too high
  for citizens' questions; the negatives are questions of the same kind as those to refuse.
* For every candidate line in words (the least coverage of the question the top article must
  have, with one matched word and with several) the share of positives answered with their
  own article and the share of negatives refused are counted; the line kept is the one with
  the best sum of the two (Youden's J), ties going to the lower line (a refusal costs the
  person more than a second question).

A base too small to measure (fewer than :data:`MIN_POSITIVES` phrasings), or one whose own
phrasings are found less than :data:`MIN_FOUND` of the time, keeps the defaults of
:mod:`balcao.bot.decision` and says so (``source == "default"``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from balcao.bot import decision
from balcao.bot.decision import Thresholds
from balcao.bot.retrieval import Article, Index, RetrievalOptions
from balcao.textnorm import fold, language_family

NEGATIVES_PATH = Path(__file__).with_name("data") / "out_of_domain.jsonl"
#: Below this many positive phrasings the calibration keeps the defaults.
MIN_POSITIVES = 12
#: At most this many variants are asked (a 5,000-article base is sampled, by stable hash).
MAX_POSITIVES = 600

#: Where the lines may go: wide enough for any base seen so far, narrow enough that a base whose
#: phrasings are hardly ever found cannot push the bot into refusing everything.
COVERAGE_GRID = tuple(round(0.15 + 0.025 * i, 3) for i in range(19))  # 0.15 … 0.60
SINGLE_TERM_GRID = tuple(round(0.45 + 0.05 * i, 2) for i in range(11))  # 0.45 … 0.95
#: A cosine no question reaches: without the encoder the words alone decide.
NEVER = 1.01
#: Share of the out-of-domain negatives whose cosine with their top article is below the line
#: in meaning. Chosen on the tuning sets with the base's own measure (overall, INPI / detran /
#: imcm-pt / previdencia): 0.85 → 91.8 / 74.9 / 58.0 / 71.1 %, 0.9 → 94.2 / 74.9 / 57.5 /
#: 74.4 %, 0.95 → 94.2 / 73.5 / 55.7 / 70.7 %; the line placed like the others, on the sum of
#: positives answered and negatives refused (grid 0.40 … 0.80), gave 95.5 / 70.1 / 51.9 /
#: 69.0 %.
NEGATIVE_QUANTILE = 0.9
#: When fewer of the base's own phrasings than this are found at the best line, what is
#: measured says more about the phrasings than about the line: keep the defaults.
MIN_FOUND = 0.25


@dataclass(frozen=True, slots=True)
class Calibration:
    """Thresholds and what they are expected to give on this base."""

    thresholds: Thresholds
    source: str  # "calibrated" | "default" (too few phrasings) | "off"
    positives: int = 0
    negatives: int = 0
    expected_in_scope: float | None = None  # share of positives answered with their article
    expected_refusal: float | None = None  # share of negatives refused

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "thresholds": asdict(self.thresholds)}

    @classmethod
    def from_dict(cls, data: dict) -> Calibration:
        """The inverse of :meth:`as_dict` (a calibration kept in a shared cache)."""
        return cls(**{**data, "thresholds": Thresholds(**data["thresholds"])})

    def describe(self) -> str:
        t = self.thresholds
        lines = (
            f"min coverage {t.min_coverage:.3f} (one matched word: "
            f"{t.min_coverage_single_term:.2f}), choice under a gap of {t.choose_margin:.2f}"
        )
        if t.min_similarity <= 1.0:
            lines += f", or a similarity in meaning of {t.min_similarity:.3f}"
        if self.source == "off":
            return f"calibration: off, default lines; {lines}"
        if self.source != "calibrated" and self.expected_in_scope is not None:
            return (
                f"calibration: defaults (only {self.expected_in_scope:.1%} of the base's "
                f"{self.positives} held-apart phrasings found: too few to place a line); {lines}"
            )
        if self.source != "calibrated":
            return (
                f"calibration: defaults ({self.positives} phrasings: too few to measure); {lines}"
            )
        return (
            f"calibration: {lines}; on the base's own held-apart phrasings "
            f"{self.expected_in_scope:.1%} answered right ({self.positives}), "
            f"{self.expected_refusal:.1%} of out-of-domain questions refused ({self.negatives})"
        )


DEFAULT = Calibration(Thresholds(), "default")
OFF = Calibration(Thresholds(), "off")


@dataclass(frozen=True, slots=True)
class _Observation:
    """What the decision needs of one asked question: the top hit's evidence."""

    right: bool  # the top article is the expected one (positives)
    coverage: float
    single: bool  # one matched term
    has_hit: bool
    similarity: float = 0.0


def calibrate(
    articles: Sequence[Article],
    options: RetrievalOptions | None = None,
    negatives: Sequence[tuple[str, str]] | None = None,
) -> Calibration:
    """The thresholds that best separate this base's held-apart phrasings from questions
    no agency answers."""
    if negatives is None:
        negatives = shipped_negatives()
    positives = _positives(articles)
    if len(positives) < MIN_POSITIVES:
        return replace(DEFAULT, positives=len(positives))
    pos_obs: list[_Observation] = []
    for fold_no in (0, 1):
        asked = [(a, text, lang) for (a, text, lang, f) in positives if f == fold_no]
        if not asked:
            continue
        held = {(a, text) for a, text, _lang in asked}
        index = Index(
            [_without(article, held) for article in articles], options or RetrievalOptions()
        )
        for article_id, text, language in asked:
            for typed in _as_typed(text, language):
                pos_obs.append(_observe(index, typed, language, article_id))
    full = Index(articles, options or RetrievalOptions())
    neg_obs = [_observe(full, text, language, None) for text, language in negatives]
    semantic = full.meaning is not None
    thresholds, tpr, tnr = _best_lines(pos_obs, neg_obs, semantic=semantic)
    if tpr < MIN_FOUND:
        return replace(
            DEFAULT,
            positives=len(pos_obs),
            negatives=len(neg_obs),
            expected_in_scope=round(tpr, 4),
            expected_refusal=round(tnr, 4),
        )
    return Calibration(
        thresholds,
        "calibrated",
        positives=len(pos_obs),
        negatives=len(neg_obs),
        expected_in_scope=round(tpr, 4),
        expected_refusal=round(tnr, 4),
    )


def _positives(articles: Sequence[Article]) -> list[tuple[str, str, str, int]]:
    """(article id, variant, language, fold) for every variant, sampled by stable hash when
    the base has more than MAX_POSITIVES."""
    found = []
    for article in articles:
        for variant in article.variants:
            if variant.strip():
                digest = hashlib.blake2b(f"{article.id}\x1f{variant}".encode(), digest_size=8)
                rank = int.from_bytes(digest.digest(), "big")
                found.append((rank, article.id, variant, article.language, rank & 1))
    found.sort()
    return [(a, text, lang, f) for _rank, a, text, lang, f in found[:MAX_POSITIVES]]


def _without(article: Article, held: set[tuple[str, str]]) -> Article:
    kept = [v for v in article.variants if (article.id, v) not in held]
    if len(kept) == len(article.variants):
        return article
    return replace(article, variants=kept)


def _observe(index: Index, text: str, language: str, expect: str | None) -> _Observation:
    question = decision.strip_human_request(text) if decision.asked_for_human(text) else text
    terms = index.analyse(question, language)
    hits = index.search(question, language, limit=2) if terms else []
    if not hits:
        return _Observation(False, 0.0, True, False)
    top = hits[0]
    return _Observation(
        right=expect is not None and top.article.id == expect,
        coverage=top.coverage if top.matched_terms else 0.0,
        single=len(top.matched_terms) <= 1,
        has_hit=True,
        similarity=top.similarity,
    )


def _best_lines(
    pos_obs: list[_Observation], neg_obs: list[_Observation], *, semantic: bool
) -> tuple[Thresholds, float, float]:
    """The lines with the best (positives answered right) + (negatives refused), ties going
    to the lower lines (the bot answers more); every combination of the grids is counted at
    once over arrays of the observations."""

    def arrays(observations: list[_Observation]) -> tuple[np.ndarray, ...]:
        return (
            np.array([o.coverage for o in observations], dtype=np.float64),
            np.array([o.single for o in observations], dtype=bool),
            np.array([o.has_hit for o in observations], dtype=bool),
            np.array([o.similarity for o in observations], dtype=np.float64),
            np.array([o.right for o in observations], dtype=bool),
        )

    p_cov, p_single, p_hit, p_sim, p_right = arrays(pos_obs)
    n_cov, n_single, n_hit, n_sim, _ = arrays(neg_obs)
    similarity_grid = (
        (round(float(np.quantile(n_sim, NEGATIVE_QUANTILE)), 3),)
        if semantic and len(neg_obs)
        else (NEVER,)
    )
    best_key: tuple[float, ...] | None = None
    chosen = (Thresholds(), 0.0, 0.0)
    for single in SINGLE_TERM_GRID:
        for coverage in COVERAGE_GRID:
            if single < coverage:
                continue
            p_words = (p_cov > 0) & (p_cov >= np.where(p_single, single, coverage))
            n_words = (n_cov > 0) & (n_cov >= np.where(n_single, single, coverage))
            for line in similarity_grid:
                p_answer = p_hit & (p_words | ((p_sim > 0) & (p_sim >= line)))
                n_answer = n_hit & (n_words | ((n_sim > 0) & (n_sim >= line)))
                tpr = float((p_answer & p_right).mean()) if len(pos_obs) else 0.0
                tnr = float((~n_answer).mean()) if len(neg_obs) else 1.0
                key = (round(tpr + tnr, 9), -coverage, -single, -line)
                if best_key is None or key > best_key:
                    best_key = key
                    chosen = (Thresholds(coverage, single, min_similarity=line), tpr, tnr)
    return chosen


# --- how people type ---------------------------------------------------------------------

_ABBREVIATIONS = {
    "pt": {
        "voce": "vc",
        "voces": "vcs",
        "que": "q",
        "porque": "pq",
        "por que": "pq",
        "quero": "qro",
        "tambem": "tb",
        "para": "pra",
        "nao": "n",
        "beleza": "blz",
        "mensagem": "msg",
        "obrigado": "obg",
    },
    "en": {"you": "u", "are": "r", "please": "pls", "because": "bc", "your": "ur"},
}
_GREETINGS = {
    "pt": ("oi, ", "bom dia, preciso de ajuda: ", "ola boa tarde ", "por favor, "),
    "en": ("hi, ", "hello, I need help: ", "good morning ", "please, "),
}


def _as_typed(text: str, language: str) -> list[str]:
    """The phrasing as written, and twice as a person might type it (deterministic)."""
    family = "en" if language_family(language) == "en" else "pt"
    seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big")
    plain = fold(text)
    words = plain.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if long_words:
        i = long_words[seed % len(long_words)]
        w = words[i]
        j = 1 + seed % (len(w) - 2)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]  # two letters swapped
    slipped = " ".join(words)
    abbreviated = plain
    for full, short in _ABBREVIATIONS[family].items():
        abbreviated = re.sub(rf"\b{full}\b", short, abbreviated)
    greeting = _GREETINGS[family][seed % len(_GREETINGS[family])]
    return [text, slipped, greeting + abbreviated]


@lru_cache(maxsize=1)
def shipped_negatives() -> tuple[tuple[str, str], ...]:
    """(text, language) of the out-of-domain questions shipped with the package."""
    found = []
    with NEGATIVES_PATH.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                data = json.loads(line)
                found.append((str(data["text"]), str(data.get("language") or "pt-BR")))
    return tuple(found)
