"""The role a channel plays in any agency, and the triage's nearness to it (issue 20): another
agency's channels are recommended on their role as well as on their own few sentences, and the
INPI demo's cues never reach another agency's channel through a shared slug."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command

from balcao.catalog import recommender, roles
from balcao.catalog.recommender import catalog_from_file, channels_from_catalog, recommend
from tests.conftest import needs_encoder


def _channel(slug: str, name: str, level: int, kind: str, purpose: str, ideal: list[str]):
    return {
        "slug": slug,
        "name": name,
        "level": level,
        "kind": kind,
        "purpose": purpose,
        "ideal_for": ideal,
        "not_advised_for": [],
        "hours": "dias úteis",
        "deadline": "",
    }


#: An invented state university whose channels say little of what they are for: a manager
#: who writes "Serviço de Informação ao Cidadão" and nothing more.
UNIVERSITY = {
    "agency": {"name": "Universidade Estadual do Planalto", "language": "pt-BR"},
    "channels": [
        _channel(
            "assistente",
            "Assistente da UEP",
            1,
            "chatbot",
            "Respostas automáticas sobre matrícula, calendário e bolsas.",
            ["calendário acadêmico", "matrícula"],
        ),
        _channel(
            "secretaria-online",
            "Secretaria Online",
            2,
            "form",
            "Pedidos à secretaria acadêmica pelo site.",
            ["histórico escolar", "trancamento"],
        ),
        _channel("central", "Central de Atendimento", 2, "phone", "Atendimento por telefone.", []),
        _channel(
            "ouvidoria",
            "Ouvidoria da UEP",
            3,
            "ombudsman",
            "Canal da Ouvidoria Universitária.",
            ["manifestações à Ouvidoria"],
        ),
        _channel(
            "sic",
            "SIC da UEP",
            4,
            "lai",
            "Serviço de Informação ao Cidadão.",
            ["pedidos ao SIC"],
        ),
    ],
}
#: Needs for public data that share no word with the SIC's texts.
PUBLIC_DATA = (
    "quanto a universidade gastou com diárias de viagem dos diretores em 2024",
    "quantos alunos se formaram em medicina em 2023",
)


@pytest.mark.parametrize(
    ("kind", "level", "role"),
    [
        ("chatbot", 1, "self-service"),
        ("form", 1, "written"),  # the kind first: an app where one files requests
        ("", 1, "self-service"),
        ("form", 2, "written"),
        ("email", 2, "written"),
        ("phone", 2, "phone"),
        ("chat", 2, "phone"),
        ("Presencial", 2, "presential"),
        ("scheduling", 2, "presential"),
        ("ombudsman", 3, "ombudsman"),
        ("lai", 4, "information-access"),
        ("", 3, None),  # the middle levels differ between agencies (the INPI's SIC is at 3)
        ("mediation", 5, "mediation"),
        ("external", 5, "external"),
        ("", 5, "external"),
        ("", 2, None),
        ("carrier pigeon", 2, None),
    ],
)
def test_the_role_of_a_channel(kind, level, role):
    assert roles.role_of(kind, level) == role


def test_the_shipped_needs_cover_every_role_in_three_languages():
    counts: Counter[tuple[str, str]] = Counter()
    texts = set()
    for line in roles.NEEDS_PATH.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        assert item["role"] in roles.ROLES
        counts[item["role"], item["language"]] += 1
        texts.add(item["text"].casefold())
    for role in roles.ROLES:
        assert sum(n for (r, _), n in counts.items() if r == role) >= 20, role
        assert {lang for (r, lang) in counts if r == role} == {"pt-BR", "pt-PT", "en"}
    assert len(texts) == sum(counts.values())  # no need twice


def test_the_needs_laid_out_by_domain_give_every_role_the_same_topics():
    """A topic that only one role's needs talk about pulls every need on that topic towards
    that role; the needs written with a ``domain`` hold each role equally in each domain."""
    cells: Counter[tuple[str, str]] = Counter()
    for line in roles.NEEDS_PATH.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if "domain" in item:
            cells[item["domain"], item["role"]] += 1
    domains = {domain for domain, _ in cells}
    assert len(domains) >= 16
    # Two grids of four needs a cell: the first mostly pt-BR, the second pt-PT and English.
    assert {cells[domain, role] for domain in domains for role in roles.ROLES} == {8}


def test_the_kind_of_a_plain_catalogue_reaches_the_recommender():
    channels = channels_from_catalog(catalog_from_file(UNIVERSITY))
    assert [(c.slug, c.kind) for c in channels][:2] == [
        ("assistente", "chatbot"),
        ("secretaria-online", "form"),
    ]


@needs_encoder
@pytest.mark.parametrize("text", PUBLIC_DATA)
def test_a_need_for_public_data_goes_to_the_channel_of_that_role(text, monkeypatch):
    channels = channels_from_catalog(catalog_from_file(UNIVERSITY))
    rules = recommender.general_rules()
    assert recommend(text, "pt-BR", None, channels, rules=rules).channel == "sic"
    monkeypatch.setattr(recommender, "ROLE_WEIGHT", 0.0)
    assert recommend(text, "pt-BR", None, channels, rules=rules).channel != "sic"


@needs_encoder
def test_nearness_names_the_role():
    near = roles.nearness("quantos servidores a prefeitura contratou em 2024, por secretaria?")
    assert max(near, key=near.get) == "information-access"
    assert set(near) == set(roles.ROLES)
    top = 1.0 - roles.FLOOR + roles.WORD_SHARE + roles.LOGISTIC_SHARE
    assert all(0.0 <= value <= top for value in near.values())


@needs_encoder
def test_the_role_classifier_adds_its_share_of_each_roles_probability(monkeypatch):
    """Nearness adds LOGISTIC_SHARE times the classifier's probability of each role, so the
    additions over all roles are LOGISTIC_SHARE; the classifier, trained on the shipped
    needs, names the role of a need none of them is."""
    text = "o atendente do balcão foi grosseiro comigo e quero registrar isso"
    near = roles.nearness(text)
    monkeypatch.setattr(roles, "LOGISTIC_SHARE", 0.0)
    without = roles.nearness(text)
    added = {role: near[role] - without[role] for role in roles.ROLES}
    assert all(value >= 0.0 for value in added.values())
    assert abs(sum(added.values()) - 0.1) < 1e-4
    assert max(added, key=added.get) == "ombudsman"


def test_without_the_encoder_the_words_still_name_the_role(monkeypatch):
    monkeypatch.setenv("BALCAO_EMBEDDINGS", "0")
    near = roles.nearness("quantos servidores a prefeitura contratou em 2024, por secretaria?")
    assert max(near, key=near.get) == "information-access"
    channels = channels_from_catalog(catalog_from_file(UNIVERSITY))
    result = recommend(PUBLIC_DATA[0], "pt-BR", None, channels, rules=recommender.general_rules())
    assert result.channel in {c.slug for c in channels}


def test_the_general_rules_keep_all_but_the_channels_cues():
    shipped = recommender.default_rules()
    general = recommender.general_rules()
    assert shipped.channel_cues and not general.channel_cues
    assert general.merit_cues == shipped.merit_cues
    assert general.condition_cues == shipped.condition_cues
    assert recommender.default_rules().channel_cues  # the shipped rules are left whole


def _triage_cli(path, text):
    """``balcao triage --catalog PATH TEXT --json``, in this process (its encoder loaded once)."""
    out = io.StringIO()
    call_command("triage", "--catalog", str(path), text, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_another_agencys_sic_is_not_the_inpis_by_its_slug(tmp_path):
    """The same catalogue with the SIC's slug renamed triages alike: the INPI demo's cues for
    its "sic" do not apply to another agency's channel of that slug."""
    renamed = json.loads(json.dumps(UNIVERSITY))
    renamed["channels"][4]["slug"] = "acesso-a-informacao"
    for name, data in (("own.json", UNIVERSITY), ("renamed.json", renamed)):
        (tmp_path / name).write_text(json.dumps(data), encoding="utf-8")
    text = "preciso de cópia do processo administrativo do INPI"  # INPI's "sic" cues fire
    own = _triage_cli(tmp_path / "own.json", text)
    other = _triage_cli(tmp_path / "renamed.json", text)
    assert own["scores"]["sic"] == other["scores"]["acesso-a-informacao"]
    # …while the demo's catalogue, in its own shape, keeps them.
    demo = _triage_cli(recommender.DEMO_CATALOG_PATH, text)
    assert demo["channel"] == "sic"


@needs_encoder
def test_a_channels_own_lines_say_which_role_it_plays():
    """Portugal's Livro de Reclamações (an external platform by kind) takes complaints about
    a public counter's service: its "ideal para" lines give it part of the ombudsman's role."""
    plays = roles.channel_roles(
        "external",
        (
            "registar formalmente um episódio de mau atendimento",
            "funcionário que o tratou mal ao balcão",
        ),
        "pt-PT",
    )
    assert abs(sum(plays.values()) - 1.0) < 1e-9
    assert plays["external"] >= roles.KIND_SHARE
    assert max((r for r in plays if r != "external"), key=plays.get) == "ombudsman"
    assert roles.channel_roles("phone", (), "pt-BR") == {"phone": 1.0}
    assert roles.channel_roles(None, (), "pt-BR") == {}
