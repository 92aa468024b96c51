"""Batch triage and evaluation over JSON Lines (contract: shared/contracts/triage.md)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from balcao.catalog import triage_batch
from balcao.catalog.recommender import ChannelInfo, recommend
from balcao.catalog.triage_batch import dump_line, evaluate, evaluate_folds, run_batch

OUTCOMES = {
    "chatbot",
    "conecta-todos",
    "fale-conosco",
    "comex-responde",
    "ouvidoria",
    "sic",
    "telepresencial",
    "reclame-aqui",
    "resolucao-pacifica",
    "merit-not-discussed",
}


def _is_result(obj: dict[str, Any]) -> bool:
    return list(obj)[:3] == ["channel", "alternative", "why"]


def test_batch_keeps_order_and_reports_bad_lines(channels: list[ChannelInfo]) -> None:
    lines = [
        json.dumps({"id": 1, "text": "quanto custa registrar minha marca", "language": "pt-BR"}),
        '{"text": "copia do processo", ',
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "", "language": "pt-BR"}),
        json.dumps({"text": "   ", "language": "en"}),
        json.dumps({"text": "necesito ayuda", "language": "es"}),
        "",
        json.dumps({"text": "quero reverter o indeferimento", "answers": {"urgent": None}}),
        json.dumps(
            {
                "text": "I need a copy of the file of my patent",
                "language": "en",
                "answers": {"urgent": True, "about_decision": False},
                "id": "x",
            }
        ),
    ]
    out = list(run_batch(lines, channels))
    assert len(out) == len(lines)
    assert _is_result(out[0]) and out[0]["channel"] == "chatbot"
    for bad in out[1:7]:
        assert list(bad) == ["error", "field"] and bad["error"]
    assert out[3]["field"] == out[4]["field"] == "text"
    assert out[5]["field"] == "language"
    assert _is_result(out[7]) and out[7]["channel"] == "merit-not-discussed"
    assert _is_result(out[8]) and out[8]["channel"] == "sic"
    assert "No channel is ideal for urgent cases." in out[8]["why"]
    for obj in (out[0], out[7], out[8]):
        assert obj["channel"] in OUTCOMES
        assert obj["alternative"] is None or obj["alternative"] in OUTCOMES - {obj["channel"]}
        assert isinstance(obj["why"], str) and obj["why"]


def test_batch_line_equals_the_single_form(channels: list[ChannelInfo]) -> None:
    item = {"text": "recebi uma exigência no meu pedido", "language": "pt-BR"}
    item["answers"] = {"urgent": True}
    [line] = run_batch([json.dumps(item) + "\n"], channels)
    single = recommend(item["text"], "pt-BR", {"urgent": True}, channels).to_json()
    assert line == single


def test_absent_language_is_the_default(channels: list[ChannelInfo]) -> None:
    [default] = run_batch([json.dumps({"text": "quanto custa uma patente"})], channels)
    assert default["why"].startswith("Recomendamos")
    [english] = run_batch(
        [json.dumps({"text": "quanto custa uma patente"})], channels, default_language="en"
    )
    assert english["why"].startswith("We recommend")


def test_batch_reads_a_file_with_trailing_newlines(
    tmp_path: Path, channels: list[ChannelInfo]
) -> None:
    path = tmp_path / "needs.jsonl"
    path.write_text(
        '{"text": "denúncia de fraude"}\n{"text": "how much is the fee?", "language": "en"}\n',
        encoding="utf-8",
    )
    with path.open(encoding="utf-8") as handle:
        out = [dump_line(obj) for obj in run_batch(handle, channels)]
    assert [json.loads(x)["channel"] for x in out] == ["ouvidoria", "chatbot"]
    assert "Ouvidoria" in out[0]  # ensure_ascii=False keeps the text readable


def test_evaluation_on_our_set(needs_path: Path, channels: list[ChannelInfo]) -> None:
    with needs_path.open(encoding="utf-8") as handle:
        report = evaluate(handle, channels)
    print(report.format())
    assert not report.errors
    assert report.overall.total >= 120
    assert report.overall.rate >= 0.85
    assert set(report.per_channel) == OUTCOMES
    assert {"pt-BR", "pt-PT", "en"} <= set(report.per_language)
    assert len(report.misses) == report.overall.total - report.overall.hits


def test_evaluation_set_shape(needs: list[dict[str, Any]]) -> None:
    languages = Counter(n["language"] for n in needs)
    assert 0.2 <= languages["en"] / len(needs) <= 0.35
    assert languages["pt-PT"] >= 5
    assert all(n["expect"] in OUTCOMES for n in needs)
    texts = [n["text"] for n in needs]
    assert "quero saber quanto custa registrar minha marca" in texts
    assert len(set(texts)) == len(texts)


def test_evaluation_counts_misses_and_errors(channels: list[ChannelInfo]) -> None:
    lines = [
        json.dumps({"text": "quanto custa registrar marca", "language": "pt-BR", "expect": "sic"}),
        json.dumps({"text": "denúncia", "language": "pt-BR", "expect": "ouvidoria"}),
        json.dumps({"text": "", "language": "pt-BR", "expect": "sic"}),
        "",
    ]
    report = evaluate(lines, channels)
    assert (report.overall.hits, report.overall.total) == (1, 2)
    assert report.per_channel["sic"].rate == 0.0
    assert report.misses[0].got == "chatbot" and report.misses[0].line == 1
    assert report.errors and report.errors[0][0] == 3
    text = report.format()
    assert "Hit rate (first recommendation): 1/2 = 50.0%" in text
    assert "expected sic, got chatbot" in text
    assert report.to_json()["overall"] == {"total": 2, "hits": 1, "rate": 0.5}


def test_folds_triage_each_need_once_with_the_other_folds_as_labelled_needs(
    channels: list[ChannelInfo], monkeypatch
) -> None:
    """``balcao triage --eval … --folds K``: no need is ever among its own labelled needs, and
    every other valid need of the set is."""
    texts = [f"necessidade {word}" for word in ("alfa", "beta", "gama", "delta", "epsilon")]
    lines = [json.dumps({"text": t, "expect": "sic"}) for t in texts]
    lines.insert(2, json.dumps({"text": "", "expect": "sic"}))  # an error, not an example
    given: dict[str, tuple] = {}
    real = triage_batch.triage_item

    def spy(item, channels, **kwargs):
        given[item["text"]] = kwargs["examples"]
        return real(item, channels, **kwargs)

    monkeypatch.setattr(triage_batch, "triage_item", spy)
    seed = (("um exemplo do console", "pt-BR", "ouvidoria"),)
    report = evaluate_folds(lines, 2, channels, examples=seed)
    assert report.overall.total == 5 and report.errors == [(3, "text is empty: describe the need")]
    for text in texts:
        labelled = {e[0] for e in given[text]}
        assert text not in labelled and "um exemplo do console" in labelled
        assert len(labelled) in (3, 4)  # the other fold's needs and the console's one
    assert [m.line for m in report.misses] == sorted(m.line for m in report.misses)


FRESH_PATH = Path(__file__).parent / "data" / "triage-needs-fresh.jsonl"


def test_evaluation_on_the_fresh_set(channels: list[ChannelInfo]) -> None:
    """A second set, written from the seed's definitions before the rules were read (150 needs,
    ~30% English, 10 pt-PT); a guard against regressions, not an estimate of held-out accuracy."""
    with FRESH_PATH.open(encoding="utf-8") as handle:
        needs = [json.loads(line) for line in handle if line.strip()]
    languages = Counter(n["language"] for n in needs)
    assert len(needs) == 150 and languages["pt-PT"] == 10
    assert 0.25 <= languages["en"] / len(needs) <= 0.35
    assert {n["expect"] for n in needs} == OUTCOMES
    with FRESH_PATH.open(encoding="utf-8") as handle:
        report = evaluate(handle, channels)
    assert not report.errors
    assert report.overall.rate >= 0.9


def test_batch_renders_its_words_with_the_translate_given(channels: list[ChannelInfo]) -> None:
    """Without one, the compiled catalogues (stdlib gettext); with one, the caller's (the
    Django side passes its gettext): the pure core only chooses the messages."""
    line = json.dumps({"text": "quanto custa uma patente", "language": "pt-PT"})
    [plain] = run_batch([line], channels)
    [marked] = run_batch([line], channels, translate=lambda msgid, language: f"<{language}>")
    assert plain["why"].startswith("Recomendamos")
    assert marked["why"].startswith("<pt-PT>")
    assert {q["text"] for q in marked["questions"]} == {"<pt-PT>"}
