"""The portal's "Ligamos para você" page (issue 23: click-to-call "a web-service endpoint
(and a widget button)"; seed 003: click-to-call a partir do site): a number and consent make
one web callback request; without consent, with a number that is not one, or too often,
nothing is filed and the person reads why; the page says whether the line is open."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from balcao.telephony.models import CallbackRequest, Line

pytestmark = pytest.mark.django_db

URL = "/telefone/ligamos-para-voce/"
TUESDAY_10H_LISBON = datetime(2025, 2, 11, 10, 0, tzinfo=UTC)  # Lisbon is on UTC in February
SATURDAY_10H_LISBON = datetime(2025, 2, 15, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def line():
    return Line.objects.create(
        slug="geral",
        name="Atendimento geral",
        queue="inpi",
        country="PT",
        messages={"after_hours": {"pt-br": "Atendemos de segunda a sexta, das 9h às 17h."}},
    )


def _at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_number_and_consent_file_one_web_request(client, line, monkeypatch):
    _at(monkeypatch, TUESDAY_10H_LISBON)
    page = client.get(URL).content.decode()
    assert "A central está aberta agora." in page and 'name="line"' in page
    answer = client.post(URL, {"number": "+351 912 345 678", "line": "geral", "consent": "on"})
    assert answer.status_code == 200
    assert "Pedido registrado" in answer.content.decode()
    request = CallbackRequest.objects.get()
    assert (request.number, request.source, request.line, request.queue, request.consent) == (
        "+351912345678", "web", line, "inpi", True
    )  # fmt: skip
    again = client.post(URL, {"number": "+351912345678", "line": "geral", "consent": "on"})
    assert "Já havia um pedido" in again.content.decode()
    assert CallbackRequest.objects.count() == 1


def test_without_consent_or_with_no_number_nothing_is_filed(client, line):
    answer = client.post(URL, {"number": "+351912345678", "line": "geral"})
    assert answer.status_code == 400
    assert "É preciso consentir que liguemos" in answer.content.decode()
    answer = client.post(URL, {"number": "ligue-me já", "line": "geral", "consent": "on"})
    assert answer.status_code == 400 and 'class="field-error"' in answer.content.decode()
    assert not CallbackRequest.objects.exists()


def test_too_many_requests_from_one_address_are_refused(client, line):
    answers = [
        client.post(URL, {"number": f"+35191234{n:04d}", "line": "geral", "consent": "on"})
        for n in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert "Muitos pedidos de chamada" in answers[-1].content.decode()
    assert CallbackRequest.objects.count() == 5


def test_closed_the_page_says_when_it_opens(client, line, monkeypatch):
    _at(monkeypatch, SATURDAY_10H_LISBON)
    page = client.get(URL).content.decode()
    assert "A central está fechada agora e abre em" in page
    assert "Atendemos de segunda a sexta" in page


def test_no_line_no_form(client):
    page = client.get(URL).content.decode()
    assert "não está disponível" in page and "<form" not in page.split("</header>")[-1]


def test_the_widget_script_is_served_and_points_at_the_page(client):
    from pathlib import Path

    from django.contrib.staticfiles import finders

    text = Path(finders.find("balcao/click-to-call.js")).read_text(encoding="utf-8")
    assert URL in text and "dataset.line" in text and 'rel = "noopener"' in text
