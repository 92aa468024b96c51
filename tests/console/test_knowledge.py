"""The console's knowledge-base pages (/console/conhecimento/…, balcao.console.knowledge_views):
the editor, the editorial workflow and the gap inbox, under the console's URL names."""

import json

import pytest
from django.urls import NoReverseMatch, reverse

from balcao.kb import services
from balcao.kb.models import Article, GapGroup

pytestmark = pytest.mark.django_db

RECORD = (
    '{"id": "gru-pagar", "question": "Como pago a GRU?", "answer": "Emita a GRU no '
    'site.", "variants": ["pagar boleto"], "language": "pt-BR", "tags": ["gru"]}'
)


@pytest.fixture
def km_client(staff, verified_client):
    return verified_client(staff["knowledge_manager"])


@pytest.fixture
def article():
    services.do_import([RECORD], draft=True)
    return Article.objects.get()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_pages_are_the_consoles_at_the_same_addresses():
    assert reverse("console:article_list") == "/console/conhecimento/"
    assert reverse("console:article_new") == "/console/conhecimento/novo/"
    assert reverse("console:article_edit", args=[7]) == "/console/conhecimento/7/"
    assert reverse("console:article_state", args=[7]) == "/console/conhecimento/7/situacao/"
    assert reverse("console:gap_inbox") == "/console/conhecimento/lacunas/"
    assert reverse("console:gap_resolve", args=[7]) == "/console/conhecimento/lacunas/7/"
    with pytest.raises(NoReverseMatch):
        reverse("kb:article_list")
    assert reverse("portal:faq_list") == "/perguntas-frequentes/"  # the public FAQ stays in kb


def test_the_console_menu_links_to_the_knowledge_base(km_client, staff, verified_client):
    page = km_client.get("/console/conhecimento/").content.decode()
    assert 'href="/console/conhecimento/"' in page
    assert 'href="/console/conhecimento/novo/"' in page
    assert 'href="/console/conhecimento/lacunas/"' in page
    agent_page = verified_client(staff["agent"]).get("/console/").content.decode()
    assert "/console/conhecimento/" not in agent_page


def test_list_filters_by_state_and_question(km_client, article):
    services.do_import(
        ['{"id": "marca", "question": "Quanto custa uma marca?", "answer": "Veja a tabela."}']
    )
    page = km_client.get("/console/conhecimento/", {"state": "draft"}).content.decode()
    assert "Como pago a GRU?" in page and "Quanto custa uma marca?" not in page
    assert f'href="/console/conhecimento/{article.pk}/"' in page
    page = km_client.get("/console/conhecimento/", {"q": "marca"}).content.decode()
    assert "Quanto custa uma marca?" in page and "Como pago a GRU?" not in page


def test_console_editor_saves_a_new_version(km_client, staff, verified_client, article):
    response = km_client.post(
        f"/console/conhecimento/{article.pk}/",
        {
            "slug": article.slug,
            "language": "pt-BR",
            "question": "Como pagar a GRU?",
            "answer": "Pelo banco.",
            "variants": "pagar boleto\nboleto gru",
            "tags": "gru, taxa",
        },
    )
    assert response.status_code == 302 and response.url == f"/console/conhecimento/{article.pk}/"
    article.refresh_from_db()
    assert article.version == 2 and article.variants == ["pagar boleto", "boleto gru"]
    assert article.tags == ["gru", "taxa"]
    assert verified_client(staff["agent"]).get("/console/conhecimento/").status_code == 403


def test_a_new_article_is_written_and_opened(km_client):
    assert km_client.get("/console/conhecimento/novo/").status_code == 200
    response = km_client.post(
        "/console/conhecimento/novo/",
        {
            "slug": "horario",
            "language": "pt-BR",
            "question": "Qual o horário?",
            "answer": "De segunda a sexta, das 8h às 18h.",
            "variants": "",
            "tags": "",
        },
    )
    article = Article.objects.get(slug="horario")
    assert response.url == f"/console/conhecimento/{article.pk}/"
    assert article.state == "draft" and article.versions.count() == 1
    taken = km_client.post(
        "/console/conhecimento/novo/",
        {"slug": "horario", "language": "pt-BR", "question": "Outra?", "answer": "Outra."},
    )
    assert taken.status_code == 200 and "Já existe um artigo" in taken.content.decode()


def test_the_workflow_moves_and_refuses_with_a_message(km_client, article):
    url = f"/console/conhecimento/{article.pk}/situacao/"
    refused = km_client.post(url, {"state": "published"}, follow=True)
    assert "Não é possível passar de “Rascunho” para “Publicado”." in _messages(refused)
    unknown = km_client.post(url, {"state": "apagado"}, follow=True)
    assert unknown.status_code == 200 and _messages(unknown)
    km_client.post(url, {"state": "review"})
    moved = km_client.post(url, {"state": "published"}, follow=True)
    assert moved.redirect_chain == [(f"/console/conhecimento/{article.pk}/", 302)]
    article.refresh_from_db()
    assert article.state == "published"


def test_a_gap_group_is_resolved_from_the_inbox(km_client):
    services.record_gap("vocês abrem no sábado?", "pt-BR", "not_known")
    group = GapGroup.objects.get()
    inbox = km_client.get("/console/conhecimento/lacunas/").content.decode()
    assert f'action="/console/conhecimento/lacunas/{group.pk}/"' in inbox
    # The variant field starts with the question as typed, for the manager to shorten.
    assert 'name="variant" value="vocês abrem no sábado?"' in inbox
    empty = km_client.post(f"/console/conhecimento/lacunas/{group.pk}/", {}, follow=True)
    assert "Escreva a resposta do novo artigo." in _messages(empty)
    response = km_client.post(
        f"/console/conhecimento/lacunas/{group.pk}/",
        {"new_question": "O INPI abre aos sábados?", "new_answer": "Não.", "publish": "on"},
    )
    assert response.url == "/console/conhecimento/lacunas/"
    group.refresh_from_db()
    assert group.status == "resolved" and group.resolved_article.state == "published"
    again = km_client.post(
        f"/console/conhecimento/lacunas/{group.pk}/", {"new_answer": "Não."}, follow=True
    )
    assert "Este grupo já foi tratado." in _messages(again)


def test_refusals_and_versions_read_in_the_pages_language(km_client, article):
    """kb.services refusals are gettext'd where they are raised: the English console says
    them in English, and the version list names states, not their codes."""
    url = f"/en/console/conhecimento/{article.pk}/situacao/"
    refused = km_client.post(url, {"state": "published"}, follow=True)
    assert "Cannot move from “Draft” to “Published”." in _messages(refused)
    unknown = km_client.post(url, {"state": "apagado"}, follow=True)
    assert "Unknown state: 'apagado'." in _messages(unknown)
    km_client.post(url, {"state": "review"})
    page = km_client.get(f"/en/console/conhecimento/{article.pk}/").content.decode()
    assert "· In review (" in page and "· Draft (" in page
    services.record_gap("vocês abrem no sábado?", "pt-BR", "not_known")
    group = GapGroup.objects.get()
    empty = km_client.post(f"/en/console/conhecimento/lacunas/{group.pk}/", {}, follow=True)
    assert "Write the new article's answer." in _messages(empty)


def test_every_label_of_the_gap_inbox_points_at_a_field(km_client):
    """Two groups on the page: each form's labels name its own fields' ids (axe "label":
    the inbox pointed labels at ids that did not exist)."""
    import re

    services.record_gap("vocês abrem no sábado?", "pt-BR", "not_known")
    services.record_gap("qual o telefone da ouvidoria em Brasília", "pt-BR", "not_known")
    assert GapGroup.objects.count() == 2
    html = km_client.get("/console/conhecimento/lacunas/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    targets = re.findall(r'<label for="([^"]+)"', html)
    assert targets and all(t in ids for t in targets)
    assert len(ids) == len(set(ids))  # no id used twice


# --- an edit of a published article waits for review (issue 19) ---------------------------


@pytest.fixture
def published():
    services.do_import([RECORD])
    return Article.objects.get()


def _bot_answer(text: str) -> str:
    from balcao.bot import services as bot

    return bot.ask(text, language="pt-BR")["answer"] or ""


def test_editing_a_published_article_waits_for_review_and_the_bot_keeps_the_live_text(
    km_client, published, staff
):
    assert "Emita a GRU no site." in _bot_answer("como pago a gru")
    response = km_client.post(
        f"/console/conhecimento/{published.pk}/",
        {
            "language": "pt-BR",
            "question": "Como pago a GRU?",
            "answer": "Pague a GRU no banco conveniado até o vencimento.",
            "variants": "pagar boleto",
            "tags": "gru",
        },
        follow=True,
    )
    assert "Alteração enviada para revisão" in " ".join(_messages(response))
    published.refresh_from_db()
    assert published.answer == "Emita a GRU no site." and published.version == 1
    assert published.pending["answer"].startswith("Pague a GRU no banco")
    assert published.pending_by == staff["knowledge_manager"]
    assert "Emita a GRU no site." in _bot_answer("como pago a gru")
    faq = km_client.get(f"/perguntas-frequentes/{published.slug}/")
    if faq.status_code == 200:
        assert "Emita a GRU no site." in faq.content.decode()
    page = km_client.get(f"/console/conhecimento/{published.pk}/").content.decode()
    assert "Alteração aguardando revisão" in page
    assert "Pague a GRU no banco conveniado" in page  # the proposal, beside the live text
    listing = km_client.get("/console/conhecimento/").content.decode()
    assert "alteração aguardando revisão" in listing

    response = km_client.post(
        f"/console/conhecimento/{published.pk}/revisao/", {"decision": "approve"}, follow=True
    )
    assert "Alteração aprovada e publicada (versão 2)." in _messages(response)
    published.refresh_from_db()
    assert published.pending is None and published.version == 2
    assert published.answer.startswith("Pague a GRU no banco")
    assert published.approved_by == staff["knowledge_manager"]
    assert "Pague a GRU no banco" in _bot_answer("como pago a gru")
    assert published.versions.first().note.startswith("revisão aprovada")


def test_a_rejected_edit_leaves_the_published_text(km_client, published):
    services.do_save_article(published, actor=None, answer="Texto errado que não deve ir ao ar.")
    km_client.post(f"/console/conhecimento/{published.pk}/revisao/", {"decision": "reject"})
    published.refresh_from_db()
    assert published.pending is None
    assert published.answer == "Emita a GRU no site." and published.version == 1


def test_drafts_are_still_edited_in_place(km_client, article):
    services.do_save_article(article, actor=None, answer="Novo texto do rascunho.")
    article.refresh_from_db()
    assert article.pending is None and article.answer == "Novo texto do rascunho."


def test_review_without_a_pending_edit_is_refused_with_a_message(km_client, published):
    response = km_client.post(
        f"/console/conhecimento/{published.pk}/revisao/", {"decision": "approve"}, follow=True
    )
    assert "Não há alteração pendente neste artigo." in _messages(response)


def test_the_list_shows_when_the_bot_answers_on_this_base(km_client):
    """Issue 20: the calibration placed on the published articles, in the console."""
    html = km_client.get("/console/conhecimento/").content.decode()
    assert "Quando o robô responde" in html and "Sem calibração própria" in html
    rows = [
        json.dumps(
            {
                "id": f"a{i}",
                "question": f"Como faço o pedido número {word}?",
                "answer": f"O pedido de {word} é feito no portal, com documento e comprovante.",
                "variants": [f"quero pedir {word}", f"solicitar {word} online"],
                "language": "pt-BR",
            },
            ensure_ascii=False,
        )
        for i, word in enumerate(
            "aposentadoria pensão auxílio abono seguro certidão extrato cadastro".split()
        )
    ]
    services.do_import(rows)
    html = km_client.get("/console/conhecimento/").content.decode()
    assert "Calibrado nos artigos publicados" in html and "Esperado nesta base" in html
    # …and how far that forecast was from citizens' questions on the test agencies.
    assert "Leia estas previsões como uma indicação, não como uma medida" in html
    # the line in meaning (balcao.embeddings), when the calibration placed one
    from balcao.bot.services import get_bot

    line = get_bot().calibration.thresholds.min_similarity
    assert ("semelhança de sentido de ao menos" in html) == (line <= 1), line
    if line <= 1:
        assert f"ao menos {line:.2f}".replace(".", ",") in html


def test_a_gap_group_that_is_not_the_agencys_business_is_set_aside(
    km_client, staff, verified_client
):
    """ "Descartar: não é conosco": the group leaves the inbox, and the same question asked
    again is counted in it instead of opening a new one."""
    services.record_gap("como tiro o passaporte para viajar", "pt-BR", "not_known")
    group = GapGroup.objects.get()
    inbox = km_client.get("/console/conhecimento/lacunas/").content.decode()
    assert f'action="/console/conhecimento/lacunas/{group.pk}/descartar/"' in inbox
    response = km_client.post(f"/console/conhecimento/lacunas/{group.pk}/descartar/", follow=True)
    assert any(m.startswith("Grupo descartado:") for m in _messages(response))
    group.refresh_from_db()
    assert group.status == "dismissed" and group.resolved_by == staff["knowledge_manager"]
    inbox = km_client.get("/console/conhecimento/lacunas/").content.decode()
    assert "como tiro o passaporte" not in inbox
    services.record_gap("como tiro passaporte pra viajar?", "pt-BR", "not_known")
    assert GapGroup.objects.count() == 1
    group.refresh_from_db()
    assert group.count == 2 and group.status == "dismissed"
    again = km_client.post(f"/console/conhecimento/lacunas/{group.pk}/descartar/", follow=True)
    assert "Este grupo já foi tratado." in _messages(again)
    # Who may not edit the base may not set its gaps aside either.
    other = services.record_gap("qual o horário do INPI no sábado", "pt-BR", "not_known").group
    agent = verified_client(staff["agent"])
    assert agent.post(f"/console/conhecimento/lacunas/{other.pk}/descartar/").status_code == 403
    other.refresh_from_db()
    assert other.status == "open"
