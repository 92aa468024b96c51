"""The demo's cases tell stories that agree with their list (issue 19: "Abertura 03/12/2026"
for a case opened 12/11; "Prazo retomado: 2026-12-14 → 2026-11-24")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from balcao.cases.models import Case, CaseEvent
from balcao.demo.services import load_demo

pytestmark = pytest.mark.django_db


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def test_every_demo_case_history_agrees_with_the_case():
    load_demo(cases=60, seed=7)
    now = timezone.now()
    # the 60 cases asked for (their history written on the demo's clock), and the two
    # (tele)presential requests waiting for triage, opened now through the portal's path
    assert Case.objects.filter(session_request__status="triage").count() == 2
    cases = list(Case.objects.filter(session_request__isnull=True).prefetch_related("history"))
    assert len(cases) == 60
    assert len({c.created_at.date() for c in cases}) > 20  # spread over weeks, not all today
    moved = 0
    for case in cases:
        events = list(case.history.order_by("pk"))
        opened = [e for e in events if e.action == CaseEvent.Action.OPENED]
        assert len(opened) == 1 and opened[0].at == case.created_at, case.protocol
        times = [e.at for e in events]
        assert times == sorted(times), case.protocol
        assert all(at <= now for at in times), case.protocol
        for event in events:
            if event.action in (
                CaseEvent.Action.DEADLINE_RESUMED,
                CaseEvent.Action.DEADLINE_EXTENDED,
            ):
                old, new = _day(event.old_value), _day(event.new_value)
                if old and new:
                    assert new >= old, (case.protocol, event.old_value, event.new_value)
            if event.action == CaseEvent.Action.DUE_SET and case.due_at:
                # the due date was computed from the day the case was opened
                assert case.due_at >= case.created_at
        moved += len(events) > 2
        if case.due_at and not case.deadline_paused_at:
            assert case.due_at - case.created_at < timedelta(days=200)
    assert moved > 10  # the walk through the workflow happened


def test_the_demo_without_cases_has_none():
    """`balcao demo --cases 0` (what the benchmarks load their cases beside) adds no case,
    not even the (tele)presential requests."""
    load_demo(cases=0)
    assert not Case.objects.exists()
