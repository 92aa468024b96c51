"""balcao.catalog.learned: profiles learned from an agency's own texts (pure, no database)."""

from __future__ import annotations

import numpy as np

from balcao.catalog.learned import Centroids, Softmax, _softmax, features

EXAMPLES = [
    ("pedido de aposentadoria por idade", "pt-BR", "beneficios"),
    ("aposentar por tempo de contribuição", "pt-BR", "beneficios"),
    ("reclamação sobre o atendimento recebido", "pt-BR", "ouvidoria"),
    ("denúncia de fraude ou irregularidade", "pt-BR", "ouvidoria"),
    ("acesso a documentos e dados públicos", "pt-BR", "informacao"),
    ("cópia de processo administrativo", "pt-BR", "informacao"),
]


def test_a_need_scores_highest_with_the_label_of_its_kind():
    model = Centroids.fit(EXAMPLES)
    for text, expected in [
        ("quero me aposentar, como faço o pedido", "beneficios"),
        ("fui mal atendido e quero reclamar", "ouvidoria"),
        ("preciso de uma copia do meu processo", "informacao"),
    ]:
        scores = model.scores(text, "pt-BR")
        assert max(scores, key=scores.get) == expected, (text, scores)
        assert all(0.0 <= s <= 1.0 + 1e-9 for s in scores.values())


def test_slips_and_missing_accents_keep_most_features():
    right = features("aposentadoria", "pt-BR")
    slip = features("APOSENTADOIRA", "pt-BR")
    shared = sum((right & slip).values()) / sum(right.values())
    assert shared > 0.5
    model = Centroids.fit(EXAMPLES)
    scores = model.scores("aposentadoira", "pt-BR")
    assert max(scores, key=scores.get) == "beneficios"


def test_nothing_to_go_on_scores_zero():
    model = Centroids.fit(EXAMPLES)
    assert set(model.scores("olá, bom dia", "pt-BR").values()) == {0.0}
    assert Centroids.fit([]).scores("qualquer coisa", "pt-BR") == {}


def _clusters(seed: int = 7) -> tuple[np.ndarray, list[str]]:
    """Three labels around three directions of a 16-dimensional space, with noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 16))
    rows, labels = [], []
    for i, name in enumerate(("ombudsman", "phone", "written")):
        rows.append(centres[i] + 0.8 * rng.normal(size=(40, 16)))
        labels += [name] * 40
    return np.vstack(rows).astype(np.float32), labels


def test_softmax_learns_the_labels_and_gives_probabilities():
    vectors, labels = _clusters()
    model = Softmax.fit(vectors, labels)
    assert model.labels == ("ombudsman", "phone", "written")
    right = 0
    for vector, label in zip(vectors, labels, strict=True):
        chances = model.probabilities(vector)
        assert abs(sum(chances.values()) - 1.0) < 1e-5
        right += max(chances, key=chances.get) == label
    assert right >= 0.95 * len(labels)
    again = Softmax.fit(vectors, labels)
    assert np.array_equal(model.weights, again.weights)  # no randomness: the same fit


def test_softmax_reaches_the_penalised_optimum():
    """The weights found are where the gradient of scikit-learn's objective (the sum of the
    cross-entropies plus half the squared weights over C; the bias not penalised) vanishes."""
    vectors, labels = _clusters(seed=3)
    c = 1.0
    model = Softmax.fit(vectors, labels, c=c, steps=2000)
    x = np.hstack([vectors, np.ones((len(vectors), 1))]).astype(np.float64)
    target = np.zeros((len(labels), 3))
    target[np.arange(len(labels)), [model.labels.index(label) for label in labels]] = 1.0
    weights = model.weights.astype(np.float64)
    gradient = c * x.T @ (_softmax(x @ weights) - target)
    gradient[:-1] += weights[:-1]
    assert np.abs(gradient).max() < 1e-2 * np.abs(weights).max()
