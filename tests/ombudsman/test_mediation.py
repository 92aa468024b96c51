"""Resolução Pacífica de Conflitos (issue 21; INPI catalogue, level 5): mediation coordinated by
the ombudsman, with a deadline agreed between the parties and recorded, sessions with their
minutes, and an agreement kept as its own document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from balcao.accounts.permissions import PermissionDenied
from balcao.cases import services as cases
from balcao.cases.models import CaseEvent, Message, Requester, State, Workflow
from balcao.catalog.models import Channel
from balcao.ombudsman import services
from balcao.ombudsman.models import Mediation

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict(staff, django_capture_on_commit_callbacks):
    channel = Channel.objects.create(
        slug="resolucao-pacifica",
        name="Resolução Pacífica de Conflitos",
        kind="form",
        workflow=Workflow.objects.get(slug="helpdesk"),
        deadline_policy="",
    )
    person = Requester.objects.create(name="Rui Mendes", email="rui@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        return cases.do_open_case(
            channel=channel,
            subject="Conflito com a divisão de marcas",
            requester=person,
            actor=staff["ombudsman"],
        )


def _told(case) -> str:
    return Message.objects.filter(case=case, internal=False, author_kind="agent").last().body


def test_no_deadline_until_the_parties_agree_one(conflict, staff):
    assert conflict.due_at is None
    with pytest.raises(PermissionDenied):
        services.do_agree_deadline(
            conflict, due_on=timezone.localdate() + timedelta(days=30), how="x",
            actor=staff["supervisor"],
        )  # fmt: skip
    with pytest.raises(services.ManifestationError) as refused:
        services.do_agree_deadline(
            conflict, due_on=timezone.localdate(), how="", actor=staff["ombudsman"]
        )
    assert set(refused.value.fields) == {"due_on", "how"}
    day = timezone.localdate() + timedelta(days=30)
    services.do_agree_deadline(
        conflict, due_on=day, how="Por e-mail com o Sr. Rui em 03/12.", actor=staff["ombudsman"]
    )
    conflict.refresh_from_db()
    assert timezone.localdate(conflict.due_at) == day == timezone.localdate(conflict.agreed_due_at)
    event = conflict.history.filter(action=CaseEvent.Action.DUE_SET).last()
    assert "acordado entre as partes" in event.reason and "Rui" in event.reason
    assert day.strftime("%d/%m/%Y") in _told(conflict)


def test_the_agreed_deadline_survives_a_pause_for_the_person(conflict, staff):
    day = timezone.localdate() + timedelta(days=20)
    services.do_agree_deadline(conflict, due_on=day, how="Na 1ª sessão.", actor=staff["ombudsman"])
    workflow = conflict.state.workflow
    for slug in ("em-atendimento", "aguardando-requerente", "em-atendimento"):
        cases.do_change_state(
            conflict, State.objects.get(workflow=workflow, slug=slug),
            actor=staff["ombudsman"], reason="Envie os documentos.",
        )  # fmt: skip
        conflict.refresh_from_db()
    assert timezone.localdate(conflict.due_at) == day


def test_sessions_are_scheduled_told_and_minuted(conflict, staff):
    with pytest.raises(services.ManifestationError) as refused:
        services.do_schedule_session(
            conflict, starts_at=timezone.now() - timedelta(hours=1), mode="x", where="",
            actor=staff["ombudsman"],
        )  # fmt: skip
    assert set(refused.value.fields) == {"starts_at", "mode", "where"}
    when = timezone.now() + timedelta(days=3)
    session = services.do_schedule_session(
        conflict, starts_at=when, mode="virtual", where="https://meet.example/abc",
        actor=staff["ombudsman"],
    )  # fmt: skip
    assert "meet.example/abc" in _told(conflict) and "Virtual" in _told(conflict)
    with pytest.raises(services.ManifestationError):
        services.do_record_session(session, held=True, minutes=" ", actor=staff["ombudsman"])
    services.do_record_session(
        session, held=True, minutes="Partes ouvidas; proposta de acordo.", actor=staff["ombudsman"]
    )
    session.refresh_from_db()
    assert session.held and session.minutes.startswith("Partes ouvidas")


def test_an_agreement_resolves_the_case_and_is_kept_as_a_document(
    conflict, staff, verified_client, django_capture_on_commit_callbacks
):
    with pytest.raises(services.ManifestationError):
        services.do_conclude_mediation(
            conflict, outcome="agreement", text="", actor=staff["ombudsman"]
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.do_conclude_mediation(
            conflict, outcome="agreement",
            text="O INPI reanalisa o pedido em 15 dias; o requerente retira a reclamação.",
            actor=staff["ombudsman"],
        )  # fmt: skip
    conflict.refresh_from_db()
    assert conflict.state.category == State.Category.RESOLVED
    mediation = Mediation.objects.get(case=conflict)
    assert mediation.outcome == "agreement" and "reanalisa" in mediation.agreement
    assert "Termo de acordo" in _told(conflict) and "reanalisa" in _told(conflict)
    assert any("rui@example.org" in m.to and "reanalisa" in m.body for m in mail.outbox)
    web = verified_client(staff["ombudsman"])
    term = web.get(f"/console/atendimentos/{conflict.pk}/acordo/")
    assert term.status_code == 200 and "reanalisa o pedido" in term.content.decode()


def test_no_agreement_tells_why_and_keeps_no_term(conflict, staff, verified_client):
    services.do_conclude_mediation(
        conflict, outcome="no-agreement", text="As partes não chegaram a acordo.",
        actor=staff["ombudsman"],
    )  # fmt: skip
    assert "Sem acordo" in _told(conflict)
    web = verified_client(staff["ombudsman"])
    assert web.get(f"/console/atendimentos/{conflict.pk}/acordo/").status_code == 404


def test_other_channels_have_no_mediation(open_case, staff):
    case = open_case()
    with pytest.raises(services.ManifestationError):
        services.do_agree_deadline(
            case, due_on=timezone.localdate() + timedelta(days=5), how="x",
            actor=staff["ombudsman"],
        )  # fmt: skip


def test_the_case_page_runs_the_mediation(conflict, staff, verified_client):
    web = verified_client(staff["ombudsman"])
    url = f"/console/atendimentos/{conflict.pk}/"
    page = web.get(url).content.decode()
    assert "Registrar o prazo acordado" in page and "ainda não acordado" in page
    refused = web.post(url + "mediacao/", {"action": "deadline", "due_on": "", "how": ""})
    assert refused.status_code == 400 and "med-due_on_error" in refused.content.decode()
    day = timezone.localdate() + timedelta(days=25)
    done = web.post(
        url + "mediacao/", {"action": "deadline", "due_on": day.isoformat(), "how": "Por telefone."}
    )
    assert done.status_code == 302
    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    web.post(
        url + "mediacao/",
        {"action": "session", "starts_at": when, "mode": "in-person", "where": "Sala 3, Rio"},
    )
    page = web.get(url).content.decode()
    assert "Sala 3, Rio" in page and day.strftime("%d/%m/%Y") in page
    # another role gets no mediation section and may not act
    other = verified_client(staff["supervisor"])  # the same test client, now the supervisor
    assert "Registrar o prazo acordado" not in other.get(url).content.decode()
    assert other.post(url + "mediacao/", {"action": "deadline"}).status_code == 403
