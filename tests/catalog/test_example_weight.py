"""How much an agency's labelled needs weigh in the triage, chosen on those needs themselves
(balcao.catalog.recommender.calibrate_examples; issue 20: "derived from the base in hand")."""

from __future__ import annotations

from typing import Any

import pytest

from balcao.catalog import recommender
from balcao.catalog.recommender import ChannelInfo


@pytest.fixture(scope="module")
def no_cues() -> recommender.TriageRules:
    """The shipped rules without the demo's channel cues: every channel is scored on its own
    texts, its role and the labelled needs, as another agency's would be."""
    return recommender.general_rules()


def _labelled(needs: list[dict[str, Any]], count: int) -> tuple[recommender.Example, ...]:
    return tuple((n["text"], n.get("language") or "pt-BR", n["expect"]) for n in needs[:count])


def test_needs_that_agree_with_each_other_weigh(channels: list[ChannelInfo], needs, no_cues):
    examples = _labelled(needs, 40)
    assert recommender.calibrate_examples(examples, channels, no_cues) > 0


def test_needs_labelled_at_random_weigh_nothing(channels: list[ChannelInfo], needs, no_cues):
    """Each need given a channel in turn, whatever it asks: taught to the triage, they would
    only mislead it, and their own cross-validation says so."""
    slugs = [c.slug for c in channels if c.active]
    examples = _labelled(needs, 40)
    dealt = tuple(
        (text, language, slugs[i % len(slugs)])
        for i, (text, language, _label) in enumerate(examples)
    )
    assert sum(a[2] != b[2] for a, b in zip(examples, dealt, strict=True)) > 30
    assert recommender.calibrate_examples(dealt, channels, no_cues) == 0.0


def test_a_few_needs_weigh_the_default_and_none_nothing(channels: list[ChannelInfo], no_cues):
    few = (("o vazamento de tinta manchou meu documento", "pt-BR", "ouvidoria"),) * 3
    assert recommender.calibrate_examples(few, channels, no_cues) == (
        recommender.DEFAULT_EXAMPLE_WEIGHT
    )
    assert recommender.calibrate_examples((), channels, no_cues) == 0.0


def test_the_chosen_weight_is_what_the_triage_uses(
    channels: list[ChannelInfo], needs, no_cues, monkeypatch
):
    examples = _labelled(needs, 40)
    weight = recommender.calibrate_examples(examples, channels, no_cues)
    need = "quero saber o andamento do meu pedido de patente"
    chosen = recommender.recommend(need, "pt-BR", None, channels, rules=no_cues, examples=examples)
    given = recommender.recommend(
        need, "pt-BR", None, channels, rules=no_cues, examples=examples, example_weight=weight
    )
    assert chosen.scores == given.scores
    # Asked again, the weight is not computed again.
    calls = []
    real = recommender.recommend
    monkeypatch.setattr(recommender, "recommend", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert recommender.calibrate_examples(examples, channels, no_cues) == weight
    assert not calls
