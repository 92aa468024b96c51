"""``make quality`` (scripts/quality.py): issue 20's figures for every evaluation set, from the
same commands a reader runs by hand, summary figures only."""

from __future__ import annotations

import json
from pathlib import Path

from tests import scripts
from tests.catalog.test_catalog_file import WATER

SCRIPT = scripts.SCRIPTS / "quality.py"


def _script():
    return scripts.load("quality")


def _lines(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def _tiny_set(folder: Path) -> None:
    folder.mkdir()
    _lines(
        folder / "kb.jsonl",
        [
            {
                "id": "segunda-via",
                "question": "Como emito a segunda via da conta de água?",
                "answer": "No site, em Minha conta > Segunda via, com o número da matrícula.",
                "variants": ["Perdi a fatura da água", "Quero outra via do boleto da água"],
                "language": "pt-BR",
            },
            {
                "id": "falta-agua",
                "question": "Está faltando água na minha rua, o que faço?",
                "answer": "Ligue para o Plantão de vazamentos, 24 horas, com o endereço.",
                "variants": ["Sem água em casa desde ontem", "A torneira secou"],
                "language": "pt-BR",
            },
            {
                "id": "tarifa",
                "question": "Quanto custa o metro cúbico de água?",
                "answer": "A tarifa residencial é de R$ 5,20 por metro cúbico até 10 m³.",
                "variants": ["Preço da água", "Valor da tarifa de água"],
                "language": "pt-BR",
            },
        ],
    )
    _lines(
        folder / "questions.jsonl",
        [
            {"text": "preciso de outra via da conta da agua", "expect": "segunda-via"},
            {"text": "qnto ta o m3 da agua", "expect": "tarifa"},
            {"text": "minha rua ta sem agua desde cedo", "expect": "falta-agua"},
            {"text": "como tiro passaporte", "expect": None},
        ],
    )
    (folder / "catalog.json").write_text(json.dumps(WATER, ensure_ascii=False))
    _lines(
        folder / "triage.jsonl",
        [
            {"text": "vazamento enorme na rua agora", "expect": "plantao-vazamentos"},
            {"text": "quero o laudo da qualidade da agua", "expect": "acesso-informacao"},
            {"text": "segunda via da conta", "expect": "assistente"},
        ],
    )


def test_figures_come_from_the_bot_and_triage_commands(tmp_path):
    _tiny_set(tmp_path / "aguas")
    row = _script().figures(tmp_path / "aguas")
    for key in ("overall", "in_scope", "refused", "bm25", "triage"):
        assert 0.0 <= row[key] <= 1.0, key
    assert row["triage_total"] == 3
    assert row["triage_hits"] == round(row["triage"] * 3)
    assert row["triage_labelled_hits"] == round(row["triage_labelled"] * 3)


def test_the_table_names_what_is_below_the_bar_on_held_out_sets_only(monkeypatch, capsys):
    quality = _script()
    weak = {
        "in_right": 19,
        "in_total": 20,
        "out_right": 6,
        "out_total": 10,
        "overall": 0.70,
        "in_scope": 0.95,
        "refused": 0.85,
        "bm25": 0.75,
        "forecast_in_scope": 0.6,
        "forecast_refused": 0.8,
        "triage": 0.9,
        "triage_hits": 9,
        "triage_total": 10,
        "triage_labelled": 0.8,
        "triage_labelled_hits": 8,
    }
    monkeypatch.setattr(quality, "figures", lambda folder: weak)
    assert quality.main(["detran-tuning", "outra-agencia"]) == 0
    out = capsys.readouterr().out
    row = (
        "| detran-tuning | tuning | 70.0 / 95.0 / 85.0 | 75.0 | 60.0 / 80.0 | 90.0 (9/10) "
        "| 80.0 (8/10) |"
    )
    assert row in out
    assert "| outra-agencia | held out |" in out
    assert "below the bar: outra-agencia (overall, below plain BM25)\n" in out
    # only the held-out set is pooled, with the interval chance alone leaves around it
    assert out.strip().endswith(
        "the 1 held-out set(s) pooled: bot overall 83.3 % (25/30; 95 % interval 66.4–92.7); "
        "in scope 95.0 % (19/20; 95 % interval 76.4–99.1); "
        "refused 60.0 % (6/10; 95 % interval 31.3–83.2); "
        "triage 90.0 % (9/10; 95 % interval 59.6–98.2)"
    )


def test_the_wilson_interval():
    quality = _script()
    low, high = quality.wilson(71, 85)
    assert (round(100 * low, 1), round(100 * high, 1)) == (74.2, 89.9)
    assert quality.wilson(0, 0) == (0.0, 1.0)
    low, high = quality.wilson(10, 10)
    assert abs(high - 1.0) < 1e-9 and 0.7 < low < 0.73
