"""A text classifier for the triage, trained on an agency's own texts (pure: no Django).

Issue 20: the triage must be the agency's data — its catalogue's texts and the needs it has
labelled — not phrase cues written for the INPI's nine channels. :class:`Centroids` learns one
profile per label (a channel slug, or ``merit-not-discussed``) from example texts: each text
becomes a TF-IDF vector of its word stems and of the character 4-grams of its folded words
(so "aposentadoria", "aposentar" and "aposentadoira" share most of their features), the
vectors of a label are averaged and normalised, and a need is scored by its cosine with each
profile. Averages suit what an agency has: a handful of sentences per channel (the "ideal
para" items, the purpose, a few labelled needs), where a discriminative model would learn
the noise.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from balcao.textnorm import STOP_WORDS, fold, language_family, stems, tokens

NGRAM = 4


def features(text: str, language: str) -> Counter[str]:
    """Word stems (``w:``) and character 4-grams of the folded content words (``c:``)."""
    family = language_family(language)
    stop = STOP_WORDS.get(family, frozenset())
    words = [w for w in tokens(fold(text)) if w not in stop and len(w) > 1]
    found: Counter[str] = Counter()
    if not words:
        return found
    for stem in stems(" ".join(words), "en" if family == "en" else "pt-BR"):
        found["w:" + stem] += 1
    for word in words:
        padded = f" {word} "
        if len(padded) <= NGRAM:
            found["c:" + padded] += 1
            continue
        for i in range(len(padded) - NGRAM + 1):
            found["c:" + padded[i : i + NGRAM]] += 1
    return found


@dataclass
class Centroids:
    """One normalised TF-IDF profile per label; :meth:`scores` gives cosines in 0..1."""

    idf: dict[str, float]
    profiles: dict[str, dict[str, float]]

    @classmethod
    def fit(cls, examples: Iterable[tuple[str, str, str]]) -> Centroids:
        """``examples`` are (text, language, label)."""
        rows = [(features(text, lang), label) for text, lang, label in examples]
        rows = [(f, label) for f, label in rows if f]
        documents = len(rows) or 1
        frequency: Counter[str] = Counter()
        for found, _label in rows:
            frequency.update(found.keys())
        idf = {term: math.log(1 + documents / n) for term, n in frequency.items()}
        sums: dict[str, dict[str, float]] = defaultdict(dict)
        for found, label in rows:
            vector = _unit({t: (1 + math.log(n)) * idf[t] for t, n in found.items()})
            profile = sums[label]
            for term, value in vector.items():
                profile[term] = profile.get(term, 0.0) + value
        return cls(idf, {label: _unit(profile) for label, profile in sums.items()})

    def scores(self, text: str, language: str) -> dict[str, float]:
        found = features(text, language)
        vector = _unit(
            {t: (1 + math.log(n)) * self.idf[t] for t, n in found.items() if t in self.idf}
        )
        return {
            label: sum(value * profile.get(term, 0.0) for term, value in vector.items())
            for label, profile in self.profiles.items()
        }


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}
