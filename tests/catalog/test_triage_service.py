"""Triage over the database catalogue: CLI, API, anonymous outcomes, edits respected."""

import json
import os
import subprocess
import sys

import pytest

from balcao.catalog import services
from balcao.catalog.models import CatalogChange, Channel, TriageOutcome

pytestmark = pytest.mark.django_db

NEEDS = {
    "quero saber quanto custa registrar minha marca": "chatbot",
    "meu pedido foi indeferido injustamente e ninguém me responde há 2 meses": "ouvidoria",
    "preciso de cópia do processo administrativo X": "sic",
}


@pytest.fixture
def catalog(db):
    services.load_demo_catalog()


def test_demo_catalogue_has_the_contract_slugs(catalog):
    assert set(Channel.objects.values_list("slug", flat=True)) == {
        "chatbot",
        "conecta-todos",
        "fale-conosco",
        "comex-responde",
        "ouvidoria",
        "sic",
        "telepresencial",
        "reclame-aqui",
        "resolucao-pacifica",
    }
    assert services.load_demo_catalog()["channels"] == 0  # idempotent


@pytest.mark.parametrize(("text", "expected"), NEEDS.items())
def test_the_issues_examples(catalog, text, expected):
    assert services.triage(text, "pt-BR")["channel"] == expected


def test_reversing_a_decision_is_merit_not_discussed(catalog):
    result = services.triage("quero que o INPI reverta o indeferimento da minha marca", "pt-BR")
    assert result["channel"] == "merit-not-discussed" and "recurso" in result["why"]


def test_why_is_in_the_needs_language(catalog):
    result = services.triage("I need a copy of my administrative file", "en")
    assert result["channel"] == "sic" and "We recommend" in result["why"]


def test_an_inactive_channel_is_never_recommended(catalog, staff):
    sic = Channel.objects.get(slug="sic")
    services.do_update_channel(sic, actor=staff["manager"], active=False)
    result = services.triage("preciso de cópia do processo administrativo X", "pt-BR")
    assert "sic" not in (result["channel"], result["alternative"])
    change = CatalogChange.objects.get()
    assert change.changes == {"active": {"old": True, "new": False}}
    assert change.user == staff["manager"]


def test_only_managers_edit_the_catalogue(catalog, staff):
    from balcao.cases.services import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.do_update_channel(Channel.objects.get(slug="sic"), actor=staff["agent"], name="x")


def test_api_records_an_anonymous_outcome_without_the_text(client, catalog):
    text = "preciso de cópia do processo administrativo 123 do CPF 529.982.247-25"
    response = client.post(
        "/api/v1/triage",
        json.dumps({"text": text, "language": "pt-BR"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert list(body)[:3] == ["channel", "alternative", "why"]
    outcome = TriageOutcome.objects.get()
    stored = json.dumps([getattr(outcome, f.name) for f in outcome._meta.fields], default=str)
    # (the CPF's digits whole: a timestamp's microseconds once held "529")
    assert not [p for p in ("529.982", "982.247", "52998224725", "processo") if p in stored]
    assert (outcome.recommended, outcome.source) == (body["channel"], "api")
    choice = client.post(
        "/api/v1/triage/choice",
        json.dumps({"outcome": body["outcome"], "chosen": "sic"}),
        content_type="application/json",
    )
    assert choice.status_code == 200
    outcome.refresh_from_db()
    assert outcome.chosen == "sic"


def test_choices_cannot_be_stuffed_by_outcome_id(client, catalog):
    """Security issue #17, finding 7: ``/triage/choice`` took a bare outcome id, so anyone
    could write the "chosen channel" of every recorded outcome."""
    for _ in range(3):
        client.post(
            "/api/v1/triage",
            json.dumps({"text": "quanto custa uma marca"}),
            content_type="application/json",
        )
    for outcome in TriageOutcome.objects.all():
        response = client.post(
            "/api/v1/triage/choice",
            json.dumps({"outcome": str(outcome.pk), "chosen": "ouvidoria"}),
            content_type="application/json",
        )
        assert response.status_code == 422
    assert set(TriageOutcome.objects.values_list("chosen", flat=True)) == {""}
    body = client.post(
        "/api/v1/triage",
        json.dumps({"text": "quanto custa uma marca"}),
        content_type="application/json",
    ).json()
    first = client.post(
        "/api/v1/triage/choice",
        json.dumps({"outcome": body["outcome"], "chosen": "sic"}),
        content_type="application/json",
    )
    again = client.post(
        "/api/v1/triage/choice",
        json.dumps({"outcome": body["outcome"], "chosen": "ouvidoria"}),
        content_type="application/json",
    )
    assert (first.status_code, again.status_code) == (200, 422)
    assert list(TriageOutcome.objects.exclude(chosen="").values_list("chosen", flat=True)) == [
        "sic"
    ]


@pytest.mark.parametrize(
    ("payload", "field"), [({"text": " "}, "text"), ({"text": "oi", "language": "xx"}, "language")]
)
def test_api_422_names_the_field(client, catalog, payload, field):
    response = client.post("/api/v1/triage", json.dumps(payload), content_type="application/json")
    assert response.status_code == 422 and field in response.json()["error"]["fields"]


def test_cli_batch_keeps_order_records_nothing_and_reports_bad_lines(tmp_path, migrated_sqlite):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "BALCAO_VAR_DIR": str(tmp_path),
    }
    run = lambda *args, stdin=None: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "balcao.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    migrated_sqlite(tmp_path / "db.sqlite3")
    loader = "from balcao.catalog.services import load_demo_catalog; load_demo_catalog()"
    assert run("shell", "-c", loader).returncode == 0
    lines = [json.dumps({"text": t, "language": "pt-BR"}) for t in NEEDS] + [
        "not json",
        json.dumps({"text": ""}),
        json.dumps({"text": "x", "language": "es"}),
    ]
    result = run("triage", "--batch", "-", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("channel") for o in out[:3]] == list(NEEDS.values())
    assert all("error" in o for o in out[3:])
    single = run("triage", "", "--json")
    assert single.returncode != 0
    count = run(
        "shell",
        "-c",
        "from balcao.catalog.models import TriageOutcome; print(TriageOutcome.objects.count())",
    )
    assert count.stdout.strip().splitlines()[-1] == "0"


def test_manager_edits_a_channel_in_the_console_and_it_is_versioned(
    catalog, staff, verified_client
):
    client = verified_client(staff["manager"])
    page = client.get("/console/catalogo/sic/")
    assert page.status_code == 200
    form = page.context["form"].initial
    form.update(
        name="SIC — Acesso à Informação",
        active="",
        name_en="Information Service",
        session_times="",
        entry_url="",
    )
    response = client.post(
        "/console/catalogo/sic/",
        {k: v for k, v in form.items() if v is not None and v is not False},
    )
    assert response.status_code == 302
    sic = Channel.objects.get(slug="sic")
    assert sic.name == "SIC — Acesso à Informação" and not sic.active
    assert sic.text("name", "en") == "Information Service"
    change = CatalogChange.objects.get(object_key="sic")
    assert {"name", "active", "texts"} <= set(change.changes)
    result = services.triage("preciso de cópia do processo administrativo X", "pt-BR")
    assert result["channel"] != "sic"


def test_console_refuses_an_unknown_deadline_policy(catalog, staff, verified_client):
    client = verified_client(staff["manager"])
    form = client.get("/console/catalogo/sic/").context["form"].initial
    form.update(deadline_policy="nao-existe", session_times="", entry_url="")
    response = client.post(
        "/console/catalogo/sic/",
        {k: v for k, v in form.items() if v is not None and v is not False},
    )
    assert response.status_code == 200 and "desconhecida" in response.content.decode()


def test_why_in_pt_pt_is_pt_pt(catalog):
    """The explanation's sentences are gettext messages: pt-PT reads its own catalogue."""
    text = "como faço para cumprir a exigência técnica do meu pedido de patente?"
    pt_pt = services.triage(text, "pt-PT")
    assert pt_pt["why"].startswith("Recomendamos Fale Conosco")
    assert "Pusemos de parte Chatbot do INPI" in pt_pt["why"]
    assert "ficou de lado" not in pt_pt["why"]
    merit = services.triage("quero que o INPI reverta o indeferimento da minha marca", "pt-PT")
    assert "Lei brasileira 9.279/1996" in merit["why"] and "confirme o prazo" in merit["why"]
    assert "confira" not in merit["why"]


def test_the_django_and_the_pure_translations_agree():
    """``services.translate`` (Django's gettext) and the pure core's default
    (``recommender.catalogue_translate``) read the same catalogues."""
    from balcao.catalog import recommender

    for language in ("pt-BR", "pt-PT", "en"):
        for msgid in recommender.MESSAGES.values():
            assert services.translate(msgid, language) == recommender.catalogue_translate(
                msgid, language
            )
    assert services.translate(recommender.MESSAGES["hours"], "en") == "Hours: %(hours)s."


def test_questions_follow_the_language(catalog):
    questions = services.triage("quanto custa uma marca", "en")["questions"]
    assert [q["text"] for q in questions] == [
        "Is it urgent?",
        "Is it about a decision already made (for example, a refusal)?",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pt-br", "pt-BR"),
        ("pt-pt", "pt-PT"),
        ("pt_pt", "pt-PT"),
        ("en-us", "en"),
        ("en", "en"),
        ("es", "pt-BR"),
        (None, "pt-BR"),
    ],
)
def test_language_code_of_django_codes(value, expected):
    assert services.language_code(value) == expected


def test_a_channels_kind_reaches_the_recommender(catalog):
    """Its role (issue 20: balcao.catalog.roles) is read from it; the bot is the chatbot."""
    infos = {info.slug: info for info in services.active_channel_infos()}
    chatbot = Channel.objects.get(slug="chatbot")
    assert chatbot.kind == Channel.Kind.CHAT and chatbot.automated
    assert infos["chatbot"].kind == "chatbot"
    assert infos["ouvidoria"].kind == Channel.objects.get(slug="ouvidoria").kind
