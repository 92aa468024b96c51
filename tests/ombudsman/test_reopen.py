"""A manifestation's author may contest the conclusive answer (issue 21: "reopened on a
well-founded reply"): the reply reaches the ombudsman, who reopens it with a reason; other
channels' concluded cases take no more messages."""

from __future__ import annotations

import pytest
from django.core import mail

from balcao.cases import followup
from balcao.cases import services as cases
from balcao.cases.models import Case, CaseEvent, Message, State
from balcao.errors import Refused
from balcao.ombudsman import services

pytestmark = pytest.mark.django_db


def _answered(staff):
    case = services.do_file_manifestation(
        {
            "type": "reclamacao",
            "identity": "identified",
            "subject": "Atendimento",
            "description": "Fui mal atendido.",
            "requester": {"name": "Maria", "email": "maria@example.org"},
        }
    ).case
    case = Case.objects.get(pk=case.pk)
    workflow = case.state.workflow
    cases.do_add_message(case, "A unidade foi orientada.", actor=staff["ombudsman"])
    cases.do_change_state(
        case, State.objects.get(workflow=workflow, slug="resolvido"), actor=staff["ombudsman"]
    )
    case.refresh_from_db()
    return case


def test_the_author_contests_and_the_ombudsman_reopens(staff, django_capture_on_commit_callbacks):
    staff["ombudsman"].email = "ouvidoria@example.gov.br"
    staff["ombudsman"].save(update_fields=["email"])
    case = _answered(staff)
    assert followup.can_reply(case) and followup.contests_answer(case)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        followup.do_requester_reply(case, "A orientação não resolve: o problema continua.")
    case.refresh_from_db()
    assert case.state.slug == "resolvido"  # the ombudsman decides
    assert (
        Message.objects.filter(case=case, author_kind="requester")
        .last()
        .body.startswith("A orientação")
    )
    [told] = [m for m in mail.outbox if "ouvidoria@example.gov.br" in m.to]
    assert case.protocol in told.subject and f"/console/atendimentos/{case.pk}/" in told.body
    assert case.history.filter(action=CaseEvent.Action.UPDATED, field="resposta").exists()
    with pytest.raises(cases.CaseError):  # reopening needs its reason
        cases.do_change_state(
            case, State.objects.get(workflow=case.state.workflow, slug="em-atendimento"),
            actor=staff["ombudsman"],
        )  # fmt: skip
    cases.do_change_state(
        case, State.objects.get(workflow=case.state.workflow, slug="em-atendimento"),
        actor=staff["ombudsman"], reason="Resposta procedente: falta apurar a unidade.",
    )  # fmt: skip
    case.refresh_from_db()
    assert case.is_open


def test_other_channels_concluded_cases_take_no_more_messages(open_case, staff):
    case = open_case()
    cases.do_change_state(
        case, State.objects.get(workflow=case.state.workflow, slug="resolvido"),
        actor=staff["supervisor"],
    )  # fmt: skip
    case.refresh_from_db()
    assert not followup.can_reply(case)
    with pytest.raises(Refused):
        followup.do_requester_reply(case, "Mais uma coisa.")


def test_a_closed_manifestation_takes_no_more_messages(staff):
    case = _answered(staff)
    cases.do_change_state(
        case, State.objects.get(workflow=case.state.workflow, slug="encerrado"),
        actor=staff["ombudsman"],
    )  # fmt: skip
    case.refresh_from_db()
    assert not followup.can_reply(case)
