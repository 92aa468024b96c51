"""The public portal in a real browser: triage from free text to a recommendation, a form that
opens a case, "open now" on a holiday under a frozen clock, the home page in three languages.

The frozen clock: ``catalog.services.open_status`` asks ``timezone.now()`` of its own module
when it is given no instant (the portal gives none). The test replaces that module's
``timezone`` with a stand-in whose ``now()`` returns a fixed instant; the live server runs in a
thread of the test process, so it sees the stand-in. Nothing in the product learns about
test clocks.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAO_PAULO = ZoneInfo("America/Sao_Paulo")

# Needs as citizens write them (colloquial, misspelt, without accents, long, terse, English),
# with the channel the demo catalogue should recommend first.
NEEDS = [
    ("quero saber quanto custa registrar minha marca", "chatbot"),
    ("meu pedido foi indeferido injustamente e ninguém me responde há 2 meses", "ouvidoria"),
    ("preciso de cópia do processo administrativo X", "sic"),
    ("qual o horario de funcionamento do inpi?", "chatbot"),
    ("como faço pra emitir a GRU do pedido de patente", "chatbot"),
    ("quero exportar meu produto pra europa e proteger a marca la fora", "comex-responde"),
    ("quero denunciar um servidor que pediu dinheiro pra agilizar meu processo", "ouvidoria"),
    (
        "preciso de uma reuniao com o examinador pra entender o parecer tecnico da minha patente",
        "telepresencial",
    ),
    ("minha marca ta com exigencia formal e nao entendi o que tenho que corrigir", "fale-conosco"),
    ("conflito com servidor do inpi, queria uma mediação", "resolucao-pacifica"),
    (
        "quero tirar uma duvida rapida por video com alguem do inpi mostrando minha tela",
        "conecta-todos",
    ),
    ("quero que o INPI reverta o indeferimento da minha marca", "merit-not-discussed"),
]
ENGLISH_NEEDS = [
    ("I need a copy of my administrative file", "sic"),
    ("how much does it cost to register a trademark?", "chatbot"),
]


@pytest.fixture
def catalogue(db):
    from django.core.cache import cache

    from balcao.catalog.services import load_demo_catalog

    cache.clear()  # the home page's cached catalogue of an earlier test
    load_demo_catalog()


def _triage(page, text: str) -> str:
    page.locator("#id_text").fill(text)
    page.locator("#triage-form button[type=submit]").click()
    why = page.locator(".triage-why")
    why.wait_for()
    assert why.inner_text().strip()
    return why.get_attribute("data-recommended")


def test_triage_from_free_text_to_a_recommendation(page, live_server, catalogue, artifacts):
    from balcao.catalog.models import TriageOutcome

    page.goto(f"{live_server.url}/encontre-o-atendimento/")
    got = {}
    for text, _expected in NEEDS:
        page.locator("#id_text").fill("")
        page.evaluate("document.getElementById('triage-result').innerHTML = ''")
        got[text] = _triage(page, text)
    assert got == dict(NEEDS)
    assert TriageOutcome.objects.filter(source="portal").count() == len(NEEDS)

    page.goto(f"{live_server.url}/en/encontre-o-atendimento/")
    for text, expected in ENGLISH_NEEDS:
        page.evaluate("document.getElementById('triage-result').innerHTML = ''")
        assert _triage(page, text) == expected
    assert "We recommend" in page.locator(".triage-why").inner_text()
    page.screenshot(path=str(artifacts / "portal-triage.png"), full_page=True)

    # Following the recommendation records the choice and lands on the channel.
    page.locator(".triage-result button[type=submit]").first.click()
    page.wait_for_url("**/chatbot/")
    outcome = TriageOutcome.objects.order_by("-pk").first()
    assert (outcome.recommended, outcome.chosen) == ("chatbot", "chatbot")


def test_a_need_the_person_shares_reaches_the_console_masked(page, live_server, catalogue):
    """htmx posts the box too: the text is kept masked, with the channel the person chose."""
    from balcao.catalog.models import TriageOutcome

    page.goto(f"{live_server.url}/encontre-o-atendimento/")
    page.locator("#id_text").fill("quero o parecer que negou meu pedido, CPF 529.982.247-25")
    page.locator("label[for=id_share]").click()  # (the gov.br checkbox draws its own box)
    assert page.locator("#id_share").is_checked()
    page.locator("#triage-form button[type=submit]").click()
    page.locator(".triage-why").wait_for()
    page.locator(".triage-result button[type=submit]").first.click()
    page.wait_for_url(lambda url: "encontre-o-atendimento" not in url)
    outcome = TriageOutcome.objects.order_by("-pk").first()
    assert outcome.chosen and outcome.text == "quero o parecer que negou meu pedido, CPF [CPF]"


def test_triage_works_without_javascript(browser, live_server, catalogue):
    context = browser.new_context(java_script_enabled=False, locale="pt-BR")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/encontre-o-atendimento/")
        page.get_by_label("Ou escolha um assunto comum").select_option("information")
        page.get_by_role("group", name="É urgente?").get_by_text("Não", exact=True).click()
        assert page.locator("#id_urgent_2").is_checked()
        page.get_by_role("button", name="Ver o canal recomendado").click()
        assert page.locator(".triage-why").get_attribute("data-recommended") == "sic"
        page.locator(".triage-result button[type=submit]").first.click()
        page.get_by_role("heading", name="Serviço de Informação ao Cidadão").wait_for()
        assert "/canais/sic/" in page.url
    finally:
        context.close()


def test_form_submission_opens_a_case(page, live_server, catalogue, artifacts):
    from django.core import mail

    from balcao.cases.models import Case

    page.goto(f"{live_server.url}/")
    page.locator("#channel-fale-conosco").locator("xpath=ancestor::article").get_by_role(
        "link", name="Acesse aqui"
    ).click()
    page.get_by_role("heading", name="Fale Conosco").wait_for()
    page.get_by_label("Nome completo").fill("Joana Pereira")
    page.get_by_label("E-mail").fill("joana@example.com")
    page.get_by_label("CPF (opcional)").fill("529.982.247-25")
    page.get_by_label("Serviço").select_option(label="Marcas")
    page.get_by_label("Assunto").fill("GRU paga e pedido de marca sem andamento")
    page.get_by_label("Descrição").fill("Paguei a GRU há 10 dias e o pedido não aparece.")
    page.get_by_role("button", name="Enviar").click()
    protocol = page.locator("#protocol").inner_text()
    due_text = page.locator("#due-date").inner_text()
    page.screenshot(path=str(artifacts / "portal-confirmation.png"), full_page=True)

    case = Case.objects.select_related("requester", "channel", "service").get(protocol=protocol)
    assert case.channel.slug == "fale-conosco" and case.service.slug == "marcas"
    assert case.requester.name == "Joana Pereira" and case.requester.claimed_cpf == "52998224725"
    assert case.requester.unverified  # typed on a public form: a claim, not a proven identity
    assert case.due_at is not None
    local_due = case.due_at.astimezone(SAO_PAULO)
    assert str(local_due.year) in due_text and str(local_due.day) in due_text
    assert [m.to for m in mail.outbox] == [["joana@example.com"]]
    assert protocol in mail.outbox[0].body


@pytest.fixture
def weekly_channel(catalogue):
    """Fale Conosco staffed Monday to Friday, 9h to 17h, on the Rio de Janeiro calendar."""
    from balcao.catalog.models import Channel
    from balcao.deadlines.models import Calendar

    calendar = Calendar.objects.create(
        slug="inpi-rj",
        name="INPI — Rio de Janeiro",
        country="BR",
        subdivision="RJ",
        opening_hours={str(day): ["09:00-17:00"] for day in range(5)},
    )
    Channel.objects.filter(slug="fale-conosco").update(hours="weekly", calendar=calendar)


class FrozenTimezone:
    """``django.utils.timezone`` with ``now()`` fixed."""

    def __init__(self, moment: dt.datetime):
        from django.utils import timezone

        self._real = timezone
        self._moment = moment

    def now(self):
        return self._moment

    def __getattr__(self, name):
        return getattr(self._real, name)


def _status(page, url: str) -> str:
    page.goto(url)
    return page.locator('[data-channel-status="fale-conosco"]').inner_text().strip()


def test_open_now_is_right_on_a_holiday(page, live_server, weekly_channel, monkeypatch):
    from balcao.catalog import services

    # Wednesday 23 December 2026, 10h in Brasília: a working day.
    monkeypatch.setattr(
        services, "timezone", FrozenTimezone(dt.datetime(2026, 12, 23, 10, 0, tzinfo=SAO_PAULO))
    )
    assert _status(page, f"{live_server.url}/").endswith("Aberto agora — fecha às 17h")

    # Friday 25 December 2026 (Christmas), 10h: closed until Monday 28 at 9h.
    monkeypatch.setattr(
        services, "timezone", FrozenTimezone(dt.datetime(2026, 12, 25, 10, 0, tzinfo=SAO_PAULO))
    )
    assert _status(page, f"{live_server.url}/").endswith("Fechado — abre segunda às 9h")
    assert _status(page, f"{live_server.url}/en/").endswith("Closed — opens on Monday at 09:00")
    # The 24-hour chatbot stays open on the holiday.
    assert (
        page.locator('[data-channel-status="chatbot"]')
        .inner_text()
        .strip()
        .endswith("Open 24 hours")
    )


def test_home_in_three_languages_with_screenshots(page, live_server, catalogue, artifacts):
    expected = {
        "": ("pt-br", "Plataforma Integrada de Atendimento", "Pré-Atendimento"),
        "/en": ("en", "Integrated Service Platform", "Pre-service"),
        "/pt-pt": ("pt-pt", "Plataforma Integrada de Atendimento", "Pré-Atendimento"),
    }
    for prefix, (lang, title, level_one) in expected.items():
        page.goto(f"{live_server.url}{prefix}/")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.get_by_role("heading", level=1).inner_text() == title
        assert page.locator("section.level").count() == 5
        assert page.locator("article.channel-card").count() == 9
        assert level_one in page.locator("#level-pre-atendimento").inner_text()
        page.screenshot(path=str(artifacts / f"portal-home-{lang}.png"), full_page=True)

    # The language switcher leaves an English page for Portuguese (un-prefixed next).
    page.goto(f"{live_server.url}/en/")
    page.get_by_label("Language").select_option("pt-br")
    page.get_by_role("button", name="Change").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "pt-br"
