"""Grouping the questions the bot could not answer (pure: no Django).

Two questions belong together when their sets of content stems overlap enough
(Jaccard similarity ≥ ``SIMILAR``): "como pago a gru?" and "pagar GRU como faz"
land in one group, which a knowledge manager turns into one article or variant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from balcao.textnorm import STOP_WORDS, language_family, stems, tokens

SIMILAR = 0.5


def content_stems(text: str, language: str | None = "pt-BR") -> list[str]:
    """Sorted distinct stems of the words that carry meaning (no stop words)."""
    stop = STOP_WORDS[language_family(language)]
    words = [w for w in tokens(text) if w not in stop and len(w) > 1]
    return sorted(set(stems(" ".join(words), language)))


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def best_group(candidate: Sequence[str], groups: Iterable[tuple[int, Sequence[str]]]) -> int | None:
    """The id of the most similar group at or above the threshold, or None."""
    best_id, best_score = None, SIMILAR
    for group_id, group_stems in groups:
        score = similarity(candidate, group_stems)
        if score >= best_score:
            best_id, best_score = group_id, score
    return best_id
