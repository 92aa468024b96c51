"""A TCI's page in the console (issue 21; INPI Portaria arts. 47–49): reassessment on
request, the authority's decision, the appeal to the President and the ombudsman's opinion,
driven through the pages as staff use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balcao.ombudsman import services
from balcao.ombudsman.models import (
    ClassificationAppeal,
    ClassificationAuthority,
    ClassificationOpinion,
    ClassificationReassessment,
)

pytestmark = pytest.mark.django_db

REASONS = "Investigação sigilosa em curso."


@pytest.fixture
def tci(staff):
    """A reservado TCI signed by the President (a manager); an admin heads with FCE 13."""
    ClassificationAuthority.objects.create(user=staff["manager"], president=True)
    ClassificationAuthority.objects.create(user=staff["admin"], level=13)
    return services.do_classify(
        actor=staff["manager"],
        nup="52400.000321/2026-11",
        degree="reservado",
        category="06",
        legal_ground="Lei 12.527/2011, art. 23, VIII",
        subject="Apuração de fraude",
        produced_on=timezone.localdate() - timedelta(days=20),
        years=5,
        reasons=REASONS,
    )


def _page(client, item):
    response = client.get(f"/console/sigilo/{item.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_tci_and_its_reasons_only_to_an_authority_of_the_degree(
    tci, staff, verified_client
):
    cidic = tci.as_classification().cidic
    page = _page(verified_client(staff["ombudsman"]), tci)
    assert cidic in page and "Apuração de fraude" in page and REASONS not in page
    assert "Registrar uma reavaliação" in page
    page = _page(verified_client(staff["admin"]), tci)  # FCE 13: not enough for reservado
    assert REASONS not in page
    page = _page(verified_client(staff["manager"]), tci)
    assert REASONS in page
    listing = verified_client(staff["manager"]).get("/console/sigilo/").content.decode()
    assert f'href="/console/sigilo/{tci.pk}/"' in listing


def test_an_agent_cannot_open_a_tci(tci, staff, verified_client):
    client = verified_client(staff["agent"])
    assert client.get(f"/console/sigilo/{tci.pk}/").status_code == 403
    post = client.post(f"/console/sigilo/{tci.pk}/reavaliacao/", {"origin": "request"})
    assert post.status_code == 403 and not ClassificationReassessment.objects.exists()


def test_request_decision_opinion_appeal_and_the_presidents_decision(tci, staff, verified_client):
    def as_(role):  # one test client: each call signs it in as another person
        return verified_client(staff[role])

    asked = as_("ombudsman").post(
        f"/console/sigilo/{tci.pk}/reavaliacao/",
        {
            "origin": "request",
            "asked": "declassify",
            "requester_name": "Maria Exemplo",
            "requester_email": "maria@example.org",
            "text": "Peço a desclassificação do relatório.",
        },
    )
    assert asked.status_code == 302
    reassessment = ClassificationReassessment.objects.get()
    page = _page(as_("ombudsman"), tci)
    assert "Maria Exemplo" in page and "Aguardando a autoridade classificadora" in page
    assert "Registrar uma reavaliação" not in page  # one at a time
    assert "Decidir a reavaliação" not in page  # the ombudsman is no authority

    opinion = as_("ombudsman").post(
        f"/console/sigilo/reavaliacao/{reassessment.pk}/parecer/",
        {"text": "A Ouvidoria opina pela desclassificação parcial."},
    )
    assert opinion.status_code == 302
    refused = as_("admin").post(
        f"/console/sigilo/reavaliacao/{reassessment.pk}/parecer/", {"text": "Eu também."}
    )
    assert refused.status_code == 403 and ClassificationOpinion.objects.count() == 1

    page = _page(as_("manager"), tci)
    assert "Decidir a reavaliação" in page and "opina pela desclassificação parcial" in page
    missing = as_("manager").post(
        f"/console/sigilo/reavaliacao/{reassessment.pk}/decisao/",
        {"decision": "keep", "decision_text": ""},
    )
    assert missing.status_code == 400 and "Razões da decisão" in missing.content.decode()
    kept = as_("manager").post(
        f"/console/sigilo/reavaliacao/{reassessment.pk}/decisao/",
        {"decision": "keep", "decision_text": "As razões permanecem."},
    )
    assert kept.status_code == 302
    page = _page(as_("ombudsman"), tci)
    assert "Classificação mantida" in page and "As razões permanecem." not in page
    due = timezone.localtime(
        services.appeal_filing_due(ClassificationReassessment.objects.get())
    ).strftime("%d/%m/%Y")
    assert f"até {due}" in page and "Registrar o recurso" in page

    filed = as_("ombudsman").post(
        f"/console/sigilo/reavaliacao/{reassessment.pk}/recurso/",
        {"text": "A investigação terminou."},
    )
    assert filed.status_code == 302
    appeal = ClassificationAppeal.objects.get()
    page = _page(as_("manager"), tci)
    assert "Decidir o recurso (Presidente)" in page and "Aguardando o Presidente" in page
    granted = as_("manager").post(
        f"/console/sigilo/recurso/{appeal.pk}/decisao/",
        {
            "outcome": "granted",
            "effect": "reduce",
            "years": "2",
            "decision_text": "Dois anos bastam.",
        },
    )
    assert granted.status_code == 302
    tci.refresh_from_db()
    assert (tci.years, tci.reclassified) == (2, True)
    page = _page(as_("manager"), tci)
    assert "Provido" in page and "Prazo de sigilo reduzido" in page
    assert tci.as_classification().cidic in page and "Dois anos bastam." in page


def test_a_late_appeal_is_refused_on_the_page(tci, staff, verified_client):
    reassessment = services.do_request_reassessment(
        tci, actor=staff["ombudsman"], origin="request", requester_name="Maria", text="Peço."
    )
    services.do_decide_reassessment(
        reassessment, actor=staff["manager"], decision="keep", reasons="Permanecem."
    )
    reassessment.decided_at = timezone.now() - timedelta(days=20)
    reassessment.save(update_fields=["decided_at"])
    client = verified_client(staff["ombudsman"])
    page = _page(client, tci)
    assert "O prazo para recorrer terminou em" in page and "Registrar o recurso" not in page
    late = client.post(
        f"/console/sigilo/reavaliacao/{reassessment.pk}/recurso/", {"text": "Recorro."}
    )
    assert late.status_code == 400 and "O prazo para recorrer terminou em" in late.content.decode()
    assert not ClassificationAppeal.objects.exists()


def test_the_page_makes_as_many_queries_with_one_reassessment_as_with_three(
    tci, staff, verified_client
):
    def add_round():
        reassessment = services.do_request_reassessment(
            tci, actor=staff["ombudsman"], origin="request", requester_name="Maria", text="Peço."
        )
        services.do_record_opinion(
            actor=staff["ombudsman"], text="Parecer.", reassessment=reassessment
        )
        services.do_decide_reassessment(
            reassessment, actor=staff["manager"], decision="keep", reasons="Permanecem."
        )
        appeal = services.do_file_classification_appeal(
            reassessment, text="Recorro.", actor=staff["ombudsman"]
        )
        services.do_record_opinion(actor=staff["ombudsman"], text="Parecer.", appeal=appeal)
        services.do_decide_classification_appeal(
            appeal, actor=staff["manager"], outcome="denied", reasons="Mantida."
        )

    client = verified_client(staff["manager"])
    add_round()
    _page(client, tci)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        _page(client, tci)
    add_round()
    add_round()
    with CaptureQueriesContext(connection) as three:
        page = _page(client, tci)
    assert page.count("Recurso ao Presidente") >= 3
    assert len(three.captured_queries) == len(one.captured_queries)
