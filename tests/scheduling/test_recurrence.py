"""Session dates and offered slots (pure, no database).

Expected instants were worked out by hand from the printed 2026 calendar: Consciência Negra
(20 November) and Christmas are Fridays; Lisbon moves to summer time on Sunday 29 March
(01:00 UTC) and back on Sunday 25 October (01:00 UTC); São Paulo is UTC-3 all year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from balcao.deadlines.calendar import BusinessCalendar
from balcao.scheduling.recurrence import Slot, free_slots, session_dates

HOUR = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def starts(slots: list[Slot]) -> list[datetime]:
    return [s.start.astimezone(UTC) for s in slots]


def test_sessions_skip_a_national_holiday_and_an_agency_closure() -> None:
    closed = BusinessCalendar("BR", closures=[date(2026, 11, 18)])
    sessions = session_dates(closed, date(2026, 11, 16), date(2026, 11, 27), weekdays=(0, 2, 4))
    assert starts(sessions) == [
        utc(2026, 11, 16, 13),  # Monday 10:00 in São Paulo
        utc(2026, 11, 16, 17),  # Monday 14:00
        # Wednesday 18: closure; Friday 20: Consciência Negra
        utc(2026, 11, 23, 13),
        utc(2026, 11, 23, 17),
        utc(2026, 11, 25, 13),
        utc(2026, 11, 25, 17),
        utc(2026, 11, 27, 13),
        utc(2026, 11, 27, 17),
    ]
    assert all(s.seconds == 3600 and s.start.tzinfo is closed.tz for s in sessions)
    # the same week without the closure has the Wednesday
    open_wednesday = session_dates(
        BusinessCalendar("BR"), date(2026, 11, 18), date(2026, 11, 20), weekdays=(2, 4)
    )
    assert starts(open_wednesday) == [utc(2026, 11, 18, 13), utc(2026, 11, 18, 17)]


def test_christmas_week_has_no_friday_sessions() -> None:
    sessions = session_dates(BusinessCalendar("BR"), date(2026, 12, 21), date(2026, 12, 27))
    days = sorted({s.start.date() for s in sessions})
    assert days == [date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 24)]
    assert len(sessions) == 8


def test_local_clock_holds_across_lisbon_summer_time_changes() -> None:
    lisbon = BusinessCalendar("PT")
    assert lisbon.time_zone == "Europe/Lisbon"
    spring = session_dates(
        lisbon, date(2026, 3, 27), date(2026, 3, 30), weekdays=(0, 4), times=[time(10)]
    )
    autumn = session_dates(
        lisbon, date(2026, 10, 23), date(2026, 10, 26), weekdays=(0, 4), times=[time(10)]
    )
    assert starts(spring) == [utc(2026, 3, 27, 10), utc(2026, 3, 30, 9)]
    assert starts(autumn) == [utc(2026, 10, 23, 9), utc(2026, 10, 26, 10)]
    for s in spring + autumn:
        assert (s.start.hour, s.end.hour) == (10, 11)
        assert s.seconds == 3600


def test_clock_times_in_the_gap_and_in_the_overlap() -> None:
    sundays = BusinessCalendar("PT", extra_working_days=[date(2026, 3, 29), date(2026, 10, 25)])
    gap = session_dates(
        sundays, date(2026, 3, 29), date(2026, 3, 29), weekdays=[6], times=[time(1, 30)]
    )
    # 01:30 does not exist that night: moved forward by the missing hour, to 02:30 WEST
    assert starts(gap) == [utc(2026, 3, 29, 1, 30)]
    assert (gap[0].start.hour, gap[0].start.minute) == (2, 30)
    overlap = session_dates(
        sundays, date(2026, 10, 25), date(2026, 10, 25), weekdays=[6], times=[time(1, 30)]
    )
    # 01:30 happens twice: the first one (WEST); an hour later the clocks read 01:30 again
    assert starts(overlap) == [utc(2026, 10, 25, 0, 30)]
    assert overlap[0].end.astimezone(UTC) == utc(2026, 10, 25, 1, 30)
    assert (overlap[0].end.hour, overlap[0].end.minute) == (1, 30)
    assert overlap[0].seconds == 3600


def test_sessions_in_another_zone_than_the_calendar() -> None:
    sessions = session_dates(
        BusinessCalendar("BR"),
        date(2026, 11, 23),
        date(2026, 11, 23),
        time_zone="America/Manaus",
    )
    assert starts(sessions) == [utc(2026, 11, 23, 14), utc(2026, 11, 23, 18)]


def test_free_slots_avoid_busy_intervals_holidays_and_weekends() -> None:
    calendar = BusinessCalendar(
        "BR", opening_hours={d: ["09:00-12:00", "14:00-17:00"] for d in range(5)}
    )
    busy = [
        # Thursday 10:30-11:15 local blocks the 10:00 and 11:00 slots
        (utc(2026, 11, 19, 13, 30), utc(2026, 11, 19, 14, 15)),
        # Monday 14:00-15:00 local, given in UTC: the 15:00 slot stays free (half-open)
        (utc(2026, 11, 23, 17), utc(2026, 11, 23, 18)),
    ]
    slots = free_slots(calendar, date(2026, 11, 19), date(2026, 11, 23), busy=busy)
    local = [(s.start.date(), s.start.hour) for s in slots]
    assert local == [
        (date(2026, 11, 19), 9),
        (date(2026, 11, 19), 14),
        (date(2026, 11, 19), 15),
        (date(2026, 11, 19), 16),
        # Friday 20: holiday; 21-22: weekend
        (date(2026, 11, 23), 9),
        (date(2026, 11, 23), 10),
        (date(2026, 11, 23), 11),
        (date(2026, 11, 23), 15),
        (date(2026, 11, 23), 16),
    ]
    assert all(s.seconds == 3600 for s in slots)


def test_free_slots_not_before_limit_and_step() -> None:
    calendar = BusinessCalendar("BR")  # Monday-Friday 09:00-17:00
    later = free_slots(
        calendar,
        date(2026, 11, 23),
        date(2026, 11, 24),
        not_before=utc(2026, 11, 23, 19, 5),  # 16:05 local: nothing left on Monday
        limit=3,
    )
    assert starts(later) == [utc(2026, 11, 24, 12), utc(2026, 11, 24, 13), utc(2026, 11, 24, 14)]
    half_hourly = free_slots(
        calendar, date(2026, 11, 23), date(2026, 11, 23), step=timedelta(minutes=30)
    )
    assert len(half_hourly) == 15  # 09:00, 09:30, ..., 16:00
    assert half_hourly[-1].end.hour == 17
    assert free_slots(calendar, date(2026, 11, 23), date(2026, 11, 23), limit=0) == []


def test_busy_intervals_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        free_slots(
            BusinessCalendar("BR"),
            date(2026, 11, 23),
            date(2026, 11, 23),
            busy=[(datetime(2026, 11, 23, 10), datetime(2026, 11, 23, 11))],
        )
