"""The base's own measure of nearness in meaning (balcao.bot.metric; issue 20: "calibrate from
the knowledge base itself")."""

from __future__ import annotations

import numpy as np
import pytest

from balcao.bot import metric
from balcao.bot.retrieval import Article, Index, RetrievalOptions
from tests.conftest import needs_encoder


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def two_close_subjects(rng: np.random.Generator, per_article: int = 12):
    """Phrasings of two articles that share a large common part and differ on one axis
    only a little, with noise on the others: the plain cosine hardly tells them apart."""
    dims = 16
    common = np.zeros(dims)
    common[0] = 1.0
    vectors, owner = [], []
    for article, sign in ((0, 1.0), (1, -1.0)):
        for _ in range(per_article):
            v = common + 0.25 * rng.normal(size=dims)
            v[1] = 0.3 * sign + 0.05 * rng.normal()
            vectors.append(v)
            owner.append(article)
    return unit(np.array(vectors)), np.array(owner)


def margin(w: np.ndarray | None, vectors: np.ndarray, owner: np.ndarray) -> float:
    """Mean of (cosine with the own article − cosine with the other) over the phrasings."""
    sums = np.zeros((2, vectors.shape[1]), dtype=np.float32)
    np.add.at(sums, owner, vectors)
    articles = metric.apply(w, unit(sums))
    asked = metric.apply(w, vectors)
    cosines = asked @ articles.T
    own = cosines[np.arange(len(owner)), owner]
    other = cosines[np.arange(len(owner)), 1 - owner]
    return float(np.mean(own - other))


def test_the_learnt_map_sets_an_articles_phrasings_apart_from_its_neighbours() -> None:
    rng = np.random.default_rng(7)
    vectors, owner = two_close_subjects(rng)
    w = metric.fit(vectors, owner, 2)
    assert w.shape == (16, 16) and w.dtype == np.float32
    # new phrasings, never seen while learning, are told apart better too
    fresh, fresh_owner = two_close_subjects(np.random.default_rng(8))
    assert margin(w, vectors, owner) > 2 * margin(None, vectors, owner)
    assert margin(w, fresh, fresh_owner) > margin(None, fresh, fresh_owner) + 0.05


def test_the_same_base_gives_the_same_map() -> None:
    vectors, owner = two_close_subjects(np.random.default_rng(1))
    first = metric.fit(vectors, owner, 2)
    assert metric.fit(vectors, owner, 2) is first  # kept: the calibration's and the bot's index
    metric._memo.clear()
    again = metric.fit(vectors, owner, 2)
    assert again is not first and np.array_equal(again, first)


def test_nothing_is_learnt_from_bare_questions_or_a_single_article() -> None:
    vectors, owner = two_close_subjects(np.random.default_rng(2), per_article=3)
    assert metric.fit(vectors, owner, 2) is None
    one, _ = two_close_subjects(np.random.default_rng(3))
    assert metric.fit(one, np.zeros(len(one), dtype=np.intp), 1) is None


def test_a_large_base_is_learnt_on_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metric, "BATCH", 8)
    monkeypatch.setattr(metric, "ARTICLES_PER_STEP", 1)
    vectors, owner = two_close_subjects(np.random.default_rng(4))
    w = metric.fit(vectors, owner, 2)
    assert margin(w, vectors, owner) > margin(None, vectors, owner)


def art(id: str, question: str, variants: list[str], answer: str = "") -> Article:
    return Article(id=id, question=question, answer=answer or question, variants=variants)


VARIANTS = [
    art(
        "segunda-via",
        "Como pedir a segunda via da carteira de motorista?",
        ["perdi minha CNH, como tiro outra", "quero uma nova via da habilitação",
         "minha carteira foi roubada, o que faço"],
    ),
    art(
        "renovar",
        "Como renovar a carteira de motorista vencida?",
        ["minha CNH venceu, como renovo", "renovação da habilitação",
         "a carteira está para vencer, o que fazer"],
    ),
    art(
        "pontos",
        "Como consultar os pontos da carteira de motorista?",
        ["quantos pontos tenho na CNH", "ver pontuação da habilitação",
         "multas e pontos na carteira"],
    ),
    art(
        "exame",
        "Como marcar o exame prático de direção?",
        ["agendar prova de direção", "quando faço o exame de rua",
         "marcar prova prática da autoescola"],
    ),
    art(
        "transferir",
        "Como transferir um veículo comprado de outra pessoa?",
        ["comprei um carro usado, como passo para meu nome", "transferência de propriedade",
         "vendi meu carro, como comunico a venda"],
    ),
]  # fmt: skip


@needs_encoder
def test_an_index_learns_the_measure_only_when_the_base_has_variants_and_it_is_asked() -> None:
    index = Index(VARIANTS)
    assert index.meaning is not None and index.meaning.map is not None
    assert Index(VARIANTS, RetrievalOptions(metric=False)).meaning.map is None
    bare = [art(a.id, a.question, []) for a in VARIANTS]
    assert Index(bare).meaning.map is None
    hits = index.search("roubaram minha habilitação ontem", "pt-BR")
    assert hits[0].article.id == "segunda-via"
    assert -1.0 <= hits[0].similarity <= 1.0
