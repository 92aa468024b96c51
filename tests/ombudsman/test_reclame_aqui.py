"""Reclame Aqui (issue 21; INPI catalogue level 5: "reclamações consideradas críticas", 20 + 10
days): a complaint published on the outside site is registered by staff, runs on the agency's
clock from its publication, and keeps the public reply and the person's evaluation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from balcao.cases.clock import policy_due
from balcao.cases.models import Case, State, Workflow
from balcao.catalog.models import Channel
from balcao.ombudsman import services
from balcao.ombudsman.models import ExternalComplaint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def channel(db):
    return Channel.objects.create(
        slug="reclame-aqui",
        name="Reclame Aqui",
        kind="form",
        workflow=Workflow.objects.get(slug="helpdesk"),
        deadline_policy="inpi-ouvidoria",
    )


def _register(staff, **overrides):
    data = {
        "site_id": "RA-123456",
        "url": "https://www.reclameaqui.com.br/inpi/pedido-parado_RA123456/",
        "published_at": timezone.now() - timedelta(days=3),
        "author": "Carlos R.",
        "title": "Pedido de marca parado há dois anos",
        "text": "Meu pedido não anda e ninguém responde.",
        "actor": staff["agent"],
    }
    data.update(overrides)
    return services.do_register_external_complaint(**data)


def test_registered_on_the_agency_clock_from_the_publication(staff):
    published = timezone.now() - timedelta(days=3)
    case = _register(staff, published_at=published)
    assert case.channel.slug == "reclame-aqui" and case.priority == Case.Priority.HIGH
    assert case.created_at == published
    assert case.due_at == policy_due("inpi-ouvidoria", published)
    assert case.requester.name == "Carlos R." and case.requester.unverified
    assert ExternalComplaint.objects.get(case=case).site_id == "RA-123456"


def test_bad_input_and_a_second_registration_are_refused(staff):
    with pytest.raises(services.ManifestationError) as refused:
        _register(staff, site_id="", url="ftp://x", published_at=timezone.now() + timedelta(days=1),
                  title="", text="")  # fmt: skip
    assert set(refused.value.fields) == {"site_id", "url", "published_at", "title", "text"}
    first = _register(staff)
    with pytest.raises(services.ManifestationError) as again:
        _register(staff)
    assert first.protocol in again.value.fields["site_id"][0]


def test_reply_then_evaluation_resolved_closes_not_resolved_reopens(staff):
    case = _register(staff)
    with pytest.raises(services.ManifestationError):
        services.do_record_evaluation(case, verdict="yes", score=9, would_return=True,
                                      actor=staff["agent"])  # fmt: skip
    services.do_record_public_reply(case, text="Seu pedido foi priorizado.", actor=staff["agent"])
    case.refresh_from_db()
    assert case.state.category == State.Category.RESOLVED
    with pytest.raises(services.ManifestationError):
        services.do_record_evaluation(case, verdict="yes", score=11, would_return=None,
                                      actor=staff["agent"])  # fmt: skip
    services.do_record_evaluation(case, verdict="no", score=3, would_return=False,
                                  actor=staff["agent"])  # fmt: skip
    case.refresh_from_db()
    assert case.state.category == State.Category.OPEN  # reopened for another reply
    services.do_record_public_reply(case, text="O exame foi concluído.", actor=staff["agent"])
    services.do_record_evaluation(case, verdict="yes", score=9, would_return=True,
                                  actor=staff["agent"])  # fmt: skip
    case.refresh_from_db()
    complaint = ExternalComplaint.objects.get(case=case)
    assert case.state.category == State.Category.CLOSED
    assert (complaint.verdict, complaint.score, complaint.would_return) == ("yes", 9, True)


def test_the_console_registers_and_records(staff, verified_client):
    web = verified_client(staff["agent"])
    page = web.get("/console/reclame-aqui/nova/")
    assert page.status_code == 200 and "Reclame Aqui" in page.content.decode()
    refused = web.post("/console/reclame-aqui/nova/", {"site_id": ""})
    assert refused.status_code == 400 and "ra-site_id_error" in refused.content.decode()
    posted = web.post(
        "/console/reclame-aqui/nova/",
        {
            "site_id": "RA-9",
            "url": "https://www.reclameaqui.com.br/inpi/x_RA9/",
            "published_at": (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "author": "Bia",
            "title": "Atendimento demorado",
            "text": "Demoraram muito.",
        },
    )
    assert posted.status_code == 302
    case = Case.objects.get(external_complaint__site_id="RA-9")
    url = f"/console/atendimentos/{case.pk}/"
    assert "Registrar resposta publicada" in web.get(url).content.decode()
    web.post(url + "reclame-aqui/", {"action": "reply", "text": "Pedimos desculpas; resolvido."})
    page = web.get(url).content.decode()
    assert "Registrar avaliação" in page
    web.post(url + "reclame-aqui/", {"action": "evaluation", "verdict": "yes", "score": "8",
                                     "would_return": "true"})  # fmt: skip
    assert ExternalComplaint.objects.get(case=case).score == 8
