"""Properties of the deadline engine (hypothesis).

- a due date (and an extended due date) of a day policy is always a working day;
- extending never moves a due date earlier;
- pausing never shortens a deadline;
- the same instant written in different time zones gives the same result;
- the clock runs forward: receipt date <= counting_starts <= due.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from balcao.deadlines.calendar import default_calendar
from balcao.deadlines.policies import BUILTIN_POLICIES, compute

POLICY_NAMES = sorted(BUILTIN_POLICIES)
DAY_POLICIES = [n for n, p in BUILTIN_POLICIES.items() if p.day_based]

instants = st.datetimes(
    min_value=datetime(2015, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(
    lambda q: timezone(timedelta(minutes=15 * q))
)
FAST = settings(max_examples=150, deadline=None, database=None)


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


@FAST
@given(name=st.sampled_from(DAY_POLICIES), moment=instants, extended=st.booleans())
def test_due_date_is_a_working_day(name: str, moment: datetime, extended: bool) -> None:
    policy = BUILTIN_POLICIES[name]
    cal = default_calendar(policy.country)
    got = compute(policy, moment.isoformat(), extended)
    assert cal.is_working_day(got.due)
    if got.extended_due is not None:
        assert cal.is_working_day(got.extended_due)


@FAST
@given(moment=instants)
def test_email_due_falls_on_a_working_day_or_at_its_end(moment: datetime) -> None:
    cal = default_calendar("PT")
    due = compute("pt-email-48h", moment.isoformat()).due
    assert isinstance(due, datetime)
    just_before = due - timedelta(microseconds=1)
    assert cal.is_working_day(just_before.astimezone(cal.tz).date())


@FAST
@given(name=st.sampled_from(POLICY_NAMES), moment=instants)
def test_extending_never_moves_a_due_date_earlier(name: str, moment: datetime) -> None:
    got = compute(name, moment.isoformat(), extended=True)
    if got.extended_due is not None:
        assert got.extended_due >= got.due


@FAST
@given(
    name=st.sampled_from(POLICY_NAMES),
    moment=instants,
    starts=st.lists(st.integers(0, 60 * 24 * 40), min_size=1, max_size=3),
    lengths=st.lists(st.integers(0, 60 * 24 * 15), min_size=3, max_size=3),
)
def test_pausing_never_shortens(
    name: str, moment: datetime, starts: list[int], lengths: list[int]
) -> None:
    pauses = [
        (moment + timedelta(minutes=s), moment + timedelta(minutes=s + n))
        for s, n in zip(starts, lengths, strict=False)
    ]
    plain = compute(name, moment.isoformat())
    paused = compute(name, moment.isoformat(), pauses=pauses)
    assert paused.due >= plain.due


@FAST
@given(name=st.sampled_from(POLICY_NAMES), moment=instants, a=offsets, b=offsets)
def test_same_instant_in_any_time_zone_gives_the_same_result(
    name: str, moment: datetime, a: timezone, b: timezone
) -> None:
    first = compute(name, moment.astimezone(a).isoformat(), True).to_json()
    second = compute(name, moment.astimezone(b).isoformat(), True).to_json()
    del first["received"], second["received"]
    assert first == second


@FAST
@given(name=st.sampled_from(POLICY_NAMES), moment=instants, extended=st.booleans())
def test_clock_runs_forward(name: str, moment: datetime, extended: bool) -> None:
    policy = BUILTIN_POLICIES[name]
    cal = default_calendar(policy.country)
    got = compute(policy, moment.isoformat(), extended)
    received_local = moment.astimezone(cal.tz)
    if got.counting_starts is not None:
        assert received_local.date() <= got.counting_starts <= _as_date(got.due)
    if isinstance(got.due, datetime):
        assert got.due > moment


@FAST
@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    n=st.integers(0, 400),
    country=st.sampled_from(["BR", "PT"]),
)
def test_add_and_count_working_days_are_inverse(day: date, n: int, country: str) -> None:
    cal = default_calendar(country)
    later = cal.add_working_days(day, n)
    assert cal.working_days_between(day, later) == n
    if n:
        assert cal.is_working_day(later)
        if cal.is_working_day(day):
            assert cal.add_working_days(later, -n) == day
