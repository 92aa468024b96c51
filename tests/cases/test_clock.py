"""Deadlines inside cases: due on opening, pauses, restarts, extensions, closures, sweep."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from balcao.cases import clock
from balcao.cases import services as case_services
from balcao.cases.models import Case, DeadlineAlert, State, Team, TeamMembership
from balcao.deadlines import services
from balcao.deadlines.models import Calendar, CalendarChange, CalendarDay, CustomPolicy

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")


def _state(slug):
    return State.objects.get(workflow__slug="helpdesk", slug=slug)


def _open_at(open_case, when: datetime, policy: str, **kwargs):
    """Open a case and pretend it was received at ``when`` (recomputing its due date)."""
    case = open_case(**kwargs)
    Case.objects.filter(pk=case.pk).update(created_at=when, deadline_policy=policy)
    case.refresh_from_db()
    case.due_at = clock.compute_case_due(case)
    case.save(update_fields=["due_at"])
    return case


def _local_date(value):
    return value.astimezone(SP).date()


def test_a_new_case_gets_its_channels_due_date(open_case):
    case = open_case()
    assert case.deadline_policy == "fale-conosco"
    assert case.due_at is not None and case.history.filter(action="due_set").exists()


def test_lai_due_date_of_a_case(open_case):
    # Friday 19 Dec 2025 18:30 → counting from Monday 22 → Sat 10 Jan → Monday 12 Jan.
    case = _open_at(open_case, datetime(2025, 12, 19, 18, 30, tzinfo=SP), "lai")
    assert _local_date(case.due_at) == date(2026, 1, 12)


def test_an_agency_closure_moves_the_due_date(open_case):
    calendar = Calendar.objects.create(slug="inpi", name="INPI", country="BR", is_default=True)
    services.do_set_calendar_day(calendar, date(2026, 1, 12), CalendarDay.Kind.CLOSURE, "Recesso")
    case = _open_at(open_case, datetime(2025, 12, 19, 18, 30, tzinfo=SP), "lai")
    assert _local_date(case.due_at) == date(2026, 1, 13)
    assert CalendarChange.objects.filter(calendar=calendar, date=date(2026, 1, 12)).exists()


def test_waiting_on_the_requester_pauses_and_resumes_the_clock(open_case, staff, monkeypatch):
    case = _open_at(open_case, datetime(2025, 3, 3, 10, 0, tzinfo=SP), "lai")
    before = case.due_at
    actor = staff["supervisor"]
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2025, 3, 5, 10, 0, tzinfo=SP))
    case_services.do_change_state(
        case, _state("aguardando-requerente"), actor=actor, reason="Falta a procuração"
    )
    case.refresh_from_db()
    assert case.deadline_paused_at is not None
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: datetime(2025, 3, 12, 10, 0, tzinfo=SP)
    )
    case_services.do_change_state(case, _state("em-atendimento"), actor=actor)
    case.refresh_from_db()
    assert case.deadline_paused_at is None
    assert case.due_at > before  # pausing never shortens
    actions = list(case.history.values_list("action", flat=True))
    assert "deadline_paused" in actions and "deadline_resumed" in actions


def test_extension_needs_justification_role_and_stops_at_the_limit(open_case, staff):
    case = _open_at(open_case, datetime(2025, 12, 19, 18, 30, tzinfo=SP), "lai")
    with pytest.raises(case_services.PermissionDenied):
        clock.do_extend_deadline(case, actor=staff["agent"], justification="x")
    with pytest.raises(clock.DeadlineError, match="justificativa"):
        clock.do_extend_deadline(case, actor=staff["supervisor"], justification=" ")
    case = clock.do_extend_deadline(
        case, actor=staff["supervisor"], justification="Documentos em outra unidade"
    )
    assert _local_date(case.due_at) == date(2026, 1, 22)
    with pytest.raises(clock.DeadlineError, match="já foi prorrogado"):
        clock.do_extend_deadline(case, actor=staff["supervisor"], justification="de novo")
    event = case.history.get(action="deadline_extended")
    assert event.reason == "Documentos em outra unidade"


def test_a_policy_without_extension_refuses_one(open_case, staff):
    case = open_case()  # fale-conosco
    with pytest.raises(clock.DeadlineError, match="não admite"):
        clock.do_extend_deadline(case, actor=staff["supervisor"], justification="motivo")


def test_sweep_notifies_once_per_threshold(open_case, staff, make_user, monkeypatch):
    team = Team.objects.create(slug="marcas", name="Marcas")
    agent = make_user("agent", email="agente@inpi.invalid")
    boss = make_user("supervisor", email="chefe@inpi.invalid")
    for user in (agent, boss):
        TeamMembership.objects.create(team=team, user=user)
    late = _open_at(open_case, datetime(2025, 1, 6, 10, 0, tzinfo=SP), "lai", team=team)
    Case.objects.filter(pk=late.pk).update(assignee=agent)
    # late: due Mon 27 Jan. fresh: counting from Tue 11 Feb, +19 = Sun 2 Mar → Mon 3 Mar
    # (Carnaval is not a national holiday in the library's default category).
    fresh = _open_at(open_case, datetime(2025, 2, 10, 10, 0, tzinfo=SP), "lai", team=team)
    now = datetime(2025, 2, 24, 12, 0, tzinfo=SP)  # after late's due, before fresh's
    counts = clock.sweep_deadlines(now)
    assert counts == {"soon": 0, "overdue": 1}
    assert DeadlineAlert.objects.get().case_id == late.pk
    assert clock.sweep_deadlines(now) == {"soon": 0, "overdue": 0}  # once only
    # On Thu 27 Feb the horizon is 3 working days ahead (28 Feb, 3 Mar, 4 Mar).
    soon = clock.sweep_deadlines(datetime(2025, 2, 27, 9, 0, tzinfo=SP))
    assert soon["soon"] == 1 and DeadlineAlert.objects.filter(case=fresh).exists()


def test_sweep_emails_after_commit(open_case, make_user, django_capture_on_commit_callbacks):
    team = Team.objects.create(slug="n1", name="N1")
    boss = make_user("supervisor", email="chefe@inpi.invalid")
    TeamMembership.objects.create(team=team, user=boss)
    _open_at(open_case, datetime(2025, 1, 6, 10, 0, tzinfo=SP), "lai", team=team)
    with django_capture_on_commit_callbacks(execute=True):
        clock.sweep_deadlines(datetime(2025, 3, 1, 12, 0, tzinfo=SP))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chefe@inpi.invalid"]
    assert "Prazo vencido" in mail.outbox[0].subject


def test_paused_cases_are_not_swept(open_case):
    case = _open_at(open_case, datetime(2025, 1, 6, 10, 0, tzinfo=SP), "lai")
    Case.objects.filter(pk=case.pk).update(deadline_paused_at=datetime(2025, 1, 7, tzinfo=SP))
    assert clock.sweep_deadlines(datetime(2025, 3, 1, tzinfo=SP)) == {"soon": 0, "overdue": 0}


def test_csv_import_keeps_good_lines_and_names_bad_ones(tmp_path):
    calendar = Calendar.objects.create(slug="inpi", name="INPI", country="BR")
    path = tmp_path / "recesso.csv"
    path.write_text(
        "data,tipo,descricao\n2026-12-24,ponto facultativo,Véspera de Natal\n"
        "2026-13-01,closure,nada\n2026-12-31,fechamento,Recesso\n"
        "2026-12-30,festa,?\n",
        encoding="utf-8",
    )
    imported, errors = services.import_calendar_file(calendar, path)
    assert imported == 2
    assert len(errors) == 2 and "linha 3" in errors[0] and "linha 5" in errors[1]
    assert dict(calendar.days.values_list("date", "kind")) == {
        date(2026, 12, 24): "optional",
        date(2026, 12, 31): "closure",
    }


def test_ics_import(tmp_path):
    calendar = Calendar.objects.create(slug="inpi", name="INPI", country="BR")
    path = tmp_path / "recesso.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//\r\nBEGIN:VEVENT\r\n"
        "UID:1\r\nDTSTART;VALUE=DATE:20261228\r\nDTEND;VALUE=DATE:20261231\r\n"
        "SUMMARY:Recesso de fim de ano\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    imported, errors = services.import_calendar_file(calendar, path)
    assert (imported, errors) == (3, [])
    assert sorted(calendar.days.values_list("date", flat=True)) == [
        date(2026, 12, 28),
        date(2026, 12, 29),
        date(2026, 12, 30),
    ]


def test_custom_policy_is_validated_and_used(open_case):
    bad = CustomPolicy(name="lai", definition={"kind": "working_days", "amount": 5})
    with pytest.raises(ValidationError):
        bad.full_clean()
    typo = CustomPolicy(name="sac", definition={"kind": "working_days", "amonut": 5})
    with pytest.raises(ValidationError):
        typo.full_clean()
    CustomPolicy.objects.create(
        name="sac", definition={"kind": "working_days", "amount": 2, "cutoff": "18:00"}
    )
    case = _open_at(open_case, datetime(2025, 4, 17, 10, 0, tzinfo=SP), "sac")
    # Notice Thu 17; Good Friday 18 and Tiradentes 21 off: 2nd working day is Wed 23.
    assert _local_date(case.due_at) == date(2025, 4, 23)


def test_the_pages_horizon_is_read_once_a_minute_and_sees_a_closure_the_next(
    django_assert_num_queries,
):
    """``display_horizon`` (the work queue's "vence em breve") reads the calendar once a
    minute per process; a closure added in between shows from the next minute."""
    calendar = Calendar.objects.create(slug="inpi", name="INPI", country="BR", is_default=True)
    monday = datetime(2026, 1, 5, 10, 0, tzinfo=SP)  # three working days: Thursday the 8th
    assert clock.display_horizon(monday).date() == date(2026, 1, 8)
    with django_assert_num_queries(0):
        assert clock.display_horizon(monday.replace(second=40)).date() == date(2026, 1, 8)
    services.do_set_calendar_day(calendar, date(2026, 1, 7), CalendarDay.Kind.CLOSURE, "Recesso")
    assert clock.display_horizon(monday.replace(minute=1)).date() == date(2026, 1, 9)
    assert clock.warning_horizon(monday).date() == date(2026, 1, 9)  # the sweep's, fresh
