"""The portal's Ouvidoria form (issue 21, "fix this first"): the type of manifestation and
the identity choice, through the same service as the public API."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache

from balcao.cases.models import Case, Workflow
from balcao.catalog.models import Channel

pytestmark = pytest.mark.django_db

URL = "/canais/ouvidoria/"


@pytest.fixture(autouse=True)
def ouvidoria(settings):
    cache.clear()
    settings.BALCAO_PUBLIC_FORM_RATE = "100/10m"
    return Channel.objects.create(
        slug="ouvidoria",
        name="Ouvidoria",
        kind="ombudsman",
        confidential=True,
        workflow=Workflow.objects.get(slug="helpdesk"),
    )


def form(**extra):
    data = {
        "kind": "denuncia",
        "identity": "preserved",
        "name": "Joana Silva",
        "email": "joana@example.org",
        "cpf": "",
        "subject": "Cobrança indevida no balcão",
        "description": "Um servidor pediu dinheiro para agilizar meu pedido.",
        "website": "",
    }
    data.update(extra)
    return data


def test_the_form_asks_the_type_and_how_to_be_identified(client):
    page = client.get(URL).content.decode()
    assert "Tipo de manifestação" in page and "Como você quer se identificar?" in page
    assert "Com identidade preservada" in page and "Anônima" in page
    assert 'value="acesso-informacao"' not in page  # that is the SIC's form


def test_a_preserved_denuncia_is_filed_followable_and_confidential(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form(), follow=True)
    case = Case.objects.get()
    assert case.manifestation.type == "denuncia" and case.manifestation.identity == "preserved"
    assert case.channel.confidential and case.requester.name == "Joana Silva"
    page = response.content.decode()
    assert case.protocol in page and "Acompanhar atendimento" in page
    assert any("Código de acesso" in m.body for m in mail.outbox if "joana@example.org" in m.to)


def test_an_anonymous_manifestation_keeps_nothing_and_says_it_cannot_be_followed(client):
    response = client.post(URL, form(identity="anonymous", name="", email=""), follow=True)
    case = Case.objects.get()
    assert case.requester is None and case.manifestation.identity == "anonymous"
    page = response.content.decode()
    assert "não é possível acompanhá-la" in page
    assert f"?protocolo={case.protocol}" not in page  # no follow-up button


def test_name_and_email_are_required_unless_anonymous(client):
    response = client.post(URL, form(name="", email=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Informe seu nome (ou escolha a manifestação anônima)." in page
    assert "Informe seu e-mail (ou escolha a manifestação anônima)." in page
    assert not Case.objects.exists()
