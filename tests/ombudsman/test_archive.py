"""A manifestation whose author never sent the complementation asked is archived (issue 21):
after BALCAO_COMPLEMENT_DAYS, by the daily task, with word to the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from balcao.cases import services as cases
from balcao.cases.models import Case, DeadlinePause, Message, State
from balcao.ombudsman import services

pytestmark = pytest.mark.django_db


def _waiting_manifestation(staff, *, asked_days_ago: int):
    filed = services.do_file_manifestation(
        {
            "type": "reclamacao",
            "identity": "identified",
            "subject": "Atendimento",
            "description": "Fui mal atendido.",
            "requester": {"name": "Maria", "email": "maria@example.org"},
        }
    )
    case = Case.objects.get(pk=filed.case.pk)
    workflow = case.state.workflow
    for slug in ("em-atendimento", "aguardando-requerente"):
        cases.do_change_state(
            case,
            State.objects.get(workflow=workflow, slug=slug),
            actor=staff["ombudsman"],
            reason="Informe a data e a unidade.",
        )
        case.refresh_from_db()
    pause = DeadlinePause.objects.get(case=case, ended_at__isnull=True)
    pause.started_at = timezone.now() - timedelta(days=asked_days_ago)
    pause.save(update_fields=["started_at"])
    return case


def test_archived_after_twenty_days_without_the_complementation(staff):
    late = _waiting_manifestation(staff, asked_days_ago=21)
    recent = _waiting_manifestation(staff, asked_days_ago=5)
    assert services.archive_unanswered() == 1
    late.refresh_from_db()
    recent.refresh_from_db()
    assert late.state.category == State.Category.CLOSED
    assert recent.state.category == State.Category.WAITING_REQUESTER
    told = Message.objects.filter(case=late, internal=False).order_by("-pk").first().body
    assert "Arquivado" in told and "20 dias" in told
    assert services.archive_unanswered() == 0  # once


def test_the_daily_task_runs_it(staff):
    from balcao.ops.tasks import archive_unanswered_complementations

    _waiting_manifestation(staff, asked_days_ago=30)
    assert archive_unanswered_complementations.call_local() == 1
