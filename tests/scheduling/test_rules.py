"""Art. 34 requests, the two-representatives rule, seats and reminders (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from balcao.scheduling.rules import (
    Companion,
    ReminderKind,
    Representative,
    RuleViolation,
    Seat,
    SeatStatus,
    SessionRequest,
    cancel_seat,
    check_representatives,
    check_request,
    due_reminders,
    fill_seats,
    reminder_times,
    representative_problems,
    request_problems,
    roster,
    sign_up,
    waiting_position,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
LISBON = ZoneInfo("Europe/Lisbon")

COMPLETE = SessionRequest(
    requester_name="Joana da Silva",
    requester_document="123.456.789-09",
    subject="Exigência formal no pedido de registro de marca",
    reference="Processo 912345678",
    justification="A exigência envolve documentos que precisam ser mostrados e explicados.",
    companions=(Companion("Carlos Souza", "sócio da empresa depositante"),),
)


# -- art. 34 --------------------------------------------------------------------------------


def test_a_complete_request_passes() -> None:
    assert request_problems(COMPLETE) == []
    check_request(COMPLETE)
    no_process = replace(COMPLETE, reference="", no_reference=True, companions=())
    assert request_problems(no_process) == []


@pytest.mark.parametrize(
    ("change", "code", "article"),
    [
        ({"requester_name": "  "}, "requester_name", "art. 34, I)"),
        ({"requester_document": ""}, "requester_document", "art. 34, I)"),
        ({"subject": "\n"}, "subject", "art. 34, II)"),
        ({"reference": ""}, "reference", "art. 34, II)"),
        ({"justification": ""}, "justification", "art. 34, III)"),
        ({"companions": None}, "companions", "art. 34, IV)"),
    ],
)
def test_each_missing_requirement_is_named(change: dict, code: str, article: str) -> None:
    (problem,) = request_problems(replace(COMPLETE, **change))
    assert problem.code == code
    assert problem.field == code
    assert problem.text().startswith("Informe") or problem.text().startswith(
        ("Indique", "Explique")
    )
    assert problem.text().endswith(article + ".")


def test_companions_need_a_name_and_an_interest() -> None:
    request = replace(
        COMPLETE,
        companions=(
            Companion("Carlos Souza", " "),
            Companion("", "advogado"),
            COMPLETE.companions[0],
        ),
    )
    problems = request_problems(request)
    assert [p.code for p in problems] == ["companion_interest", "companion_name"]
    assert problems[0].text() == (
        "Informe o interesse de Carlos Souza no assunto (Portaria, art. 34, IV)."
    )
    assert problems[1].text() == "Informe o nome do acompanhante nº 2 (Portaria, art. 34, IV)."


def test_an_empty_request_lists_every_requirement_and_translates() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_request(SessionRequest())
    codes = [p.code for p in refused.value.problems]
    assert codes == [
        "requester_name",
        "requester_document",
        "subject",
        "reference",
        "justification",
        "companions",
    ]
    assert "art. 34, III" in str(refused.value)
    english = {"Informe o assunto a ser abordado (Portaria, art. 34, II).": "State the subject."}
    subject = refused.value.problems[2]
    assert subject.text(lambda msgid: english.get(msgid, msgid)) == "State the subject."


# -- art. 32 § 4º and art. 43 ----------------------------------------------------------------

SERVANT = Representative("7", "Ana (servidora)", civil_servant=True)
CONTRACTOR = Representative("8", "Bruno (colaborador)", civil_servant=False)
OTHER_CONTRACTOR = Representative("9", "Clara (colaboradora)", civil_servant=False)


def test_two_representatives_one_a_civil_servant() -> None:
    assert representative_problems([SERVANT, CONTRACTOR]) == []
    check_representatives([CONTRACTOR, SERVANT, OTHER_CONTRACTOR])


@pytest.mark.parametrize(
    ("team", "codes"),
    [
        ([SERVANT], ["two_representatives"]),
        ([SERVANT, SERVANT], ["two_representatives"]),  # the same person twice
        ([CONTRACTOR, OTHER_CONTRACTOR], ["civil_servant"]),
        ([], ["two_representatives", "civil_servant"]),
    ],
)
def test_a_session_is_not_confirmed_without_them(team: list, codes: list[str]) -> None:
    assert [p.code for p in representative_problems(team)] == codes
    with pytest.raises(RuleViolation) as refused:
        check_representatives(team)
    assert "art. 32, § 4º" in str(refused.value)


# -- seats and waiting list -------------------------------------------------------------------

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def signed(keys: str, capacity: int) -> tuple[Seat, ...]:
    seats: tuple[Seat, ...] = ()
    for minute, key in enumerate(keys):
        seats = sign_up(seats, key, T0 + timedelta(minutes=minute), capacity).seats
    return seats


def test_full_session_puts_people_on_a_waiting_list() -> None:
    seats = signed("abcd", capacity=2)
    assert roster(seats) == (("a", "b"), ("c", "d"))
    assert waiting_position(seats, "c") == 1
    assert waiting_position(seats, "d") == 2
    assert waiting_position(seats, "a") is None
    with pytest.raises(ValueError, match="already"):
        sign_up(seats, "b", T0 + timedelta(hours=1), 2)


def test_a_cancellation_promotes_the_first_who_waits() -> None:
    seats = signed("abcd", capacity=2)
    change = cancel_seat(seats, "a", capacity=2)
    assert change.promoted == ("c",)
    assert roster(change.seats) == (("b", "c"), ("d",))
    # a waiting person who cancels frees no seat
    change = cancel_seat(change.seats, "d", capacity=2)
    assert change.promoted == ()
    assert roster(change.seats) == (("b", "c"), ())
    # cancelling twice changes nothing; an unknown key is an error
    assert cancel_seat(change.seats, "d", capacity=2).seats == change.seats
    with pytest.raises(KeyError):
        cancel_seat(change.seats, "z", capacity=2)


def test_signing_up_again_after_cancelling_goes_to_the_end() -> None:
    seats = cancel_seat(signed("abc", capacity=2), "a", capacity=2).seats
    assert roster(seats) == (("b", "c"), ())
    seats = sign_up(seats, "a", T0 + timedelta(hours=1), 2).seats
    assert roster(seats) == (("b", "c"), ("a",))


def test_capacity_changes() -> None:
    seats = signed("abcde", capacity=2)
    raised = fill_seats(seats, capacity=4)
    assert raised.promoted == ("c", "d")
    assert roster(raised.seats) == (("a", "b", "c", "d"), ("e",))
    lowered = fill_seats(raised.seats, capacity=1)  # nobody confirmed loses their seat
    assert lowered.promoted == () and roster(lowered.seats) == roster(raised.seats)
    # a newcomer never overtakes someone already waiting, even with a seat free
    change = sign_up(seats, "f", T0 + timedelta(hours=1), capacity=3)
    assert change.promoted == ("c",)
    assert roster(change.seats) == (("a", "b", "c"), ("d", "e", "f"))
    assert {s.key: s.status for s in change.seats}["f"] is SeatStatus.WAITING
    with pytest.raises(ValueError):
        fill_seats(seats, capacity=-1)


# -- reminders ------------------------------------------------------------------------------

SESSION = datetime(2026, 11, 25, 10, 0, tzinfo=SAO_PAULO)


def test_reminder_times() -> None:
    times = reminder_times(SESSION)
    assert times[ReminderKind.DAY_BEFORE] == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert times[ReminderKind.HOUR_BEFORE] == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    # Lisbon, Monday after the spring change: the day before is 23 hours earlier
    monday = datetime(2026, 3, 30, 10, 0, tzinfo=LISBON)
    day_before = reminder_times(monday)[ReminderKind.DAY_BEFORE]
    assert (day_before.day, day_before.hour) == (29, 10)
    assert day_before.astimezone(UTC) == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)


def run_periodic_task(
    first_run: datetime, last_run: datetime, booked_at: datetime | None = None
) -> list[tuple[datetime, ReminderKind]]:
    """What a job running every 5 minutes sends, remembering what it sent."""
    sent: set[str] = set()
    log: list[tuple[datetime, ReminderKind]] = []
    now = first_run
    while now <= last_run:
        for kind in due_reminders(SESSION, now, sent, booked_at=booked_at):
            sent.add(kind)
            log.append((now, kind))
        now += timedelta(minutes=5)
    return log


def test_each_reminder_is_sent_once_at_its_time() -> None:
    log = run_periodic_task(
        datetime(2026, 11, 23, 0, 0, tzinfo=UTC), datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    )
    assert log == [
        (datetime(2026, 11, 24, 13, 0, tzinfo=UTC), ReminderKind.DAY_BEFORE),
        (datetime(2026, 11, 25, 12, 0, tzinfo=UTC), ReminderKind.HOUR_BEFORE),
    ]


def test_late_job_or_late_booking_sends_one_reminder_not_two() -> None:
    late_job = run_periodic_task(
        datetime(2026, 11, 25, 12, 10, tzinfo=UTC), datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    )
    assert late_job == [(datetime(2026, 11, 25, 12, 10, tzinfo=UTC), ReminderKind.HOUR_BEFORE)]
    booked_that_morning = run_periodic_task(
        datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        datetime(2026, 11, 25, 14, 0, tzinfo=UTC),
        booked_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
    )
    assert booked_that_morning == [
        (datetime(2026, 11, 25, 12, 0, tzinfo=UTC), ReminderKind.HOUR_BEFORE)
    ]
    booked_at_the_last_minute = run_periodic_task(
        datetime(2026, 11, 25, 12, 30, tzinfo=UTC),
        datetime(2026, 11, 25, 14, 0, tzinfo=UTC),
        booked_at=datetime(2026, 11, 25, 12, 30, tzinfo=UTC),
    )
    assert booked_at_the_last_minute == []


def test_nothing_is_due_once_the_session_started() -> None:
    assert due_reminders(SESSION, SESSION, set()) == []
    assert due_reminders(SESSION, SESSION - timedelta(minutes=1), set()) == [
        ReminderKind.HOUR_BEFORE
    ]
    assert due_reminders(SESSION, SESSION - timedelta(minutes=1), {"hour_before"}) == []
    with pytest.raises(ValueError, match="aware"):
        due_reminders(SESSION, datetime(2026, 11, 25, 9, 0), set())
