"""balcao.catalog.learned: profiles learned from an agency's own texts (pure, no database)."""

from __future__ import annotations

from balcao.catalog.learned import Centroids, features

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
