"""The public portal through Django's test client: home, triage, public forms, abuse
protection, confirmation e-mail on commit and its routing to the procurador."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from balcao.cases import intake
from balcao.cases.models import Case, Representation, Requester
from balcao.catalog import services as catalog
from balcao.catalog.models import Channel, TriageOutcome
from balcao.portal import services
from balcao.portal.forms import COMMON_SUBJECTS, subject_text

pytestmark = pytest.mark.django_db

VALID_CPF = "529.982.247-25"
SLUGS = [
    "chatbot",
    "conecta-todos",
    "fale-conosco",
    "comex-responde",
    "ouvidoria",
    "sic",
    "telepresencial",
    "reclame-aqui",
    "resolucao-pacifica",
]


@pytest.fixture(autouse=True)
def clean_state():
    cache.clear()
    language = translation.get_language()
    yield
    cache.clear()
    translation.activate(language)


@pytest.fixture
def catalogue(db):
    catalog.load_demo_catalog()


def form_data(**overrides):
    data = {
        "name": "Maria da Silva",
        "email": "maria@example.com",
        "cpf": "",
        "service": "",
        "subject": "Dúvida sobre o depósito de marca",
        "description": "Quero saber se preciso anexar o logotipo de novo.",
        "website": "",
    }
    data.update(overrides)
    return data


# --- home ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "lang", "words"),
    [
        (
            "",
            "pt-br",
            [
                "Plataforma Integrada de Atendimento",
                "Pré-Atendimento",
                "Chatbot do INPI",
                "Pós-Atendimento",
                "Episódio #001",
                "Cuidado com Fraudes",
                "não realizam a apreciação ou discussão do mérito",
            ],
        ),
        (
            "/en",
            "en",
            [
                "Integrated Service Platform",
                "Pre-service",
                "INPI Chatbot",
                "Beware of Fraud",
                "do not assess or discuss the merits",
                "Open 24 hours",
            ],
        ),
        (
            "/pt-pt",
            "pt-pt",
            ["Plataforma Integrada de Atendimento", "utentes", "percorra o percurso"],
        ),
    ],
)
def test_home_shows_five_levels_and_nine_channels(client, catalogue, prefix, lang, words):
    html = client.get(f"{prefix}/").content.decode()
    assert f'<html lang="{lang}">' in html
    assert html.count('<section class="level"') == 5
    assert (
        re.findall(
            r'<article class="br-card channel-card" aria-labelledby="channel-([\w-]+)"', html
        )
        == SLUGS
    )
    assert html.count('class="level-number"') == 5
    for word in words:
        assert word in html, word


def test_home_cards_link_each_entry_point(client, catalogue):
    html = client.get("/").content.decode()
    assert 'href="/chatbot/"' in html
    assert 'href="/canais/fale-conosco/"' in html and 'href="/canais/comex-responde/"' in html
    assert 'href="/canais/conecta-todos/agendamento/"' in html
    assert 'href="https://www.reclameaqui.com.br/"' in html
    assert "resposta em até 7 dias úteis" in html


def test_inactive_channels_are_not_shown(client, catalogue):
    Channel.objects.filter(slug="comex-responde").update(active=False)
    html = client.get("/").content.decode()
    assert "channel-comex-responde" not in html
    assert client.get("/canais/comex-responde/").status_code == 404


@pytest.fixture
def frozen_clock(monkeypatch):
    """The catalogue's clock stopped (the cached home fragment is keyed by the minute)."""

    class Frozen:
        @staticmethod
        def now():
            return datetime(2026, 12, 23, 13, 0, tzinfo=UTC)

    monkeypatch.setattr(catalog, "timezone", Frozen)


def test_home_catalogue_is_cached_but_edits_show_at_once(client, catalogue, staff, frozen_clock):
    assert "channel-comex-responde" in client.get("/").content.decode()
    Channel.objects.filter(slug="comex-responde").update(active=False)  # no CatalogChange
    assert "channel-comex-responde" in client.get("/").content.decode()  # cached
    catalog.do_update_channel(Channel.objects.get(slug="sic"), actor=staff["manager"], active=False)
    html = client.get("/").content.decode()
    assert "channel-sic" not in html and "channel-comex-responde" not in html


def test_home_query_count_is_flat(
    client, catalogue, frozen_clock, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(8):
        client.get("/")  # cold: levels, channels, episodes, texts, version, calendar days
    with django_assert_num_queries(3):
        client.get("/")  # the catalogue fragment cached: texts and the catalogue version


def test_the_presential_service_takes_requests(client, catalogue):
    html = client.get("/canais/telepresencial/agendamento/").content.decode()
    assert "Enviar pedido" in html and "em breve" not in html
    assert client.get("/canais/fale-conosco/agendamento/").status_code == 404
    assert client.get("/canais/telepresencial/").status_code == 404


# --- triage -------------------------------------------------------------------------------


def test_triage_without_javascript_records_an_anonymous_outcome(client, catalogue):
    text = "preciso de cópia do processo administrativo 123 do CPF 529.982.247-25"
    response = client.post("/encontre-o-atendimento/", {"text": text, "urgent": "no"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-recommended="sic"' in html and "<html" in html
    outcome = TriageOutcome.objects.get()
    assert (outcome.recommended, outcome.source, outcome.chosen) == ("sic", "portal", "")
    stored = " ".join(str(getattr(outcome, f.name)) for f in outcome._meta.fields)
    # the CPF's digits whole: a timestamp's microseconds may hold "529"
    assert not [p for p in ("529.982", "982.247", "52998224725", "processo") if p in stored]

    token = re.search(r'name="outcome" value="([^"]+)"', html).group(1)
    response = client.post("/encontre-o-atendimento/ir/", {"outcome": token, "channel": "sic"})
    assert response.status_code == 302 and response["Location"] == "/canais/sic/"
    outcome.refresh_from_db()
    assert outcome.chosen == "sic"


def test_triage_htmx_returns_the_fragment(client, catalogue):
    response = client.post(
        "/en/encontre-o-atendimento/",
        {"text": "how much does it cost to register a trademark?"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<html" not in html and 'data-recommended="chatbot"' in html
    assert "We recommend" in html


def test_triage_needs_text_or_a_subject(client, catalogue):
    response = client.post("/encontre-o-atendimento/", {"text": "  "})
    assert response.status_code == 422
    assert "Descreva a sua necessidade ou escolha um assunto comum" in response.content.decode()
    assert not TriageOutcome.objects.exists()
    fragment = client.post("/encontre-o-atendimento/", {"text": ""}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'role="alert"' in fragment.content.decode()


def test_a_forged_outcome_token_records_nothing(client, catalogue):
    catalog.triage("quanto custa uma marca", "pt-BR", record=True)
    outcome = TriageOutcome.objects.get()
    response = client.post(
        "/encontre-o-atendimento/ir/", {"outcome": str(outcome.pk), "channel": "ouvidoria"}
    )
    assert response.status_code == 302
    assert TriageOutcome.objects.get(pk=outcome.pk).chosen == ""


EXPECTED_SUBJECTS = {
    "price": "chatbot",
    "technical": "fale-conosco",
    "export": "comex-responde",
    "complaint": "ouvidoria",
    "information": "sic",
    "strategy": "telepresencial",
    "appeal": "merit-not-discussed",
}


@pytest.mark.parametrize("language", ["pt-BR", "pt-PT", "en"])
def test_common_subjects_lead_where_they_say(catalogue, language):
    assert set(COMMON_SUBJECTS) == set(EXPECTED_SUBJECTS)
    for key, expected in EXPECTED_SUBJECTS.items():
        got = catalog.triage(subject_text(key, language), language)["channel"]
        assert got == expected, (key, language, got)


def test_merit_not_discussed_points_to_the_appeal(client, catalogue):
    html = client.post("/encontre-o-atendimento/", {"subject": "appeal"}).content.decode()
    assert "Nenhum canal discute o mérito de decisões" in html
    assert "recurso" in html


# --- the public form ----------------------------------------------------------------------


def test_form_opens_a_case_and_emails_protocol_and_due_date(
    client, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/canais/fale-conosco/", form_data(cpf=VALID_CPF))
    assert response.status_code == 302
    case = Case.objects.select_related("requester").get()
    assert case.requester.claimed_cpf == "52998224725" and case.channel.slug == "fale-conosco"
    assert case.requester.unverified and case.requester.cpf is None
    assert case.due_at is not None
    assert callbacks, "the e-mail must wait for the commit"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maria@example.com"]
    due = services.format_due(case.due_at)
    assert case.protocol in message.subject and case.protocol in message.body
    assert due in message.body

    page = client.get(response["Location"]).content.decode()
    assert case.protocol in page and due in page
    assert "maria@example.com" not in page  # the confirmation shows nothing personal


def test_no_email_before_the_commit(client, catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/canais/fale-conosco/", form_data())
    assert Case.objects.count() == 1
    assert mail.outbox == []


def test_someone_elses_cpf_never_reaches_their_record_or_their_procurador(
    client, catalogue, django_capture_on_commit_callbacks
):
    """Security issue #17, finding 1: the portal form with a CPF on file put the case on
    that person's record (so its acknowledgement went to their procurador) and dropped
    the e-mail typed. Now the case goes to a new unverified contact and the
    acknowledgement to the address typed; the person on file is untouched."""
    person = Requester.objects.create(
        name="Maria da Silva", email="maria@example.com", cpf="52998224725"
    )
    lawyer = Requester.objects.create(name="Dr. Paulo Procurador", email="paulo@escritorio.example")
    Representation.objects.create(requester=person, representative=lawyer, document="Proc. 1")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/canais/fale-conosco/", form_data(cpf=VALID_CPF, email="outra@example.org"))
    case = Case.objects.select_related("requester").get()
    assert case.requester != person and case.requester.unverified
    assert case.requester.email == "outra@example.org"
    assert case.official_recipient == case.requester
    assert [m.to for m in mail.outbox] == [["outra@example.org"]]
    person.refresh_from_db()
    assert (person.email, person.cpf, person.cases.count()) == (
        "maria@example.com",
        "52998224725",
        0,
    )


def test_a_wrong_cpf_is_explained_and_the_rest_is_kept(client, catalogue):
    response = client.post("/canais/fale-conosco/", form_data(cpf="123.456.789-00"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "CPF inválido" in html
    assert 'value="Maria da Silva"' in html and 'value="maria@example.com"' in html
    assert "Quero saber se preciso anexar o logotipo de novo." in html
    assert 'value="123.456.789-00"' in html
    assert not Case.objects.exists()


def test_required_fields_are_named(client, catalogue):
    response = client.post("/canais/fale-conosco/", form_data(name="", subject=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('class="field-error"') == 2
    assert 'aria-invalid="true"' in html


def test_the_honeypot_stops_bots(client, catalogue):
    response = client.post("/canais/fale-conosco/", form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert "Não preencha este campo" in response.content.decode()
    assert not Case.objects.exists() and mail.outbox == []


def test_rate_limit_per_address(client, catalogue, settings):
    settings.BALCAO_PUBLIC_FORM_RATE = "2/10m"
    for _ in range(2):
        assert client.post("/canais/fale-conosco/", form_data()).status_code == 302
    response = client.post("/canais/fale-conosco/", form_data(subject="Terceira mensagem"))
    html = response.content.decode()
    assert response.status_code == 429
    assert "muitos formulários em pouco tempo" in html
    assert 'value="Terceira mensagem"' in html
    assert Case.objects.count() == 2
    # Another address is not affected.
    other = client.post("/canais/fale-conosco/", form_data(), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_parse_rate():
    assert intake.parse_rate("5/10m") == (5, 600)
    assert intake.parse_rate("100/h") == (100, 3600)
    assert intake.parse_rate("3/30s") == (3, 30)
    with pytest.raises(ValueError):
        intake.parse_rate("five per minute")


def test_a_refused_attachment_keeps_the_form(client, catalogue):
    fake_pdf = SimpleUploadedFile(
        "relatorio.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"
    )
    response = client.post("/canais/fale-conosco/", {**form_data(), "attachment": fake_pdf})
    html = response.content.decode()
    assert response.status_code == 400
    assert "relatorio.pdf" in html and 'value="Maria da Silva"' in html
    assert not Case.objects.exists()


def test_an_attachment_too_large_for_the_channel(client, catalogue):
    Channel.objects.filter(slug="fale-conosco").update(max_attachment_bytes=1024)
    big = SimpleUploadedFile("notas.txt", b"a" * 4096, content_type="text/plain")
    response = client.post("/canais/fale-conosco/", {**form_data(), "attachment": big})
    assert response.status_code == 400
    assert "limite" in response.content.decode()


def test_an_accepted_attachment_is_stored_on_the_case(client, catalogue):
    pdf = SimpleUploadedFile(
        "guia.pdf",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        content_type="application/pdf",
    )
    response = client.post("/canais/fale-conosco/", {**form_data(), "attachment": pdf})
    assert response.status_code == 302
    case = Case.objects.get()
    assert list(case.attachments.values_list("filename", "content_type")) == [
        ("guia.pdf", "application/pdf")
    ]


def test_form_pages_exist_for_every_form_channel(client, catalogue):
    for slug in Channel.objects.filter(entry="form").values_list("slug", flat=True):
        assert client.get(f"/canais/{slug}/").status_code == 200, slug
    assert client.get("/canais/chatbot/").status_code == 404


def test_a_confirmation_link_is_signed(client, catalogue):
    assert client.get("/canais/fale-conosco/protocolo/forjado/").status_code == 404


def test_english_form_and_email(client, catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/canais/comex-responde/", form_data())
    assert response.status_code == 302 and response["Location"].startswith("/en/")
    case = Case.objects.get()
    assert case.requester.preferred_language == "en"
    assert case.protocol in mail.outbox[0].body


# --- theme ---------------------------------------------------------------------------------


def test_govbr_theme_by_default(client, catalogue):
    html = client.get("/").content.decode()
    assert "vendor/govbr/core.min.css" in html and "br-header" in html and "br-footer" in html
    assert 'href="#main-content"' in html


def test_neutral_theme_and_agency_settings(client, catalogue, settings):
    settings.BALCAO_THEME = "neutral"
    settings.BALCAO_AGENCY_NAME = "INPI Portugal"
    settings.BALCAO_AGENCY_LOGO_URL = "https://example.org/logo.svg"
    settings.BALCAO_PRIMARY_COLOR = "#005a8c"
    html = client.get("/pt-pt/").content.decode()
    assert "core.min.css" not in html and "balcao/neutral.css" in html
    assert "INPI Portugal" in html and 'src="https://example.org/logo.svg"' in html
    assert "--balcao-primary: #005a8c" in html


def test_a_bad_primary_colour_falls_back(client, catalogue, settings):
    settings.BALCAO_PRIMARY_COLOR = "red;} body{display:none"
    html = client.get("/").content.decode()
    assert "display:none" not in html and "--balcao-primary: #1351b4" in html


def test_language_switcher_sends_the_unprefixed_path(client, catalogue):
    html = client.get("/en/encontre-o-atendimento/?q=x").content.decode()
    assert '<input name="next" type="hidden" value="/encontre-o-atendimento/?q=x">' in html
    response = client.post(
        "/i18n/setlang/", {"language": "pt-pt", "next": "/encontre-o-atendimento/"}
    )
    assert response["Location"] == "/pt-pt/encontre-o-atendimento/"
