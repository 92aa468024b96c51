"""Another agency's catalogue, in the plain shape an agency writes by hand (issue 20): read by
``balcao triage --catalog``, its channels recommended on their own texts, its appeal rule in
the merit answer. Written for these tests (an invented municipal water service)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from balcao.catalog.recommender import (
    MERIT_NOT_DISCUSSED,
    appeal_text_from_catalog,
    catalog_from_file,
    channels_from_catalog,
    recommend,
)

WATER = {
    "agency": {
        "name": "Serviço Municipal de Águas",
        "country": "BR",
        "language": "pt-BR",
        "appeal": {
            "name": "Recurso à Junta de Recursos",
            "deadline": "15 dias corridos da ciência da decisão",
            "where": "protocolo da sede ou pelo site",
            "rule": "Lei Municipal 1.234/2001, art. 9",
        },
    },
    "channels": [
        {
            "slug": "assistente",
            "name": "Assistente virtual",
            "level": 1,
            "kind": "chatbot",
            "purpose": "Respostas automáticas sobre segunda via de conta, tarifas e horários.",
            "ideal_for": ["dúvidas simples sobre conta de água", "segunda via da fatura"],
            "not_advised_for": ["vazamentos", "reclamações"],
            "hours": "24 horas",
            "deadline": "na hora",
        },
        {
            "slug": "plantao-vazamentos",
            "name": "Plantão de vazamentos",
            "level": 2,
            "kind": "phone",
            "purpose": "Atendimento telefônico para vazamento na rua, falta de água e esgoto "
            "entupido.",
            "ideal_for": ["vazamento na rua", "falta de água", "esgoto transbordando"],
            "not_advised_for": ["segunda via de conta"],
            "hours": "24 horas",
            "deadline": "equipe em até 6 horas",
        },
        {
            "slug": "ouvidoria-aguas",
            "name": "Ouvidoria",
            "level": 3,
            "kind": "ombudsman",
            "purpose": "Reclamações sobre o atendimento e pedidos não resolvidos pelos outros "
            "canais; denúncias de irregularidade.",
            "ideal_for": ["reclamação não resolvida", "denúncia de ligação clandestina"],
            "not_advised_for": ["pedidos de serviço novos"],
            "hours": "dias úteis, 8h às 17h",
            "deadline": "responde em até 20 dias",
        },
        {
            "slug": "acesso-informacao",
            "name": "Acesso à Informação",
            "level": 4,
            "kind": "lai",
            "purpose": "Pedidos de dados e documentos públicos: contratos, laudos de qualidade "
            "da água, relatórios.",
            "ideal_for": ["laudo de qualidade da água", "cópia de contrato público"],
            "not_advised_for": ["reclamações"],
            "hours": "pelo site",
            "deadline": "20 dias, prorrogáveis por mais 10",
        },
    ],
}


def _channels():
    return channels_from_catalog(catalog_from_file(WATER), "pt-BR")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tem um vazamento enorme na minha rua desde ontem", "plantao-vazamentos"),
        ("quero a segunda via da minha conta de agua", "assistente"),
        ("preciso do laudo de qualidade da agua do meu bairro", "acesso-informacao"),
        ("reclamei 3 vezes e ninguém resolveu, quero fazer uma reclamação", "ouvidoria-aguas"),
    ],
)
def test_channels_without_rules_are_recommended_on_their_own_texts(text, expected):
    assert recommend(text, "pt-BR", None, _channels()).channel == expected


def test_the_plain_shape_reads_as_the_demo_shape():
    catalog = catalog_from_file(WATER)
    first = channels_from_catalog(catalog, "pt-BR")[0]
    assert first.slug == "assistente" and first.level == 1
    assert first.texts["pt-BR"].purpose.startswith("Respostas automáticas")
    assert first.texts["pt-BR"].deadline_text == "na hora"
    appeal = appeal_text_from_catalog(catalog, "pt-BR")
    assert "Junta de Recursos" in appeal and "15 dias" in appeal and "1.234/2001" in appeal
    with pytest.raises(ValueError):
        catalog_from_file({"agency": {}, "channels": []})


def test_the_merit_answer_cites_the_agencys_own_appeal():
    catalog = catalog_from_file(WATER)
    result = recommend(
        "quero que revejam a decisão que indeferiu meu pedido de desconto na tarifa",
        "pt-BR",
        {"about_decision": True},
        channels_from_catalog(catalog, "pt-BR"),
        appeal_text=appeal_text_from_catalog(catalog, "pt-BR"),
    )
    assert result.channel == MERIT_NOT_DISCUSSED
    assert "Junta de Recursos" in result.why and "9.279" not in result.why


def test_balcao_triage_evaluates_on_a_catalogue_file(tmp_path):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(WATER, ensure_ascii=False), encoding="utf-8")
    needs = tmp_path / "needs.jsonl"
    needs.write_text(
        "\n".join(
            json.dumps(n, ensure_ascii=False)
            for n in [
                {"text": "falta agua aqui em casa desde cedo", "expect": "plantao-vazamentos"},
                {"text": "quero o laudo de qualidade da agua", "expect": "acesso-informacao"},
            ]
        ),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "balcao.cli", "triage", "--catalog", str(catalog)]
    run = subprocess.run(  # noqa: S603
        [*command, "--eval", str(needs), "--json"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["overall"]["total"] == 2
    # The same command in this process (a second process would load the encoder again).
    one = io.StringIO()
    call_command("triage", "--catalog", str(catalog), "vazamento na rua", "--json", stdout=one)
    assert json.loads(one.getvalue())["channel"] == "plantao-vazamentos"
    with pytest.raises(CommandError, match="Não foi possível ler"):
        call_command("triage", "--catalog", str(tmp_path / "missing.json"), "x")
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:  # sparse: nothing written
        handle.truncate(2 * 1024**3)
    with pytest.raises(CommandError, match="2048 MB: um catálogo tem no máximo 5 MB"):
        call_command("triage", "--catalog", str(huge), "x")
    # The set's own needs as labelled needs, two folds: each need triaged once.
    folded = io.StringIO()
    call_command(
        "triage",
        "--catalog",
        str(catalog),
        "--eval",
        str(needs),
        "--folds",
        "2",
        "--json",
        stdout=folded,
    )
    assert json.loads(folded.getvalue())["overall"]["total"] == 2
    with pytest.raises(CommandError, match="--folds"):
        call_command("triage", "--catalog", str(catalog), "--eval", str(needs), "--folds", "1")


def test_an_agency_brings_its_own_triage_rules(tmp_path, settings):
    """BALCAO_TRIAGE_RULES / --rules: the rules file is the agency's, not a module constant."""
    from balcao.catalog import recommender

    shipped = json.loads(recommender.RULES_PATH.read_text(encoding="utf-8"))
    own = dict(shipped, channels={"plantao-vazamentos": {"pt": {"hidrante~": 3.0}}})
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
    channels = _channels()
    need = "o hidrante da esquina está quebrado"
    assert recommend(need, "pt-BR", None, channels).channel != "plantao-vazamentos"
    rules = recommender.load_rules(path)
    assert recommend(need, "pt-BR", None, channels, rules=rules).channel == "plantao-vazamentos"
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(WATER, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "balcao.cli", "triage", "--catalog", str(catalog), "--rules",
         str(path), need, "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["channel"] == "plantao-vazamentos"
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="not a triage rules file"):
        recommender.load_rules(bad)
