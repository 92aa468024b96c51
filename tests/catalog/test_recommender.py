"""The pure channel recommender (contract: shared/contracts/triage.md; catalogue: seed 000)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from balcao.catalog.recommender import (
    DEMO_CATALOG_PATH,
    MERIT_NOT_DISCUSSED,
    ChannelInfo,
    ChannelTexts,
    TriageInputError,
    appeal_text_from_catalog,
    channels_from_catalog,
    recommend,
)

SLUGS = (
    "chatbot",
    "conecta-todos",
    "fale-conosco",
    "comex-responde",
    "ouvidoria",
    "sic",
    "telepresencial",
    "reclame-aqui",
    "resolucao-pacifica",
)


def _slugs(channels: list[ChannelInfo]) -> set[str]:
    return {c.slug for c in channels}


# --- The demo catalogue -----------------------------------------------------------------------


def test_demo_catalogue_has_five_levels_and_the_contract_slugs(catalog: dict[str, Any]) -> None:
    assert [level["number"] for level in catalog["levels"]] == [1, 2, 3, 4, 5]
    assert tuple(c["slug"] for c in catalog["channels"]) == SLUGS
    for level in catalog["levels"]:
        assert set(level["name"]) == set(level["purpose"]) == {"pt-BR", "pt-PT", "en"}


def test_demo_catalogue_texts_follow_the_seed(catalog: dict[str, Any]) -> None:
    by_slug = {c["slug"]: c for c in catalog["channels"]}
    assert by_slug["chatbot"]["ideal_for"]["pt-BR"] == ["resposta a dúvidas simples e frequentes"]
    assert by_slug["chatbot"]["hours"]["spec"] == "24/7/365"
    assert by_slug["conecta-todos"]["hours"]["times"] == ["10:00", "14:00"]
    assert by_slug["fale-conosco"]["deadline"]["policy"] == "fale-conosco"
    assert by_slug["comex-responde"]["deadline"]["policy"] == "fale-conosco"
    assert by_slug["ouvidoria"]["deadline"]["policy"] == "inpi-ouvidoria"
    assert by_slug["sic"]["deadline"]["policy"] == "lai"
    assert by_slug["resolucao-pacifica"]["deadline"] == {
        "policy": None,
        "agreed": True,
        "source": "seed: PRAZO: acordado entre o usuário e o INPI (partes envolvidas)",
    }
    assert by_slug["reclame-aqui"]["entry_point"]["kind"] == "external"
    assert "mérito de decisões" in catalog["merit_statement"]["pt-BR"]
    for channel in catalog["channels"]:
        for key in ("name", "purpose", "ideal_for", "not_advised_for", "terms"):
            assert set(channel[key]) == {"pt-BR", "pt-PT", "en"}, (channel["slug"], key)
        assert channel["level"] in range(1, 6)
    services = {s["name"]["pt-BR"] for s in catalog["services"]}
    assert {"Marcas", "Patentes", "Desenho Industrial", "Programa de Computador"} <= services


# --- The issue's three examples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quero saber quanto custa registrar minha marca", "chatbot"),
        ("meu pedido foi indeferido injustamente e ninguém me responde há 2 meses", "ouvidoria"),
        ("preciso de cópia do processo administrativo X", "sic"),
    ],
)
def test_issue_examples(text: str, expected: str, channels: list[ChannelInfo]) -> None:
    result = recommend(text, "pt-BR", None, channels)
    assert result.channel == expected
    assert result.alternative != result.channel
    assert result.alternative in SLUGS


# --- Merit versus mention (seed 000; Portaria art. 33) ----------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("quero que revejam a decisão que indeferiu minha marca", "pt-BR"),
        ("como faço para reverter o indeferimento da minha patente?", "pt-BR"),
        ("quero contestar o parecer do examinador, ele errou", "pt-BR"),
        ("I want INPI to reverse the rejection of my trademark", "en"),
        ("please reconsider the refusal of my patent application", "en"),
        ("Discordo do indeferimento e peço que a decisão seja reapreciada.", "pt-PT"),
    ],
)
def test_asking_to_review_a_decision_is_merit_not_discussed(
    text: str, language: str, channels: list[ChannelInfo]
) -> None:
    result = recommend(text, language, None, channels)
    assert result.channel == MERIT_NOT_DISCUSSED
    assert result.alternative in SLUGS


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("qual o prazo para recorrer de um indeferimento de marca?", "pt-BR", "chatbot"),
        ("how long do I have to appeal a decision from INPI?", "en", "chatbot"),
        (
            "meu pedido foi indeferido e quero entender o parecer, não é pra mudar a decisão",
            "pt-BR",
            "telepresencial",
        ),
        (
            "my application was refused and I asked for the file but nobody answered me",
            "en",
            "ouvidoria",
        ),
    ],
)
def test_a_need_that_only_mentions_a_decision_gets_a_channel(
    text: str, language: str, expected: str, channels: list[ChannelInfo]
) -> None:
    assert recommend(text, language, None, channels).channel == expected


def test_merit_explanation_points_to_the_appeal_and_its_deadline(
    channels: list[ChannelInfo],
) -> None:
    pt = recommend("quero reverter o indeferimento da minha marca", "pt-BR", None, channels)
    assert pt.channel == MERIT_NOT_DISCUSSED
    assert "Nenhum canal" in pt.why and "mérito" in pt.why
    # without the agency's own appeal rule, no law and no deadline are named (issue 20)
    assert "recurso" in pt.why and "prazo" in pt.why and "9.279" not in pt.why
    assert "60 dias" not in pt.why
    en = recommend("please overturn the refusal of my patent", "en", None, channels)
    assert "No service channel" in en.why and "appeal" in en.why and "9,279" not in en.why
    # the INPI catalogue's own appeal rule names its law and its 60 days
    catalog = json.loads(DEMO_CATALOG_PATH.read_text(encoding="utf-8"))
    inpi = recommend(
        "quero reverter o indeferimento da minha marca",
        "pt-BR",
        None,
        channels,
        appeal_text=appeal_text_from_catalog(catalog, "pt-BR"),
    )
    assert "60 dias" in inpi.why and "9.279/1996, art. 212" in inpi.why


def test_about_decision_answer_tips_a_disagreement(channels: list[ChannelInfo]) -> None:
    text = "não concordo com o parecer do meu pedido"
    assert recommend(text, "pt-BR", {"about_decision": True}, channels).channel == (
        MERIT_NOT_DISCUSSED
    )
    assert recommend(text, "pt-BR", {"about_decision": False}, channels).channel != (
        MERIT_NOT_DISCUSSED
    )


def test_appeal_text_of_the_agency_replaces_the_default(channels: list[ChannelInfo]) -> None:
    result = recommend(
        "quero que revejam a decisão",
        "pt-BR",
        None,
        channels,
        appeal_text="Recurso em 30 dias (regra da agência).",
    )
    assert "Recurso em 30 dias (regra da agência)." in result.why
    assert "60 dias" not in result.why


# --- Explanations ------------------------------------------------------------------------------


def test_why_names_ideal_for_and_the_deadline(channels: list[ChannelInfo]) -> None:
    result = recommend("preciso de cópia do processo administrativo X", "pt-BR", None, channels)
    assert "pedidos de acesso à informação mais complexos" in result.why
    assert "20 dias" in result.why


def test_why_names_hours_of_an_always_open_channel(channels: list[ChannelInfo]) -> None:
    result = recommend("quanto custa registrar minha marca", "pt-BR", None, channels)
    assert "resposta a dúvidas simples e frequentes" in result.why
    assert "24 horas por dia" in result.why


def test_why_names_the_not_advised_of_a_channel_set_aside(channels: list[ChannelInfo]) -> None:
    result = recommend(
        "como faço para cumprir a exigência técnica do meu pedido de patente?",
        "pt-BR",
        None,
        channels,
    )
    assert result.channel == "fale-conosco"
    assert "Chatbot do INPI ficou de lado" in result.why
    assert "desaconselhado para casos técnicos" in result.why


def test_urgent_need_says_no_channel_is_ideal_and_gives_the_deadline(
    channels: list[ChannelInfo],
) -> None:
    result = recommend(
        "preciso de cópia do processo administrativo X", "pt-BR", {"urgent": True}, channels
    )
    assert result.channel == "sic"
    assert "Nenhum canal é ideal para casos urgentes." in result.why
    assert "desaconselhado para casos urgentes" in result.why
    assert "20 dias" in result.why
    en = recommend("I need a copy of my patent file, it is urgent", "en", None, channels)
    assert "No channel is ideal for urgent cases." in en.why


def test_urgent_answer_no_overrides_the_text(channels: list[ChannelInfo]) -> None:
    result = recommend("copia do processo urgente", "pt-BR", {"urgent": False}, channels)
    assert "urgentes" not in result.why


@pytest.mark.parametrize(
    ("text", "language", "marker"),
    [
        ("queria uma sessão ao vivo com alguém me mostrando a tela", "pt-BR", "Recomendamos"),
        ("quero assistir a uma sessão aberta por videochamada", "pt-PT", "partilha de ecrã"),
        ("is there a live video session to walk me through filing?", "en", "We recommend"),
    ],
)
def test_why_is_in_the_language_of_the_need(
    text: str, language: str, marker: str, channels: list[ChannelInfo]
) -> None:
    result = recommend(text, language, None, channels)
    assert result.channel == "conecta-todos"
    assert marker in result.why
    if language == "en":
        assert "ideal for" in result.why and "ideal para" not in result.why


def test_negated_cue_does_not_count(channels: list[ChannelInfo]) -> None:
    text = "não quero fazer reclamação, só quero saber quanto custa o registro de marca"
    assert recommend(text, "pt-BR", None, channels).channel == "chatbot"
    text = "I don't want to complain, just need to know the fee for a patent"
    assert recommend(text, "en", None, channels).channel == "chatbot"


def test_negation_reaches_over_a_verb_of_asking(channels: list[ChannelInfo]) -> None:
    text = "indeferiram meu pedido; não estou pedindo pra mudar nada, só quero o prazo do recurso"
    assert recommend(text, "pt-BR", None, channels).channel != MERIT_NOT_DISCUSSED


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # seed 000: Reclame Aqui is "ideal para" dissatisfaction with the service itself...
        ("o atendente foi muito grosseiro comigo", "pt-BR", "reclame-aqui"),
        ("the attendant was rude and unprofessional", "en", "reclame-aqui"),
        ("support was condescending, I am too busy for long procedures", "en", "reclame-aqui"),
        # ...the Ouvidoria takes the inefficiency of the other channels
        ("mandei email pro fale conosco há 3 semanas e ninguém respondeu", "pt-BR", "ouvidoria"),
        ("I want to complain about the chatbot, its answers are useless", "en", "ouvidoria"),
    ],
)
def test_dissatisfaction_with_the_service_versus_inefficiency_of_a_channel(
    text: str, language: str, expected: str, channels: list[ChannelInfo]
) -> None:
    assert recommend(text, language, None, channels).channel == expected


def test_a_channel_named_as_already_tried_does_not_count_for_itself(
    channels: list[ChannelInfo],
) -> None:
    text = "já reclamei no reclame aqui e nada foi resolvido, quero uma conciliação com o inpi"
    assert recommend(text, "pt-BR", None, channels).channel == "resolucao-pacifica"
    text = "the ombudsman couldn't solve it, can we reach an agreement with INPI?"
    assert recommend(text, "en", None, channels).channel == "resolucao-pacifica"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("paguei a taxa de renovação duas vezes, como peço o reembolso?", "pt-BR"),
        ("we paid the fee but the certificate was never issued", "en"),
        ("what is the procedure to file an opposition against a competitor's mark?", "en"),
    ],
)
def test_a_problem_with_ones_own_request_is_not_a_simple_question(
    text: str, language: str, channels: list[ChannelInfo]
) -> None:
    assert recommend(text, language, None, channels).channel == "fale-conosco"
    simple = "quanto custa a taxa de renovação?"
    assert recommend(simple, "pt-BR", None, channels).channel == "chatbot"


def test_a_very_specific_technical_clarification_goes_to_the_telepresential_service(
    channels: list[ChannelInfo],
) -> None:
    text = "preciso de esclarecimento técnico sobre o teor de um despacho muito específico"
    assert recommend(text, "pt-BR", None, channels).channel == "telepresencial"


def test_unmatched_need_goes_to_pre_service(channels: list[ChannelInfo]) -> None:
    result = recommend("xyzzy", "pt-BR", None, channels)
    assert result.channel == "chatbot"
    assert "pré-atendimento" in result.why


def test_to_json_keeps_the_contract_order(channels: list[ChannelInfo]) -> None:
    obj = recommend("quanto custa uma patente", None, None, channels).to_json()
    assert list(obj)[:3] == ["channel", "alternative", "why"]
    assert [q["id"] for q in obj["questions"]] == ["urgent", "about_decision"]
    answered = recommend("quanto custa", "pt-BR", {"urgent": False}, channels).to_json()
    assert [q["id"] for q in answered["questions"]] == ["about_decision"]


def test_same_need_same_answer(channels: list[ChannelInfo]) -> None:
    text = "paguei a GRU e o sistema diz que não foi paga"
    first = recommend(text, "pt-BR", None, channels).to_json()
    assert all(recommend(text, "pt-BR", None, channels).to_json() == first for _ in range(3))


# --- The catalogue the agency keeps ------------------------------------------------------------


@pytest.mark.parametrize("dropped", SLUGS)
def test_inactive_channel_is_never_recommended(
    dropped: str, catalog: dict[str, Any], needs: list[dict[str, Any]]
) -> None:
    edited = dict(catalog)
    edited["channels"] = [dict(c, active=(c["slug"] != dropped)) for c in catalog["channels"]]
    channels = channels_from_catalog(edited)
    for need in needs[::6]:
        result = recommend(need["text"], need["language"], None, channels)
        assert dropped not in (result.channel, result.alternative)
        assert dropped not in result.scores


def test_channel_absent_from_the_list_is_never_recommended(channels: list[ChannelInfo]) -> None:
    without_sic = [c for c in channels if c.slug != "sic"]
    result = recommend("preciso de cópia do processo administrativo X", "pt-BR", None, without_sic)
    assert result.channel in _slugs(without_sic)
    assert result.alternative in _slugs(without_sic)


def test_only_one_channel_left(channels: list[ChannelInfo]) -> None:
    only = [c for c in channels if c.slug == "ouvidoria"]
    result = recommend("quanto custa registrar marca", "pt-BR", None, only)
    assert result.channel == "ouvidoria"
    assert result.alternative is None


def test_renamed_channel_keeps_its_slug_and_is_found_by_its_new_name(
    channels: list[ChannelInfo],
) -> None:
    renamed = [
        dataclasses.replace(
            c,
            name="Central de Dúvidas Técnicas",
            texts={
                lang: dataclasses.replace(t, name="Central de Dúvidas Técnicas")
                for lang, t in c.texts.items()
            },
        )
        if c.slug == "fale-conosco"
        else c
        for c in channels
    ]
    result = recommend("recebi uma exigência no meu pedido de marca", "pt-BR", None, renamed)
    assert result.channel == "fale-conosco"
    assert "Central de Dúvidas Técnicas" in result.why
    named = recommend("quero escrever para a central de duvidas tecnicas", "pt-BR", None, renamed)
    assert named.channel == "fale-conosco"


def test_agency_channel_can_borrow_rules(channels: list[ChannelInfo]) -> None:
    own = ChannelInfo(
        slug="ouvidoria-geral",
        name="Ouvidoria-Geral",
        level=3,
        ideal_for=("manifestações de todo tipo",),
        deadline_text="30 dias",
        rules_key="ouvidoria",
    )
    edited = [c for c in channels if c.slug != "ouvidoria"] + [own]
    result = recommend("quero fazer uma denúncia", "pt-BR", None, edited)
    assert result.channel == "ouvidoria-geral"
    assert "manifestações de todo tipo" in result.why and "30 dias" in result.why


def test_channel_without_rules_is_scored_on_its_own_texts(channels: list[ChannelInfo]) -> None:
    library = ChannelInfo(
        slug="biblioteca",
        name="Biblioteca de Patentes",
        level=4,
        ideal_for=("consulta ao acervo histórico de documentos de patentes",),
        texts={"pt-BR": ChannelTexts("Biblioteca de Patentes", ("consulta ao acervo histórico",))},
    )
    result = recommend("quero consultar o acervo histórico", "pt-BR", None, [*channels, library])
    assert result.channel == "biblioteca"


# --- Input errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None, 42])
def test_empty_text_is_an_error_naming_text(text: Any, channels: list[ChannelInfo]) -> None:
    with pytest.raises(TriageInputError) as caught:
        recommend(text, "pt-BR", None, channels)
    assert caught.value.field == "text"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("language", ["es", "xx", "", "fr-FR", 7])
def test_unknown_language_is_an_error_naming_language(
    language: Any, channels: list[ChannelInfo]
) -> None:
    with pytest.raises(TriageInputError) as caught:
        recommend("quanto custa", language, None, channels)
    assert caught.value.field == "language"


@pytest.mark.parametrize(("language", "marker"), [("pt-br", "Recomendamos"), ("EN", "We ")])
def test_language_tags_are_case_insensitive(
    language: str, marker: str, channels: list[ChannelInfo]
) -> None:
    assert recommend("quanto custa", language, None, channels).why.startswith(marker)


def test_bad_answers_are_errors(channels: list[ChannelInfo]) -> None:
    with pytest.raises(TriageInputError) as caught:
        recommend("quanto custa", "pt-BR", {"urgent": "yes"}, channels)
    assert caught.value.field == "answers.urgent"


def test_no_active_channel_is_an_error(channels: list[ChannelInfo]) -> None:
    inactive = [dataclasses.replace(c, active=False) for c in channels]
    with pytest.raises(TriageInputError):
        recommend("quanto custa", "pt-BR", None, inactive)


@pytest.mark.parametrize(
    ("text", "language", "merit"),
    [
        # issue 20: with the questions left at "não sei", wanting to appeal is the merit
        ("Meu pedido de patente foi indeferido e quero recorrer", "pt-BR", True),
        ("vou recorrer dessa decisão absurda", "pt-BR", True),
        ("my patent was refused and I want to appeal", "en", True),
        # asking when or how to appeal only mentions the decision: a channel answers it
        ("qual o prazo para recorrer do indeferimento?", "pt-BR", False),
        ("quero saber como recorrer do indeferimento", "pt-BR", False),
        ("how long do I have to appeal?", "en", False),
    ],
)
def test_wanting_to_appeal_is_the_merit_asking_how_is_not(
    text: str, language: str, merit: bool, channels: list[ChannelInfo]
) -> None:
    result = recommend(text, language, None, channels)
    assert (result.channel == MERIT_NOT_DISCUSSED) is merit, result.scores


def test_remembered_rule_scores_are_those_of_the_rules_asked(channels: list[ChannelInfo]) -> None:
    """A need's rule scores are remembered by patterns and need (checking labelled needs
    triages each once per weight): two rule sets on the same need each get their own, and
    the same as with nothing remembered."""
    from balcao.catalog import recommender

    need = "fui mal atendido no balcão e quero reclamar da demora do meu pedido de patente"
    shipped, general = recommender.default_rules(), recommender.general_rules()
    first = [
        recommender.recommend(need, "pt-BR", None, channels, rules=r) for r in (shipped, general)
    ]
    assert first[0].scores != first[1].scores
    recommender._scores.clear()
    again = [
        recommender.recommend(need, "pt-BR", None, channels, rules=r) for r in (general, shipped)
    ]
    assert [again[1].scores, again[0].scores] == [first[0].scores, first[1].scores]
