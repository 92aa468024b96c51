"""Appeals against an LAI answer and the complaint for omission (issue 21; Lei 12.527/2011
art. 15, Decreto 7.724/2012 arts. 21–24): the instance open at each step, the clocks, what
the person is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from balcao.cases.models import Case, Message
from balcao.ombudsman import services
from balcao.ombudsman.models import LaiAppeal

pytestmark = pytest.mark.django_db


def _request():
    filed = services.do_file_manifestation(
        {
            "type": "acesso-informacao",
            "identity": "identified",
            "subject": "Relatório de auditoria",
            "description": "Peço o relatório da última auditoria interna.",
            "requester": {"name": "Maria Exemplo", "email": "maria@example.org"},
        }
    )
    return Case.objects.get(pk=filed.case.pk)


def _last_reply(case):
    return Message.objects.filter(case=case, internal=False).order_by("-pk").first().body


def test_the_instances_follow_each_other_until_one_grants(staff):
    case = _request()
    assert services.next_appeal(case) is None  # not answered and not late yet
    services.do_answer_lai(
        case, kind="denied", ground="generic", text="Pedido genérico.", actor=staff["agent"]
    )
    instance, filing_due = services.next_appeal(case)
    assert instance == LaiAppeal.Instance.FIRST
    assert timedelta(days=9) < filing_due - timezone.now() < timedelta(days=16)

    first = services.do_register_appeal(case, text="O pedido é específico.", actor=staff["agent"])
    assert first.instance == "first" and first.decision_due is not None
    assert "Recurso registrado: 1ª instância" in _last_reply(case)
    assert services.next_appeal(case) is None  # one at a time

    services.do_decide_appeal(first, outcome="denied", text="Mantida.", actor=staff["supervisor"])
    assert "recorrer à 2ª instância" in _last_reply(case)
    second = services.do_register_appeal(case, text="Insisto.", actor=staff["agent"])
    assert second.instance == "second"
    services.do_decide_appeal(second, outcome="denied", text="Mantida.", actor=staff["ombudsman"])
    third = services.do_register_appeal(case, text="À CGU.", actor=staff["agent"])
    assert third.instance == "cgu" and third.decision_due is None  # decided outside
    services.do_decide_appeal(
        third, outcome="granted", text="A CGU deu acesso.", actor=staff["agent"]
    )
    assert services.next_appeal(case) is None
    assert "recorrer" not in _last_reply(case).split("A CGU deu acesso.")[1]


def test_a_late_appeal_is_refused_with_the_date_it_ended(staff):
    case = _request()
    services.do_answer_lai(
        case, kind="denied", ground="personal", text="Dados pessoais.", actor=staff["agent"]
    )
    answer = case.lai_answer
    answer.answered_at = timezone.now() - timedelta(days=40)
    answer.save(update_fields=["answered_at"])
    with pytest.raises(services.ManifestationError) as refused:
        services.do_register_appeal(case, text="Tarde demais?", actor=staff["agent"])
    assert "terminou em" in " ".join(refused.value.fields["text"])


def test_no_answer_by_the_due_date_opens_the_complaint_for_omission(staff):
    case = _request()
    case.due_at = timezone.now() - timedelta(days=1)
    case.save(update_fields=["due_at"])
    instance, _due = services.next_appeal(case)
    assert instance == LaiAppeal.Instance.OMISSION
    complaint = services.do_register_appeal(case, text="Ninguém respondeu.", actor=staff["agent"])
    assert complaint.decision_due is not None


def test_the_case_page_registers_and_decides(staff, verified_client):
    case = _request()
    services.do_answer_lai(
        case, kind="partial", ground="personal", text="Parte.", actor=staff["agent"]
    )
    client = verified_client(staff["ombudsman"])
    page = client.get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "Registrar recurso — 1ª instância" in page
    client.post(f"/console/atendimentos/{case.pk}/recurso-lai/", {"text": "Quero o resto."})
    appeal = LaiAppeal.objects.get(case=case)
    page = client.get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "Registrar a decisão" in page
    client.post(
        f"/console/atendimentos/{case.pk}/recurso-lai/{appeal.pk}/decisao/",
        {"outcome": "partly", "decision_text": "Mais uma parte liberada."},
    )
    appeal.refresh_from_db()
    assert appeal.outcome == "partly" and appeal.decided_by == staff["ombudsman"]
