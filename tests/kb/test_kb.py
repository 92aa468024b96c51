"""Knowledge base: import/export upsert, versions, workflow, feedback, the gap inbox, the
public FAQ (the console's pages: tests/console/test_knowledge.py)."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from balcao.kb import services
from balcao.kb.models import Article, ArticleVersion, GapGroup

pytestmark = pytest.mark.django_db

RECORDS = [
    {
        "id": "gru-pagar",
        "question": "Como pago a GRU?",
        "answer": "Emita a GRU no site.",
        "variants": ["pagar boleto"],
        "language": "pt-BR",
        "tags": ["gru"],
    },
    {
        "id": "trademark-cost",
        "question": "How much does a trademark cost?",
        "answer": "See the fee table.",
        "language": "en",
    },
]


def _lines(records):
    return [json.dumps(r, ensure_ascii=False) for r in records]


@pytest.fixture(autouse=True)
def _no_earlier_votes():
    """The per-address vote window lives in the cache, which outlives a test's rollback."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_import_publishes_and_upserts_by_id():
    result = services.do_import(_lines(RECORDS))
    assert (result.created, result.updated, result.errors) == (2, 0, [])
    assert set(Article.objects.values_list("state", flat=True)) == {"published"}
    changed = [dict(RECORDS[0], answer="Emita a GRU no portal do INPI."), RECORDS[1]]
    result = services.do_import(_lines(changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    article = Article.objects.get(slug="gru-pagar")
    assert article.version == 2 and article.answer.endswith("portal do INPI.")
    assert ArticleVersion.objects.filter(article=article).count() == 2


def test_import_as_draft_is_not_published():
    services.do_import(_lines(RECORDS[:1]), draft=True)
    assert Article.objects.get().state == "draft"
    assert not services.published_articles().exists()


def test_bad_lines_are_reported_and_the_rest_imported():
    lines = [
        "{not json",
        json.dumps({"id": "x", "question": "", "answer": "a"}),
        json.dumps({"id": "y", "question": "q", "answer": "a", "language": "es"}),
        json.dumps({"id": "z", "question": "q", "answer": "a", "variants": "no"}),
        *_lines(RECORDS[:1]),
    ]
    result = services.do_import(lines)
    assert result.created == 1
    assert [e.split(":")[0] for e in result.errors] == ["linha 1", "linha 2", "linha 3", "linha 4"]


def test_replace_archives_what_the_file_does_not_hold_and_the_bot_stops_answering_it(tmp_path):
    """An agency loading its own base on a make-run database: the demo's articles go."""
    from balcao.bot import services as bot

    services.do_import(_lines(RECORDS))
    assert bot.ask("How much does a trademark cost?", "en")["article_id"] == "trademark-cost"
    own = [dict(RECORDS[0], answer="Emita a guia no portal da prefeitura.")]
    result = services.do_import(_lines(own), replace=True)
    assert (result.updated, result.archived) == (1, 1)
    gone = Article.objects.get(slug="trademark-cost")
    assert gone.state == "archived" and gone.version == 2
    assert ArticleVersion.objects.filter(article=gone, state="archived").exists()
    assert bot.ask("How much does a trademark cost?", "en")["article_id"] != "trademark-cost"
    # A file with a bad line archives nothing: that line may be an article it still holds.
    services.do_import(_lines(RECORDS))
    result = services.do_import(["{bad", *_lines(RECORDS[:1])], replace=True)
    assert result.archived == 0 and Article.objects.get(slug="trademark-cost").state == "published"
    path = tmp_path / "kb.jsonl"
    path.write_text("\n".join(_lines(RECORDS[:1])) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("kb", "import", str(path), "--replace", stdout=out)
    assert "1 arquivado(s)" in out.getvalue()


def test_replace_never_empties_the_base_nor_touches_work_in_progress(tmp_path):
    services.do_import(_lines(RECORDS))
    draft = dict(RECORDS[0], id="rascunho", question="Um rascunho?")
    services.do_import(_lines([draft]), draft=True)
    # An empty file (or empty stdin) archives nothing.
    assert services.do_import([], replace=True).archived == 0
    assert services.published_articles().count() == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    err = io.StringIO()
    call_command("kb", "import", str(empty), "--replace", stderr=err, stdout=io.StringIO())
    assert "não tem nenhum artigo" in err.getvalue()
    # A draft is staff's work in progress: it stays a draft.
    services.do_import(_lines(RECORDS[:1]), replace=True)
    assert Article.objects.get(slug="rascunho").state == "draft"
    with pytest.raises(services.KbError, match="--draft"):
        services.do_import(_lines(RECORDS[:1]), replace=True, draft=True)
    with pytest.raises(CommandError, match="--draft"):
        call_command("kb", "import", str(empty), "--replace", "--draft")


def test_cli_import_and_export_round_trip(tmp_path):
    path = tmp_path / "kb.jsonl"
    path.write_text("\n".join(_lines(RECORDS)) + "\n", encoding="utf-8")
    services.do_import(path.read_text().splitlines())
    exported = list(services.export_records())
    assert [r["id"] for r in exported] == ["gru-pagar", "trademark-cost"]
    assert exported[0]["variants"] == ["pagar boleto"]


def test_cli_commands_run(tmp_path, migrated_sqlite):
    path = tmp_path / "kb.jsonl"
    path.write_text("\n".join(_lines(RECORDS)) + "\n{bad\n", encoding="utf-8")
    env_db = tmp_path / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{env_db}", "BALCAO_VAR_DIR": str(tmp_path)}
    import os

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "balcao.cli", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **env},
        )

    migrated_sqlite(env_db)
    imported = run("kb", "import", str(path))
    assert imported.returncode == 0 and "2 criado" in imported.stdout
    assert "linha 3" in imported.stderr
    exported = run("kb", "export")
    assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == [
        "gru-pagar",
        "trademark-cost",
    ]


def test_editorial_workflow_records_the_approver(staff):
    services.do_import(_lines(RECORDS[:1]), draft=True)
    article = Article.objects.get()
    km = staff["knowledge_manager"]
    with pytest.raises(services.KbError):
        services.do_change_article_state(article, "published", actor=km)  # draft → review first
    services.do_change_article_state(article, "review", actor=km)
    services.do_change_article_state(article, "published", actor=km)
    article.refresh_from_db()
    assert article.state == "published" and article.approved_by == km


def test_unknown_questions_are_grouped_and_turned_into_a_variant(staff):
    services.do_import(_lines(RECORDS))
    services.record_gap("qual o horário de atendimento do INPI?", "pt-BR", "not_known")
    services.record_gap("horário atendimento INPI qual é", "pt-BR", "not_known")
    services.record_gap("meu cpf 529.982.247-25 não entra no sistema", "pt-BR", "not_known")
    groups = list(GapGroup.objects.order_by("-count"))
    assert [g.count for g in groups] == [2, 1]
    assert "[CPF]" in groups[1].representative  # masked before it is stored
    article = services.do_resolve_gap_group(
        groups[0],
        actor=staff["knowledge_manager"],
        add_variant_to=Article.objects.get(slug="gru-pagar"),
    )
    assert groups[0].representative in article.variants
    groups[0].refresh_from_db()
    assert groups[0].status == "resolved"


def test_a_gap_becomes_the_variant_the_manager_rewrote(staff):
    """The citizen's story stays out of the article's variants when the manager keeps only
    the question (docs/quality.md: whole stories as variants made the ranking worse); what the
    manager writes is masked like the gap itself."""
    services.do_import(_lines(RECORDS))
    story = "minha mae tem 80 anos e o boleto dela sumiu, como ela paga a taxa do inpi agora?"
    services.record_gap(story, "pt-BR", "not_known")
    group = GapGroup.objects.get()
    article = services.do_resolve_gap_group(
        group,
        actor=staff["knowledge_manager"],
        add_variant_to=Article.objects.get(slug="gru-pagar"),
        variant="  como   pago a taxa do INPI sem o boleto (cpf 529.982.247-25)? ",
    )
    assert "como pago a taxa do INPI sem o boleto (cpf [CPF])?" in article.variants
    assert story not in article.variants


def test_a_gap_group_becomes_a_new_article_in_one_step(staff):
    services.record_gap("vocês abrem no sábado?", "pt-BR", "not_known")
    group = GapGroup.objects.get()
    article = services.do_resolve_gap_group(
        group,
        actor=staff["knowledge_manager"],
        new_question="O INPI abre aos sábados?",
        new_answer="Não; o atendimento é de segunda a sexta.",
        publish=True,
    )
    assert article.state == "published" and "vocês abrem no sábado?" in article.variants


def test_thumbs_down_counts_and_goes_to_the_gap_inbox():
    services.do_import(_lines(RECORDS[:1]))
    article = Article.objects.get()
    services.record_feedback(article, True)
    services.record_feedback(article, False, question="a gru não foi paga")
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 1)
    assert GapGroup.objects.get().gaps.get().reason == "thumbs_down"


def test_public_faq_search_detail_and_vote(client):
    services.do_import(_lines(RECORDS))
    page = client.get("/perguntas-frequentes/", {"q": "boleto"})
    assert page.status_code == 200 and "Como pago a GRU?" in page.content.decode()
    detail = client.get("/perguntas-frequentes/gru-pagar/")
    assert "Emita a GRU" in detail.content.decode()
    client.post("/perguntas-frequentes/gru-pagar/avaliar/", {"helpful": "yes"})
    client.post("/perguntas-frequentes/gru-pagar/avaliar/", {"helpful": "yes"})  # same session
    assert Article.objects.get(slug="gru-pagar").helpful_yes == 1
    assert client.get("/perguntas-frequentes/nao-existe/").status_code == 404


def test_drafts_are_not_public(client):
    services.do_import(_lines(RECORDS[:1]), draft=True)
    assert client.get("/perguntas-frequentes/gru-pagar/").status_code == 404


VOTE = "/perguntas-frequentes/gru-pagar/avaliar/"


def _counts():
    article = Article.objects.get(slug="gru-pagar")
    return article.helpful_yes, article.helpful_no


def test_vote_stuffing_without_cookies_is_ignored():
    """A script posting "not helpful" with a fresh session each time counts once."""
    from django.test import Client

    services.do_import(_lines(RECORDS[:1]))
    for _ in range(20):
        response = Client().post(VOTE, {"helpful": "no"}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 302  # thanked all the same
    assert _counts() == (0, 1)
    assert GapGroup.objects.get().count == 1  # nor does it flood the gap inbox


def test_ipv6_stuffing_by_rotating_addresses_in_a_64_is_ignored():
    from django.test import Client

    services.do_import(_lines(RECORDS[:1]))
    for suffix in range(1, 10):
        Client().post(VOTE, {"helpful": "yes"}, REMOTE_ADDR=f"2001:db8:1:2::{suffix:x}")
    assert _counts() == (1, 0)


def test_different_people_each_vote_and_the_window_ends(settings):
    from django.core.cache import cache
    from django.test import Client

    services.do_import(_lines(RECORDS[:1]))
    Client().post(VOTE, {"helpful": "yes"}, REMOTE_ADDR="203.0.113.7")
    Client().post(VOTE, {"helpful": "no"}, REMOTE_ADDR="198.51.100.20")
    Client().post(VOTE, {"helpful": "yes"}, REMOTE_ADDR="2001:db8:9::1")
    assert _counts() == (2, 1)
    cache.clear()  # the window (BALCAO_KB_VOTE_WINDOW_SECONDS) has passed
    Client().post(VOTE, {"helpful": "yes"}, REMOTE_ADDR="203.0.113.7")
    assert _counts() == (3, 1)


def test_a_vote_that_is_neither_yes_nor_no_is_ignored(client):
    services.do_import(_lines(RECORDS[:1]))
    client.post(VOTE, {})
    client.post(VOTE, {"helpful": "talvez"})
    assert _counts() == (0, 0)
    client.post(VOTE, {"helpful": "no"})
    assert _counts() == (0, 1)


def test_vote_window_does_not_keep_addresses(settings):
    # An in-memory cache for this test, whatever the suite's default, so its keys can be read.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "vote-window-test",
        },
    }
    from django.core.cache import cache

    services.do_import(_lines(RECORDS[:1]))
    article = Article.objects.get()
    assert services.do_record_vote(article, True, address="203.0.113.7") is True
    assert services.do_record_vote(article, True, address="203.0.113.7") is False
    keys = list(cache._cache)
    assert keys and not any("203.0.113.7" in str(k) for k in keys)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "pt-BR"),
        ("", "pt-BR"),
        ("pt", "pt-BR"),
        ("PT_br", "pt-BR"),
        (" pt-pt ", "pt-PT"),
        ("en", "en"),
        ("en-GB", "en"),
        ("en_us", "en"),
    ],
)
def test_language_tags_are_read_as_everywhere_else(value, expected):
    assert services.normalise_language(value) == expected


@pytest.mark.parametrize("value", ["es", "xx", " ", 7, "english"])
def test_an_unknown_language_is_a_kb_error(value):
    with pytest.raises(services.KbError, match="idioma desconhecido"):
        services.normalise_language(value)


def test_refusals_are_in_the_active_language():
    from django.utils import translation

    with (
        translation.override("en"),
        pytest.raises(services.KbError, match="unknown language: 'es'"),
    ):
        services.normalise_language("es")
    with translation.override("en"):
        result = services.do_import(["{not json"])
    assert result.errors[0].startswith("line 1: not valid JSON")
