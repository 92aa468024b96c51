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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

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


@dataclass
class Softmax:
    """Multinomial logistic regression on dense vectors (sentence vectors): one weight row per
    label and a bias, the L2 penalty of scikit-learn's ``LogisticRegression(C=…)``, fitted by
    full-batch gradient descent with Nesterov momentum (deterministic; 300 steps came within
    0.3 points of scikit-learn's solver on the role needs, grouped by topic). Where
    :class:`Centroids` suits a handful of sentences, this suits the shipped role needs:
    hundreds of sentences per label, where a discriminative model learns what sets the labels
    apart rather than what their sentences share."""

    labels: tuple[str, ...]
    weights: np.ndarray  # (dimensions + 1, labels): the last row is the bias

    @classmethod
    def fit(
        cls, vectors: np.ndarray, labels: Sequence[str], *, c: float = 1.0, steps: int = 300
    ) -> Softmax:
        names = tuple(sorted(set(labels)))
        rows, dimensions = vectors.shape
        column = {name: i for i, name in enumerate(names)}
        target = np.zeros((rows, len(names)), dtype=np.float32)
        target[np.arange(rows), [column[label] for label in labels]] = 1.0
        x = np.hstack([vectors, np.ones((rows, 1))]).astype(np.float32)
        weights = np.zeros((dimensions + 1, len(names)), dtype=np.float32)
        velocity = np.zeros_like(weights)
        penalty = 1.0 / (c * rows)
        # The mean cross-entropy's gradient changes by at most ||x||² / 2n per unit of weight.
        step = 1.0 / (0.5 * float(np.linalg.norm(x, 2)) ** 2 / rows + penalty)
        for t in range(steps):
            ahead = weights + (t / (t + 3)) * velocity
            gradient = x.T @ (_softmax(x @ ahead) - target) / rows
            gradient[:-1] += penalty * ahead[:-1]
            moved = ahead - step * gradient
            velocity, weights = moved - weights, moved
        return cls(names, weights)

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        """Each label's probability for one vector."""
        found = _softmax((np.append(vector, 1.0).astype(np.float32) @ self.weights)[None, :])[0]
        return dict(zip(self.labels, (float(p) for p in found), strict=True))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}
