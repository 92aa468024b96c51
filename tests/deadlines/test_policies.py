"""Built-in deadline policies against a table of hand-checked cases.

Every expected value below was worked out by hand from a printed calendar and the holiday
lists (BR national, `holidays` default category; PT national), never by calling the engine.
The comment on each row is the working. Holidays used:
BR 2024: 20 Nov (Wed, Consciência Negra, national since 2024), 25 Dec (Wed).
BR 2025: 1 Jan (Wed), Carnaval 3-4 Mar is NOT a holiday, 18 Apr (Good Friday), 21 Apr (Mon,
Tiradentes), 1 May (Thu), 15 Nov (Sat), 20 Nov (Thu), 25 Dec (Thu). BR 2026: 1 Jan (Thu).
PT 2025: 18 Apr (Good Friday), 25 Apr (Fri), 1 May (Thu), 25 Dec (Thu); 24 and 26 Dec are
working days. Lisbon summer time 2025: from Sun 30 Mar, to Sun 26 Oct; 2026: from Sun 29 Mar.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from balcao.deadlines.calendar import BusinessCalendar
from balcao.deadlines.policies import (
    BUILTIN_POLICIES,
    DeadlineResult,
    Extension,
    Kind,
    PauseMode,
    Policy,
    PolicyError,
    ReceivedError,
    UnknownPolicyError,
    apply_extensions,
    compute,
    get_policy,
)

# (policy, received, extended, counting_starts, due, extended_due)
CASES = [
    # --- lai: notice day (19:00 cutoff), counting from the next working day, +19, roll ---
    # Fri 19 Dec 2025 10:00 -> notice 19; cs Mon 22; 22 Dec + 19 = Sat 10 Jan -> Mon 12 Jan;
    # extension 12 Jan + 10 = Thu 22 Jan.
    ("lai", "2025-12-19T10:00:00-03:00", True, "2025-12-22", "2026-01-12", "2026-01-22"),
    ("lai", "2025-12-19T10:00:00-03:00", False, "2025-12-22", "2026-01-12", None),
    # Wed 17 Dec 18:59 -> notice 17; cs Thu 18; 18 Dec + 19 = Tue 6 Jan; ext Fri 16 Jan.
    ("lai", "2025-12-17T18:59:00-03:00", True, "2025-12-18", "2026-01-06", "2026-01-16"),
    # ... 19:00 is not "before 19:00" -> notice Thu 18; cs Fri 19; 19 Dec + 19 = Wed 7 Jan.
    ("lai", "2025-12-17T19:00:00-03:00", False, "2025-12-19", "2026-01-07", None),
    # same instants written in UTC
    ("lai", "2025-12-17T21:59:00Z", False, "2025-12-18", "2026-01-06", None),
    ("lai", "2025-12-17T22:00:00+00:00", False, "2025-12-19", "2026-01-07", None),
    # naive and bare date: local time of São Paulo (a bare date is 00:00)
    ("lai", "2025-12-17T18:59:00", False, "2025-12-18", "2026-01-06", None),
    ("lai", "2025-12-17", False, "2025-12-18", "2026-01-06", None),
    # Christmas Thu 25 Dec 2025 (holiday) -> notice Fri 26; cs Mon 29; 29 Dec + 19 =
    # Sat 17 Jan -> Mon 19 Jan; ext 19 + 10 = Thu 29 Jan.
    ("lai", "2025-12-25T10:00:00-03:00", True, "2025-12-29", "2026-01-19", "2026-01-29"),
    # Saturday 20 Dec -> notice Mon 22; cs Tue 23; 23 Dec + 19 = Sun 11 Jan -> Mon 12 Jan.
    ("lai", "2025-12-20T10:00:00-03:00", False, "2025-12-23", "2026-01-12", None),
    # Wed 31 Dec 2025 (working) -> cs Fri 2 Jan (1 Jan holiday); 2 Jan + 19 = Wed 21 Jan;
    # ext 31 Jan (Sat) -> Mon 2 Feb.
    ("lai", "2025-12-31T10:00:00-03:00", True, "2026-01-02", "2026-01-21", "2026-02-02"),
    # Thu 12 Dec 2024 -> cs Fri 13; 13 Dec + 19 = Wed 1 Jan 2025 (holiday) -> Thu 2 Jan;
    # ext 2 Jan + 10 = Sun 12 Jan -> Mon 13 Jan.
    ("lai", "2024-12-12T10:00:00-03:00", True, "2024-12-13", "2025-01-02", "2025-01-13"),
    # Good Friday: Thu 17 Apr 2025 -> cs Tue 22 (18 Good Friday, 21 Tiradentes);
    # 22 Apr + 19 = Sun 11 May -> Mon 12 May; ext 12 + 10 = Thu 22 May.
    ("lai", "2025-04-17T10:00:00-03:00", True, "2025-04-22", "2025-05-12", "2025-05-22"),
    # 21 April as a due date: Tue 1 Apr -> cs Wed 2; 2 Apr + 19 = Mon 21 Apr (Tiradentes)
    # -> Tue 22 Apr; ext 22 + 10 = Fri 2 May (1 May is the holiday, 2 May is working).
    ("lai", "2025-04-01T09:00:00-03:00", True, "2025-04-02", "2025-04-22", "2025-05-02"),
    # Consciência Negra 2024 (first national year): Thu 31 Oct 2024 -> cs Fri 1 Nov;
    # 1 Nov + 19 = Wed 20 Nov (holiday) -> Thu 21 Nov; ext 21 + 10 = Sun 1 Dec -> Mon 2 Dec.
    ("lai", "2024-10-31T10:00:00-03:00", True, "2024-11-01", "2024-11-21", "2024-12-02"),
    # Carnaval is a working day: Wed 12 Feb 2025 -> cs Thu 13; 13 Feb + 19 = Tue 4 Mar
    # (Carnaval Tuesday), a working day, so no roll.
    ("lai", "2025-02-12T10:00:00-03:00", False, "2025-02-13", "2025-03-04", None),
    # --- ouvidoria (30 + 30) and inpi-ouvidoria (20 + 10) ---
    # Fri 14 Nov 2025 -> cs Mon 17 (15 Nov is Sat); 17 Nov + 29 = Tue 16 Dec;
    # ext 16 Dec + 30 = Thu 15 Jan.
    ("ouvidoria", "2025-11-14T10:00:00-03:00", True, "2025-11-17", "2025-12-16", "2026-01-15"),
    ("ouvidoria", "2025-11-14T10:00:00-03:00", False, "2025-11-17", "2025-12-16", None),
    (
        "inpi-ouvidoria",
        "2025-12-19T10:00:00-03:00",
        True,
        "2025-12-22",
        "2026-01-12",
        "2026-01-22",
    ),
    ("inpi-ouvidoria", "2025-04-17T20:30:00-03:00", False, "2025-04-23", "2025-05-12", None),
    # (Thu 17 Apr after 19:00 -> notice Tue 22; cs Wed 23; 23 Apr + 19 = Mon 12 May.)
    # --- LAI appeals: 10 days to file, 5 to decide, no extension ---
    # Thu 17 Apr 2025 -> cs Tue 22; 22 Apr + 9 = Thu 1 May (holiday) -> Fri 2 May.
    ("lai-appeal-filing", "2025-04-17T10:00:00-03:00", True, "2025-04-22", "2025-05-02", None),
    # Mon 10 Nov 2025 -> cs Tue 11; 11 + 9 = Thu 20 Nov (Consciência Negra) -> Fri 21 Nov.
    ("lai-appeal-filing", "2025-11-10T10:00:00-03:00", False, "2025-11-11", "2025-11-21", None),
    # Mon 15 Dec 2025 -> cs Tue 16; 16 + 9 = Thu 25 Dec -> Fri 26 Dec.
    ("lai-appeal-filing", "2025-12-15T10:00:00-03:00", True, "2025-12-16", "2025-12-26", None),
    # Fri 19 Dec 2025 -> cs Mon 22; 22 + 4 = Fri 26 Dec (working).
    (
        "lai-appeal-decision",
        "2025-12-19T10:00:00-03:00",
        True,
        "2025-12-22",
        "2025-12-26",
        None,
    ),
    # Thu 27 Mar 2025 -> cs Fri 28; 28 + 4 = Tue 1 Apr.
    ("lai-appeal-decision", "2025-03-27T15:00:00-03:00", False, "2025-03-28", "2025-04-01", None),
    # --- appeal against a refused declassification (INPI Portaria art. 48): 10 days to
    # file, 30 for the President to decide, calendar days as the LAI appeals ---
    # Mon 10 Nov 2025 -> cs Tue 11; 11 + 9 = Thu 20 Nov (Consciência Negra) -> Fri 21 Nov.
    (
        "classification-appeal-filing",
        "2025-11-10T10:00:00-03:00",
        False,
        "2025-11-11",
        "2025-11-21",
        None,
    ),
    # Mon 3 Nov 2025 -> cs Tue 4 (day 1); 4 Nov + 29 = Wed 3 Dec (working).
    (
        "classification-appeal-decision",
        "2025-11-03T10:00:00-03:00",
        True,
        "2025-11-04",
        "2025-12-03",
        None,
    ),
    # --- contato-direto: 5th working day after the notice day ---
    # Mon 17 Nov 2025 -> Tue 18 (1), Wed 19 (2), [Thu 20 holiday], Fri 21 (3), Mon 24 (4),
    # Tue 25 (5).
    ("contato-direto", "2025-11-17T10:00:00-03:00", True, "2025-11-18", "2025-11-25", None),
    # Thu 17 Apr 2025 20:00 (after cutoff) -> notice Tue 22; Wed 23 (1) ... Tue 29 (5).
    ("contato-direto", "2025-04-17T20:00:00-03:00", False, "2025-04-23", "2025-04-29", None),
    # --- fale-conosco: 7 working days ---
    # Mon 22 Dec 2025 20:00 -> notice Tue 23; Wed 24 (1), Fri 26 (2), Mon 29 (3), Tue 30 (4),
    # Wed 31 (5), Fri 2 Jan (6), Mon 5 Jan (7).
    ("fale-conosco", "2025-12-22T20:00:00-03:00", True, "2025-12-24", "2026-01-05", None),
    # Carnaval: Fri 28 Feb 2025 -> Mon 3 Mar (1), Tue 4 (2), Wed 5 (3), Thu 6 (4), Fri 7 (5),
    # Mon 10 (6), Tue 11 (7).
    ("fale-conosco", "2025-02-28T10:00:00-03:00", False, "2025-03-03", "2025-03-11", None),
    # --- pt-cpa: receipt day not counted, 10th PT working day after the receipt date ---
    # Thu 17 Apr 2025 -> [Fri 18 holiday] Mon 21 (1), 22 (2), 23 (3), 24 (4), [Fri 25 hol.],
    # Mon 28 (5), 29 (6), 30 (7), [Thu 1 May hol.], Fri 2 (8), Mon 5 (9), Tue 6 May (10).
    ("pt-cpa", "2025-04-17T15:00:00+01:00", True, "2025-04-21", "2025-05-06", None),
    # Saturday 20 Dec 2025 -> Mon 22 (1), 23 (2), 24 (3), [25], 26 (4), 29 (5), 30 (6),
    # 31 (7), [1 Jan], Fri 2 (8), Mon 5 (9), Tue 6 Jan (10).
    ("pt-cpa", "2025-12-20T11:00:00+00:00", False, "2025-12-22", "2026-01-06", None),
    # 23 Dec 22:30 in São Paulo is Wed 24 Dec 01:30 in Lisbon: receipt date 24 Dec ->
    # Fri 26 (1), 29 (2), 30 (3), 31 (4), Fri 2 (5), Mon 5 (6), 6 (7), 7 (8), 8 (9), Fri 9 (10).
    ("pt-cpa", "2025-12-23T22:30:00-03:00", False, "2025-12-26", "2026-01-09", None),
    # --- pt-email-48h: 48 running hours on PT working days, Lisbon offset ---
    # Fri 28 Mar 2025 10:00 WET: 14 h Fri, [Sat, Sun 30 Mar: summer time starts], 24 h Mon 31,
    # 10 h Tue -> Tue 1 Apr 10:00 WEST.
    ("pt-email-48h", "2025-03-28T10:00:00Z", True, "2025-03-28", "2025-04-01T10:00:00+01:00", None),
    # Fri 24 Oct 2025 18:30 WEST: 5.5 h Fri, [Sun 26 Oct: winter time], 24 h Mon 27,
    # 18.5 h Tue -> Tue 28 Oct 18:30 WET.
    (
        "pt-email-48h",
        "2025-10-24T18:30:00+01:00",
        False,
        "2025-10-24",
        "2025-10-28T18:30:00+00:00",
        None,
    ),
    # Saturday 29 Mar 2025 -> starts Mon 31 Mar 00:00 WEST; 48 h = Mon + Tue -> Wed 00:00.
    (
        "pt-email-48h",
        "2025-03-29T15:00:00Z",
        False,
        "2025-03-31",
        "2025-04-02T00:00:00+01:00",
        None,
    ),
    # received on the changeover Sunday itself (non-working): same as above
    (
        "pt-email-48h",
        "2025-03-30T12:00:00+01:00",
        False,
        "2025-03-31",
        "2025-04-02T00:00:00+01:00",
        None,
    ),
    # Wed 24 Dec 2025 16:00 (working in PT): 8 h, [Thu 25 holiday], 24 h Fri 26, [weekend],
    # 16 h Mon 29 -> Mon 29 Dec 16:00 WET. Same instant given in São Paulo time.
    (
        "pt-email-48h",
        "2025-12-24T16:00:00Z",
        False,
        "2025-12-24",
        "2025-12-29T16:00:00+00:00",
        None,
    ),
    (
        "pt-email-48h",
        "2025-12-24T13:00:00-03:00",
        False,
        "2025-12-24",
        "2025-12-29T16:00:00+00:00",
        None,
    ),
    # Tue 23 Dec 00:00: 24 h Tue + 24 h Wed -> the instant is Wed 24:00 = Thu 25 Dec 00:00,
    # even though 25 Dec is a holiday (48 h have elapsed at that instant).
    (
        "pt-email-48h",
        "2025-12-23T00:00:00Z",
        False,
        "2025-12-23",
        "2025-12-25T00:00:00+00:00",
        None,
    ),
    # 2026: Fri 27 Mar 09:00 WET: 15 h Fri, [Sun 29: summer time], 24 h Mon 30, 9 h Tue 31.
    (
        "pt-email-48h",
        "2026-03-27T09:00:00Z",
        False,
        "2026-03-27",
        "2026-03-31T09:00:00+01:00",
        None,
    ),
    # --- chat-idle-20min: last activity + 20 minutes, rendered in São Paulo time ---
    ("chat-idle-20min", "2025-03-28T10:00:00-03:00", True, None, "2025-03-28T10:20:00-03:00", None),
    ("chat-idle-20min", "2025-03-28T13:00:00Z", False, None, "2025-03-28T10:20:00-03:00", None),
    (
        "chat-idle-20min",
        "2025-12-31T23:50:00-03:00",
        False,
        None,
        "2026-01-01T00:10:00-03:00",
        None,
    ),
]


@pytest.mark.parametrize(
    ("policy", "received", "extended", "counting_starts", "due", "extended_due"), CASES
)
def test_hand_checked_cases(
    policy: str,
    received: str,
    extended: bool,
    counting_starts: str | None,
    due: str,
    extended_due: str | None,
) -> None:
    got = compute(policy, received, extended).to_json()
    assert got == {
        "policy": policy,
        "received": received,
        "counting_starts": counting_starts,
        "due": due,
        "extended_due": extended_due,
    }
    assert list(got) == ["policy", "received", "counting_starts", "due", "extended_due"]


def test_registry_has_exactly_the_contract_names() -> None:
    assert set(BUILTIN_POLICIES) == {
        "lai",
        "ouvidoria",
        "inpi-ouvidoria",
        "lai-appeal-filing",
        "lai-appeal-decision",
        "classification-appeal-filing",  # INPI Portaria art. 48 (issue 21)
        "classification-appeal-decision",
        "contato-direto",
        "fale-conosco",
        "pt-cpa",
        "pt-email-48h",
        "chat-idle-20min",
    }
    for name, policy in BUILTIN_POLICIES.items():
        assert policy.name == name
        assert policy.source and policy.pause_reason


def test_extension_only_where_the_contract_gives_one() -> None:
    with_extension = {"lai", "ouvidoria", "inpi-ouvidoria"}
    for name in BUILTIN_POLICIES:
        got = compute(name, "2025-06-02T10:00:00-03:00", extended=True)
        assert (got.extended_due is not None) == (name in with_extension), name


def test_time_policies_refuse_a_timestamp_without_offset() -> None:
    for name in ("pt-email-48h", "chat-idle-20min"):
        with pytest.raises(ReceivedError, match="no UTC offset"):
            compute(name, "2025-03-28T10:00:00")
        with pytest.raises(ReceivedError, match="no UTC offset"):
            compute(name, "2025-03-28")


def test_bad_input() -> None:
    with pytest.raises(ReceivedError, match="not an ISO-8601"):
        compute("lai", "28/03/2025")
    with pytest.raises(UnknownPolicyError, match="known policies"):
        compute("sic", "2025-03-28")
    with pytest.raises(UnknownPolicyError):
        get_policy("nope")


def test_agency_closure_moves_the_due_date() -> None:
    # Fri 19 Dec 2025 lai is due Mon 12 Jan 2026; an agency closure that Monday moves it
    # to Tue 13 Jan.
    cal = BusinessCalendar("BR", closures=[date(2026, 1, 12)])
    got = compute("lai", "2025-12-19T10:00:00-03:00", calendar=cal)
    assert got.due == date(2026, 1, 13)


def test_ponto_facultativo_when_the_agency_closes() -> None:
    # fale-conosco from Fri 28 Feb 2025, agency closed Carnaval Mon-Tue and Ash Wednesday:
    # Thu 6 (1), Fri 7 (2), Mon 10 (3), 11 (4), 12 (5), 13 (6), Fri 14 Mar (7).
    cal = BusinessCalendar("BR", close_on_optional_days=True)
    got = compute("fale-conosco", "2025-02-28T10:00:00-03:00", calendar=cal)
    assert (got.counting_starts, got.due) == (date(2025, 3, 6), date(2025, 3, 14))


# -- pauses -------------------------------------------------------------------------------------


def test_lai_pause_skips_the_waiting_days() -> None:
    # lai from Fri 19 Dec 2025: raw due Sat 10 Jan. The requester is asked on Tue 23 Dec and
    # answers on Fri 26 Dec: days 24, 25, 26 are not counted (the day of the request still
    # counts, counting resumes the day after the answer) -> raw 13 Jan (Tue), working.
    got = compute(
        "lai",
        "2025-12-19T10:00:00-03:00",
        pauses=[("2025-12-23T11:00:00-03:00", "2025-12-26T09:00:00-03:00")],
    )
    assert got.due == date(2026, 1, 13)


def test_ouvidoria_restarts_after_complementation() -> None:
    # ouvidoria from Fri 14 Nov 2025 (due 16 Dec). Complementation asked Wed 19 Nov, answered
    # Mon 1 Dec 10:00: the count starts over as if received Mon 1 Dec -> cs Tue 2 Dec;
    # 2 Dec + 29 = Wed 31 Dec.
    got = compute(
        "ouvidoria",
        "2025-11-14T10:00:00-03:00",
        pauses=[("2025-11-19T10:00:00-03:00", "2025-12-01T10:00:00-03:00")],
    )
    assert (got.counting_starts, got.due) == (date(2025, 12, 2), date(2025, 12, 31))


def test_appeals_do_not_pause() -> None:
    plain = compute("lai-appeal-filing", "2025-11-10T10:00:00-03:00")
    paused = compute(
        "lai-appeal-filing",
        "2025-11-10T10:00:00-03:00",
        pauses=[("2025-11-12T10:00:00-03:00", "2025-11-19T10:00:00-03:00")],
    )
    assert paused.due == plain.due


def test_fale_conosco_pause_in_working_days() -> None:
    # fale-conosco from Mon 17 Nov 2025: cs Tue 18. Waiting from Wed 19 to Mon 24 Nov:
    # days 20..24 not counted. Counted: Tue 18 (1), Wed 19 (2), then from Tue 25: (3),
    # Wed 26 (4), Thu 27 (5), Fri 28 (6), Mon 1 Dec (7).
    got = compute(
        "fale-conosco",
        "2025-11-17T10:00:00-03:00",
        pauses=[("2025-11-19T15:00:00-03:00", "2025-11-24T15:00:00-03:00")],
    )
    assert got.due == date(2025, 12, 1)


def test_email_pause_in_running_hours() -> None:
    # Fri 28 Mar 2025 10:00Z, due Tue 1 Apr 10:00+01. Paused Mon 31 Mar 10:00 -> 14:00 (+01):
    # 4 running hours more -> Tue 1 Apr 14:00+01.
    got = compute(
        "pt-email-48h",
        "2025-03-28T10:00:00Z",
        pauses=[("2025-03-31T10:00:00+01:00", "2025-03-31T14:00:00+01:00")],
    )
    assert got.due.isoformat() == "2025-04-01T14:00:00+01:00"


def test_chat_activity_restarts_the_idle_timer() -> None:
    got = compute(
        "chat-idle-20min",
        "2025-03-28T10:00:00-03:00",
        pauses=[("2025-03-28T10:05:00-03:00", "2025-03-28T10:12:00-03:00")],
    )
    assert got.due.isoformat() == "2025-03-28T10:32:00-03:00"


# -- admin-defined policies ------------------------------------------------------------------------


def test_policy_from_dict_round_trip() -> None:
    data = {
        "name": "sac-municipal",
        "kind": "working_days",
        "amount": 10,
        "country": "BR",
        "cutoff": "18:00",
        "extension_amount": 5,
        "max_extensions": 2,
        "pause_mode": "pause",
    }
    policy = Policy.from_dict(data)
    assert policy.kind is Kind.WORKING_DAYS
    assert policy.cutoff == time(18, 0)
    assert policy.pause_mode is PauseMode.PAUSE
    again = Policy.from_dict(policy.to_dict())
    assert again == policy
    # Mon 17 Nov 2025 17:00 -> notice 17; 10 wd: 18,19,21,24,25,26,27,28, 1 Dec, 2 Dec.
    got = compute(policy, "2025-11-17T17:00:00-03:00", extended=2)
    assert got.due == date(2025, 12, 2)
    # two extensions of 5 wd: 3,4,5,8,9 Dec -> 9 Dec; 10,11,12,15,16 -> 16 Dec
    assert got.extended_due == date(2025, 12, 16)
    with pytest.raises(PolicyError, match="at most 2"):
        compute(policy, "2025-11-17T17:00:00-03:00", extended=3)


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "x", "kind": "weeks", "amount": 1},
        {"name": "x", "kind": "working_days", "amount": 0},
        {"name": "x", "kind": "working_days", "amount": 1, "colour": "red"},
        {"name": "x", "kind": "minutes", "amount": 1, "cutoff": "19:00"},
        {"name": "x", "kind": "working_days", "amount": 1, "max_extensions": 1},
        {"name": "x", "kind": "working_days", "amount": 1, "cutoff": "7pm"},
        {"name": "x", "kind": "working_days"},
    ],
)
def test_policy_from_dict_rejects(bad: dict) -> None:
    with pytest.raises(PolicyError):
        Policy.from_dict(bad)


def test_working_hours_policy() -> None:
    policy = Policy.from_dict({"name": "telefone-retorno", "kind": "working_hours", "amount": 4})
    cal = BusinessCalendar(
        "BR", opening_hours={d: ["09:00-12:30", "14:00-17:00"] for d in range(5)}
    )
    # Thu 17 Apr 2025 16:00: 1 h Thursday, then Tue 22 Apr 09:00 + 3 h -> 12:00
    got = compute(policy, "2025-04-17T16:00:00-03:00", calendar=cal)
    assert got.due == datetime.fromisoformat("2025-04-22T12:00:00-03:00")
    assert got.counting_starts == date(2025, 4, 17)


def test_apply_extensions_requires_justification() -> None:
    base = compute("lai", "2025-12-19T10:00:00-03:00")
    with pytest.raises(PolicyError, match="justification"):
        Extension("  ")
    extended = apply_extensions("lai", base, [Extension("volume of documents", "ana")])
    assert extended.extended_due == date(2026, 1, 22)
    assert extended.extensions == 1
    with pytest.raises(PolicyError, match="at most 1"):
        apply_extensions("lai", extended, [Extension("again")])
    with pytest.raises(PolicyError):
        apply_extensions("fale-conosco", compute("fale-conosco", "2025-12-19"), [Extension("x")])


def test_result_is_a_dataclass_with_echo() -> None:
    got = compute("lai", datetime.fromisoformat("2025-12-19T10:00:00-03:00"))
    assert isinstance(got, DeadlineResult)
    assert got.received == "2025-12-19T10:00:00-03:00"


def test_restart_only_for_a_wait_that_begins_before_the_due_date() -> None:
    # ouvidoria from Fri 14 Nov 2025 is due Tue 16 Dec; a wait that begins on 17 Dec gives
    # nothing back.
    got = compute(
        "ouvidoria",
        "2025-11-14T10:00:00-03:00",
        pauses=[("2025-12-17T10:00:00-03:00", "2025-12-20T10:00:00-03:00")],
    )
    assert got.due == date(2025, 12, 16)


def test_ouvidoria_restarts_only_once() -> None:
    # First interruption 19 Nov -> 1 Dec (due becomes Wed 31 Dec, see above); a second one
    # (3 Dec -> 10 Dec) does not restart the count again.
    got = compute(
        "ouvidoria",
        "2025-11-14T10:00:00-03:00",
        pauses=[
            ("2025-11-19T10:00:00-03:00", "2025-12-01T10:00:00-03:00"),
            ("2025-12-03T10:00:00-03:00", "2025-12-10T10:00:00-03:00"),
        ],
    )
    assert got.due == date(2025, 12, 31)
