"""Classified information in the console (issue 21; INPI Portaria arts. 46–51): only a
registered authority classifies, the rules are applied, the annual report counts it all."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from balcao.ombudsman import services
from balcao.ombudsman.models import ClassificationAuthority, ClassifiedInformation, LaiAnswer

pytestmark = pytest.mark.django_db


def _tci(**given):
    fields = {
        "nup": "52400.000321/2026-11",
        "degree": "reservado",
        "category": "06",
        "legal_ground": "Lei 12.527/2011, art. 23, VIII",
        "subject": "Apuração de fraude",
        "produced_on": (timezone.localdate() - timedelta(days=10)).isoformat(),
        "years": "5",
        "end_event": "",
        "reasons": "Investigação sigilosa em curso.",
    }
    fields.update(given)
    return fields


def test_only_a_registered_authority_classifies_and_the_rules_apply(staff, verified_client):
    client = verified_client(staff["manager"])
    page = client.get("/console/sigilo/").content.decode()
    assert "Só uma autoridade classificadora registrada" in page and "tci-nup" not in page
    ClassificationAuthority.objects.create(user=staff["manager"], level=15)
    refused = client.post("/console/sigilo/", _tci(degree="secreto", years="10"))
    assert refused.status_code == 400 and "Só o Presidente" in refused.content.decode()
    assert not ClassifiedInformation.objects.exists()
    done = client.post("/console/sigilo/", _tci())
    assert done.status_code == 302
    item = ClassifiedInformation.objects.get()
    assert item.classified_by == staff["manager"] and item.authority_level == 15
    page = client.get("/console/sigilo/").content.decode()
    assert item.as_classification().cidic in page and "Investigação sigilosa" not in page


def test_declassification_by_the_authority_reaches_the_annual_report(staff, verified_client):
    ClassificationAuthority.objects.create(user=staff["manager"], level=16)
    client = verified_client(staff["manager"])
    client.post("/console/sigilo/", _tci())
    client.post("/console/sigilo/", _tci(nup="52400.000322/2026-12", subject="Outro"))
    first, second = ClassifiedInformation.objects.order_by("pk")
    client.post(f"/console/sigilo/{first.pk}/desclassificar/", {"summary": "Parecer antigo"})
    first.refresh_from_db()
    assert first.declassified_on == timezone.localdate()

    request = services.do_file_manifestation(
        {
            "type": "acesso-informacao",
            "identity": "identified",
            "subject": "Cópia do parecer",
            "description": "Peço cópia do parecer.",
            "requester": {"name": "Maria", "email": "maria@example.org"},
        }
    ).case
    services.do_answer_lai(
        request, kind=LaiAnswer.Kind.DENIED, ground="classified", classification_id=second.pk,
        text="Classificada.", actor=staff["ombudsman"],
    )  # fmt: skip
    report = services.annual_report(timezone.localdate())
    assert [d["summary"] for d in report["declassified"]] == ["Parecer antigo"]
    assert [c["cidic"] for c in report["classified"]["reservado"]] == [
        second.as_classification().cidic
    ]
    assert report["requests"] == {"received": 1, "answered": 1, "denied": 1, "open": 0}
    page = client.get("/console/sigilo/relatorio-anual/").content.decode()
    assert "Parecer antigo" in page and second.as_classification().cidic in page
    exported = client.get("/console/sigilo/relatorio-anual/?formato=csv").content.decode()
    rows = list(csv.reader(io.StringIO(exported)))
    assert ["1", "1", "1", "0"] in rows and "Investigação sigilosa" not in exported


def test_an_agent_cannot_reach_classified_information(staff, verified_client):
    client = verified_client(staff["agent"])
    assert client.get("/console/sigilo/").status_code == 403
    assert client.get("/console/sigilo/relatorio-anual/").status_code == 403
