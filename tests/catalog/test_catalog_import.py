"""``balcao catalog import``: an agency's own catalogue file loaded into the database (issue 20:
"make the triage an agency's data"). The portal's triage then reads the agency's channels,
texts, roles and appeal rule exactly as ``balcao triage --catalog`` read the same file, and the
INPI demo's cues do not fire for an agency's "ouvidoria" because it shares a slug."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from balcao.catalog import recommender, services
from balcao.catalog.models import CatalogChange, Channel, PortalText
from tests.catalog.test_catalog_file import WATER
from tests.conftest import needs_encoder

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
#: A tuning set (docs/quality.md: read while tuning), so reading its needs here is allowed.
DETRAN = REPO / "eval" / "detran-tuning"


def _write(tmp_path, data, name="catalog.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _import(*args) -> str:
    out = io.StringIO()
    call_command("catalog", "import", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    services.load_demo_catalog()


def test_a_plain_catalogue_becomes_the_portals_channels(demo, tmp_path):
    out = _import(_write(tmp_path, WATER), "--replace")
    assert "4 canal(is) criado(s)" in out and "9 desativado(s)" in out
    active = Channel.objects.filter(active=True)
    assert set(active.values_list("slug", flat=True)) == {
        "assistente",
        "plantao-vazamentos",
        "ouvidoria-aguas",
        "acesso-informacao",
    }
    # The demo's channels are switched off, never deleted (cases keep their channel).
    assert Channel.objects.filter(slug="ouvidoria", active=False).exists()
    bot = Channel.objects.get(slug="assistente")
    assert (bot.kind, bot.automated, bot.entry) == ("chat", True, "chat")
    assert bot.level.number == 1 and bot.rules_key == recommender.NO_RULES
    assert bot.texts["pt-BR"]["deadline_text"] == "na hora"
    assert Channel.objects.get(slug="acesso-informacao").kind == Channel.Kind.LAI
    appeal = PortalText.objects.get(key="appeal").text("value", "pt-BR")
    assert "Junta de Recursos" in appeal and "9.279" not in appeal
    statement = PortalText.objects.get(key="merit_statement")
    assert "INPI" not in statement.text("value", "pt-BR")
    assert "INPI" not in statement.text("value", "en")
    assert CatalogChange.objects.filter(object_key="assistente").exists()
    # The merit answer of the portal's triage cites the agency's own appeal.
    result = services.triage(
        "quero que revejam a decisão que indeferiu meu pedido de desconto na tarifa",
        "pt-BR",
        {"about_decision": True},
    )
    assert result["channel"] == "merit-not-discussed"
    assert "Junta de Recursos" in result["why"] and "9.279" not in result["why"]


def test_importing_again_changes_nothing_and_an_edit_is_kept_with_its_history(demo, tmp_path):
    path = _write(tmp_path, WATER)
    _import(path)
    assert "4 sem mudança" in _import(path)
    changed = json.loads(json.dumps(WATER))
    changed["channels"][0]["ideal_for"].append("horário das agências")
    out = _import(_write(tmp_path, changed, "v2.json"))
    assert "1 atualizado(s)" in out and "atualizados: assistente" in out
    bot = Channel.objects.get(slug="assistente")
    assert "horário das agências" in bot.ideal_for
    last = CatalogChange.objects.filter(object_key="assistente").first()
    assert "ideal_for" in last.changes and last.user is None


def test_a_catalogue_without_an_appeal_does_not_keep_the_demos(demo, tmp_path):
    """The demo's appeal cites Lei 9.279/1996 (industrial property): another agency that
    gives no appeal rule gets the general sentence, not the INPI's law."""
    plain = {key: value for key, value in WATER.items() if key != "agency"}
    out = _import(_write(tmp_path, plain), "--replace")
    assert "removidos (o catálogo não os traz): appeal" in out
    assert not PortalText.objects.filter(key="appeal").exists()
    result = services.triage("quero recorrer da decisão que negou meu pedido", "pt-BR",
                             {"about_decision": True})  # fmt: skip
    assert result["channel"] == "merit-not-discussed"
    assert "recurso administrativo" in result["why"] and "9.279" not in result["why"]


def test_a_dry_run_writes_nothing(demo, tmp_path):
    before = list(Channel.objects.order_by("pk").values_list("slug", "active"))
    out = _import(_write(tmp_path, WATER), "--replace", "--dry-run")
    assert out.startswith("Simulação (nada gravado): 4 canal(is) criado(s)")
    assert list(Channel.objects.order_by("pk").values_list("slug", "active")) == before
    assert "9.279" in (PortalText.objects.get(key="appeal").text("value", "pt-BR"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "Ouvidoria Geral"}, "identificador de canal inválido"),
        ({"kind": "fax"}, "tipo desconhecido: 'fax'"),
        ({"role": "boss"}, "papel desconhecido"),
        ({"level": "três"}, "não é um catálogo"),
        ({"slug": "plantao-vazamentos"}, "repete o identificador"),
    ],
)
def test_a_bad_file_is_refused_whole_naming_what_is_wrong(demo, tmp_path, change, message):
    bad = json.loads(json.dumps(WATER))
    bad["channels"][0].update(change)
    before = Channel.objects.count()
    with pytest.raises(CommandError, match=message) as error:
        _import(_write(tmp_path, bad))
    assert "nada foi importado" in str(error.value)
    assert Channel.objects.count() == before


def test_what_is_not_a_catalogue_is_refused(db, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"channels": [', encoding="utf-8")
    with pytest.raises(CommandError, match="não é JSON válido"):
        _import(str(broken))
    with pytest.raises(CommandError, match="Não foi possível ler"):
        _import(str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="não é um catálogo"):
        _import(_write(tmp_path, {"channels": []}))
    with pytest.raises(CommandError, match="objeto JSON"):
        _import(_write(tmp_path, [1, 2]))
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:  # sparse: 2 GB on the disk's books, nothing written
        handle.truncate(2 * 1024**3)
    with pytest.raises(CommandError, match="2048 MB: um catálogo tem no máximo 5 MB"):
        _import(str(huge))


def test_an_agency_with_its_own_rules_keeps_them_by_slug(demo, tmp_path, settings):
    path = _write(tmp_path, WATER)
    _import(path)
    assert Channel.objects.get(slug="assistente").rules_key == recommender.NO_RULES
    settings.BALCAO_TRIAGE_RULES = str(recommender.RULES_PATH)
    out = _import(path)  # the agency wrote its rules afterwards: it imports again
    assert "regras da agência" in out and "4 atualizado(s)" in out
    assert Channel.objects.get(slug="assistente").rules_key == ""


def test_the_shipped_cues_never_fire_for_a_channel_that_names_no_rules():
    """An agency's "ouvidoria" is scored on its own texts, not on the INPI's phrases: with
    them, registering a trademark went to the ombudsman of an agency that has no trademarks."""
    ombudsman = recommender.ChannelInfo(
        slug="ouvidoria", name="Ouvidoria", ideal_for=("reclamação sobre o atendimento",)
    )
    desk = recommender.ChannelInfo(
        slug="protocolo", name="Protocolo geral", ideal_for=("pedidos e requerimentos em geral",)
    )
    own = recommender.ChannelInfo(**{**ombudsman.__dict__, "rules_key": recommender.NO_RULES})
    need = "quero registrar minha marca"
    assert recommender.recommend(need, "pt-BR", None, [ombudsman, desk]).channel == "ouvidoria"
    assert recommender.recommend(need, "pt-BR", None, [own, desk]).channel == "protocolo"
    assert (
        recommender.recommend("quero denunciar um servidor", "pt-BR", None, [own, desk]).channel
        == "ouvidoria"
    )


@needs_encoder
def test_the_portals_triage_after_import_is_the_measured_one(demo):
    """On a tuning set, every need is sent where ``balcao triage --catalog`` sends it (the
    figure docs/quality.md reports). Before the import kept the demo's cues off an agency's
    "ouvidoria", "sic" and "fale-conosco", the same catalogue in the database got 57 of 83."""
    _import(str(DETRAN / "catalog.json"), "--replace")
    needs = str(DETRAN / "triage.jsonl")
    from_file, from_database = io.StringIO(), io.StringIO()
    call_command("triage", "--catalog", str(DETRAN / "catalog.json"), "--eval", needs, "--json",
                 stdout=from_file)  # fmt: skip
    call_command("triage", "--eval", needs, "--json", stdout=from_database)
    assert json.loads(from_database.getvalue()) == json.loads(from_file.getvalue())
    assert json.loads(from_database.getvalue())["overall"]["hits"] >= 70


def test_labelled_needs_come_from_a_file_masked_and_never_twice(demo, tmp_path):
    from balcao.catalog.models import TriageExample

    needs = tmp_path / "needs.jsonl"
    lines = [
        {"text": "quero cópia do processo 12345678901 no meu nome", "expect": "sic"},
        {"text": "my complaint was never answered", "language": "en", "expect": "ouvidoria"},
        {"text": "quero que revejam o indeferimento", "expect": "merit-not-discussed"},
    ]
    needs.write_text("\n".join(json.dumps(n, ensure_ascii=False) for n in lines), "utf-8")
    out = io.StringIO()
    call_command("catalog", "examples", str(needs), stdout=out)
    assert "3 exemplo(s) da triagem acrescentado(s)" in out.getvalue()
    kept = TriageExample.objects.get(expect="sic")
    assert "12345678901" not in kept.text and kept.language == "pt-BR"
    assert TriageExample.objects.get(expect="ouvidoria").language == "en"
    out = io.StringIO()
    call_command("catalog", "examples", str(needs), stdout=out)
    assert "0 exemplo(s)" in out.getvalue() and "3 já existente(s)" in out.getvalue()
    # A bad line refuses the whole file: nothing of it is added.
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"text": "nova necessidade", "expect": "sic"})
        + "\n"
        + json.dumps({"text": "outra", "expect": "canal-que-nao-existe"})
        + "\n{broken\n",
        "utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 linha"):
        call_command("catalog", "examples", str(bad), stderr=err)
    assert "linha 2: 'canal-que-nao-existe' não é um canal ativo" in err.getvalue()
    assert "linha 3: não é uma necessidade rotulada" in err.getvalue()
    assert TriageExample.objects.count() == 3


def test_the_exported_catalogue_reads_back_the_same(demo, tmp_path):
    """``balcao catalog export`` after the console's edits: importing it changes nothing, and
    ``balcao triage --catalog`` on it recommends as the database does."""
    _import(_write(tmp_path, WATER), "--replace")
    bot = Channel.objects.get(slug="assistente")
    bot.texts["en"] = {
        "name": "Virtual assistant",
        "purpose": "Automatic answers on bill copies, tariffs and opening hours.",
        "ideal_for": ["water bill copies"],
        "not_advised_for": ["leaks"],
    }
    bot.save()
    out = io.StringIO()
    call_command("catalog", "export", stdout=out)
    exported = json.loads(out.getvalue())
    first = next(c for c in exported["channels"] if c["slug"] == "assistente")
    assert first["kind"] == "chatbot" and first["rules_key"] == recommender.NO_RULES
    assert first["name"] == {"pt-BR": "Assistente virtual", "en": "Virtual assistant"}
    assert first["ideal_for"]["en"] == ["water bill copies"]
    assert first["deadline_text"] == {"pt-BR": "na hora"}
    assert "Junta de Recursos" in exported["appeal"]["text"]["pt-BR"]
    path = _write(tmp_path, exported, "exported.json")
    assert "13 sem mudança" in _import(path)
    for need in ("tem um vazamento enorme na minha rua", "quero o laudo da qualidade da agua"):
        from_file = io.StringIO()
        call_command("triage", "--catalog", path, need, "--json", stdout=from_file)
        assert json.loads(from_file.getvalue()) == services.triage(need, "pt-BR")


def test_a_new_ombudsman_channel_is_confidential_and_the_live_chat_stays_on(demo, tmp_path):
    """Decreto 10.153/2019: an imported ombudsman's cases are shown to the ombudsman role
    alone. --replace leaves the live chat with people alone (it is not a catalogue channel)."""
    LIVE_CHAT_SLUG = "atendimento-online"
    Channel.objects.create(
        slug=LIVE_CHAT_SLUG, name="Atendimento online", kind=Channel.Kind.CHAT, automated=False
    )
    plain = json.loads(json.dumps(WATER))
    plain["channels"][2]["rules_key"] = "ouvidoria"
    _import(_write(tmp_path, plain), "--replace")
    ombudsman = Channel.objects.get(slug="ouvidoria-aguas")
    assert ombudsman.confidential and ombudsman.rules_key == "ouvidoria"
    assert not Channel.objects.get(slug="acesso-informacao").confidential
    assert Channel.objects.get(slug=LIVE_CHAT_SLUG).active
    out = io.StringIO()
    call_command("catalog", "export", stdout=out)
    exported = json.loads(out.getvalue())
    assert LIVE_CHAT_SLUG not in {c["slug"] for c in exported["channels"]}
    assert next(c for c in exported["channels"] if c["slug"] == "ouvidoria-aguas")["confidential"]


def test_a_demo_shaped_file_keeps_who_answers_and_an_english_agency_reads_back(db, tmp_path):
    """The demo's own file through the import: its chatbot is automated (a live chat would
    never be recommended). An agency whose file is in English only exports and imports back."""
    data = json.loads(recommender.DEMO_CATALOG_PATH.read_text(encoding="utf-8"))
    _import(_write(tmp_path, data))
    chatbot = Channel.objects.get(slug="chatbot")
    assert (chatbot.kind, chatbot.automated, chatbot.confidential) == ("chat", True, False)
    assert Channel.objects.get(slug="ouvidoria").confidential
    assert Channel.objects.get(slug="reclame-aqui").entry == Channel.Entry.EXTERNAL
    english = {
        "agency": {"name": "Water Board", "language": "en"},
        "channels": [
            {"slug": "desk", "name": "Front desk", "level": 2, "kind": "form",
             "purpose": "Written requests.", "ideal_for": ["bills"]},
        ],
    }  # fmt: skip
    _import(_write(tmp_path, english, "en.json"))
    out = io.StringIO()
    call_command("catalog", "export", stdout=out)
    assert "sem mudança" in _import(_write(tmp_path, json.loads(out.getvalue()), "back.json"))
    assert "0 atualizado(s)" in _import(_write(tmp_path, json.loads(out.getvalue()), "b2.json"))


def test_an_address_that_is_not_http_is_refused(demo, tmp_path):
    bad = json.loads(json.dumps(WATER))
    bad["channels"][0]["url"] = "javascript:alert(1)"
    with pytest.raises(CommandError, match="não é http"):
        _import(_write(tmp_path, bad))
    assert not Channel.objects.filter(slug="assistente").exists()


def test_a_dry_run_with_a_new_level_reports_what_the_import_would(db, tmp_path):
    plain = json.loads(json.dumps(WATER))
    _import(_write(tmp_path, plain))
    plain["channels"][0]["level"] = 7
    out = _import(_write(tmp_path, plain, "v2.json"), "--dry-run")
    assert "1 atualizado(s)" in out and "3 sem mudança" in out
    assert Channel.objects.get(slug="assistente").level.number == 1


def test_the_import_keeps_the_rules_of_a_channels_kind(demo, tmp_path):
    """What the console's edit keeps, the import keeps too: a channel that becomes a chatbot
    takes the chat's workflow, one that becomes the ombudsman's is confidential, the live
    chat with people stays one, and a second is refused naming the first."""
    live = Channel.objects.create(slug="atendimento-online", name="Atendimento online", kind="chat")
    plain = {"agency": WATER["agency"], "channels": [
        {"slug": "fale-conosco", "name": "Fale Conosco", "kind": "chatbot", "level": 1},
        {"slug": "sic", "name": "SIC", "kind": "ombudsman", "level": 3},
    ]}  # fmt: skip
    _import(_write(tmp_path, plain))
    talk, sic = Channel.objects.get(slug="fale-conosco"), Channel.objects.get(slug="sic")
    assert (talk.kind, talk.automated, talk.workflow.slug) == ("chat", True, "chat")
    assert sic.kind == "ombudsman" and sic.confidential
    second = {**plain, "channels": [{"slug": "outro-chat", "name": "Chat", "kind": "chat"}]}
    with pytest.raises(CommandError, match="já existe.*é o canal atendimento-online"):
        _import(_write(tmp_path, second))
    assert not Channel.objects.filter(slug="outro-chat").exists()
    gone = {**plain, "channels": [{"slug": "atendimento-online", "name": "X", "kind": "form"}]}
    with pytest.raises(CommandError, match="continua chat") as error:
        _import(_write(tmp_path, gone))
    assert "use esse identificador" not in str(error.value)
    live.refresh_from_db()
    assert (live.kind, live.name) == ("chat", "Atendimento online")
