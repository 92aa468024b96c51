"""Business calendar: working days, tables, opening hours (pure, no database).

Expected values were read off a printed calendar and the official holiday lists, not computed
with the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import holidays
import pytest

from balcao.deadlines.calendar import BusinessCalendar, default_calendar

BRT = timezone(timedelta(hours=-3))
D = date


@pytest.fixture(scope="module")
def br() -> BusinessCalendar:
    return BusinessCalendar("BR")


@pytest.fixture(scope="module")
def pt() -> BusinessCalendar:
    return BusinessCalendar("PT")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 1, 1), False),  # Confraternização Universal
        (D(2025, 1, 2), True),
        (D(2025, 3, 3), True),  # Carnaval: ponto facultativo, not a national holiday
        (D(2025, 3, 4), True),
        (D(2025, 4, 18), False),  # Sexta-feira Santa
        (D(2025, 4, 21), False),  # Tiradentes
        (D(2025, 5, 1), False),  # Dia do Trabalho
        (D(2025, 6, 19), True),  # Corpus Christi: optional in BR
        (D(2023, 11, 20), True),  # Consciência Negra: not national before 2024 (a Monday)
        (D(2024, 11, 20), False),  # national since Lei 14.759/2023
        (D(2025, 11, 20), False),
        (D(2025, 12, 24), True),  # Christmas Eve: optional
        (D(2025, 12, 25), False),
        (D(2025, 12, 27), False),  # Saturday
        (D(2025, 12, 28), False),  # Sunday
    ],
)
def test_br_working_days(br: BusinessCalendar, day: date, working: bool) -> None:
    assert br.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 4, 18), False),  # Sexta-feira Santa
        (D(2025, 4, 21), True),  # Easter Monday is not a national holiday in PT
        (D(2025, 4, 25), False),  # Dia da Liberdade
        (D(2025, 6, 10), False),  # Dia de Portugal
        (D(2025, 6, 13), True),  # Santo António: Lisbon only
        (D(2025, 6, 19), False),  # Corpo de Deus
        (D(2025, 12, 1), False),  # Restauração da Independência
        (D(2025, 12, 8), False),  # Imaculada Conceição
        (D(2025, 12, 24), True),
        (D(2025, 12, 26), True),
        (D(2025, 3, 4), True),  # Carnaval: not a national holiday
    ],
)
def test_pt_working_days(pt: BusinessCalendar, day: date, working: bool) -> None:
    assert pt.is_working_day(day) is working


def test_subdivisions() -> None:
    assert not BusinessCalendar("BR", "RJ").is_working_day(D(2025, 4, 23))  # São Jorge (RJ)
    assert BusinessCalendar("BR").is_working_day(D(2025, 4, 23))
    assert not BusinessCalendar("PT", "11").is_working_day(D(2025, 6, 13))  # Lisboa
    assert BusinessCalendar("PT", "13").is_working_day(D(2025, 6, 13))  # Porto
    assert not BusinessCalendar("PT", "13").is_working_day(D(2025, 6, 24))  # São João


def test_unknown_country_or_subdivision_is_an_error() -> None:
    with pytest.raises(ValueError):
        BusinessCalendar("XX")
    with pytest.raises(Exception):  # noqa: B017 - the library's own error type
        BusinessCalendar("BR", "ZZ")


def test_time_zones() -> None:
    assert BusinessCalendar("BR").time_zone == "America/Sao_Paulo"
    assert BusinessCalendar("PT").time_zone == "Europe/Lisbon"
    assert BusinessCalendar("BR", "AM", time_zone="America/Manaus").time_zone == "America/Manaus"


def test_closures_optional_days_and_extra_working_days() -> None:
    cal = BusinessCalendar(
        "BR",
        closures=[D(2025, 3, 10)],
        optional_days=[D(2025, 10, 28)],  # Dia do Servidor Público, agency's own list
        extra_working_days=[D(2025, 3, 8), D(2025, 4, 21)],
    )
    assert not cal.is_working_day(D(2025, 3, 10))
    assert cal.is_working_day(D(2025, 3, 8))  # a Saturday task force
    assert cal.is_working_day(D(2025, 4, 21))  # holiday worked
    assert cal.is_working_day(D(2025, 10, 28))  # optional day, agency open
    assert cal.is_working_day(D(2025, 3, 4))  # Carnaval, agency open

    closed = BusinessCalendar("BR", optional_days=[D(2025, 10, 28)], close_on_optional_days=True)
    assert not closed.is_working_day(D(2025, 10, 28))
    assert not closed.is_working_day(D(2025, 3, 3))  # Carnaval (library "optional")
    assert not closed.is_working_day(D(2025, 3, 4))
    assert not closed.is_working_day(D(2025, 3, 5))  # Quarta-feira de Cinzas
    assert closed.is_working_day(D(2025, 3, 6))


def test_next_roll_add_between(br: BusinessCalendar) -> None:
    # Thu 17 Apr 2025; Fri 18 Good Friday, weekend, Mon 21 Tiradentes.
    assert br.next_working_day(D(2025, 4, 17)) == D(2025, 4, 22)
    assert br.next_working_day(D(2025, 4, 16)) == D(2025, 4, 17)
    assert br.roll_forward(D(2025, 4, 17)) == D(2025, 4, 17)
    assert br.roll_forward(D(2025, 4, 18)) == D(2025, 4, 22)
    assert br.add_working_days(D(2025, 4, 17), 0) == D(2025, 4, 17)
    assert br.add_working_days(D(2025, 4, 17), 1) == D(2025, 4, 22)
    assert br.add_working_days(D(2025, 4, 17), 3) == D(2025, 4, 24)
    assert br.add_working_days(D(2025, 4, 19), 1) == D(2025, 4, 22)  # from a Saturday
    assert br.add_working_days(D(2025, 4, 22), -1) == D(2025, 4, 17)
    assert br.add_working_days(D(2025, 4, 24), -3) == D(2025, 4, 17)
    assert br.working_days_between(D(2025, 4, 17), D(2025, 4, 24)) == 3
    assert br.working_days_between(D(2025, 4, 24), D(2025, 4, 17)) == -3
    assert br.working_days_between(D(2025, 4, 18), D(2025, 4, 21)) == 0
    assert br.working_days(D(2025, 4, 17), D(2025, 4, 22)) == [D(2025, 4, 17), D(2025, 4, 22)]
    # New Year: Wed 31 Dec 2025 is working, Thu 1 Jan 2026 is not.
    assert br.next_working_day(D(2025, 12, 31)) == D(2026, 1, 2)


def _oracle_working(day: date, table: holidays.HolidayBase) -> bool:
    return day.weekday() < 5 and day not in table


def test_tables_agree_with_the_library_over_decades() -> None:
    """Tables built lazily and extended in both directions match a day-by-day scan."""
    cal = BusinessCalendar("BR")
    cal.is_working_day(D(2030, 6, 1))  # first build around 2030
    table = holidays.country_holidays("BR", years=range(1995, 2061))
    day = D(1995, 1, 1)
    expected_count = 0
    start = day
    while day <= D(2060, 12, 31):
        working = _oracle_working(day, table)
        assert cal.is_working_day(day) is working, day
        day += timedelta(days=1)
        expected_count += working
    assert cal.working_days_between(start - timedelta(days=1), D(2060, 12, 31)) == expected_count


def test_add_working_days_far_ahead() -> None:
    cal = BusinessCalendar("PT")
    table = holidays.country_holidays("PT", years=range(2025, 2045))
    day, n = D(2025, 1, 1), 0
    while n < 3000:
        day += timedelta(days=1)
        n += _oracle_working(day, table)
    assert cal.add_working_days(D(2025, 1, 1), 3000) == day
    # 1 Jan is a holiday: 3000 working days back lands on the last working day before it
    assert cal.add_working_days(day, -3000) == D(2024, 12, 31)


def test_default_calendar_is_shared() -> None:
    assert default_calendar("br") is default_calendar("BR")


def test_dict_round_trip() -> None:
    data = {
        "country": "BR",
        "subdivision": "SP",
        "time_zone": "America/Sao_Paulo",
        "closures": ["2025-03-10"],
        "optional_days": [],
        "close_on_optional_days": False,
        "extra_working_days": [],
        "opening_hours": {"0": ["09:00-12:30", "14:00-17:00"]},
    }
    cal = BusinessCalendar.from_dict(data)
    assert cal.to_dict() == data
    with pytest.raises(ValueError):
        BusinessCalendar.from_dict({"country": "BR", "holidayz": []})
    with pytest.raises(ValueError):
        BusinessCalendar(opening_hours={0: ["09:00-13:00", "12:00-17:00"]})
    with pytest.raises(ValueError):
        BusinessCalendar(opening_hours={0: ["17:00-09:00"]})


# -- opening hours -----------------------------------------------------------------------------

SPLIT = {wd: ["09:00-12:30", "14:00-17:00"] for wd in range(5)}


@pytest.fixture(scope="module")
def split() -> BusinessCalendar:
    return BusinessCalendar("BR", opening_hours=SPLIT)


def test_is_open_and_closing(split: BusinessCalendar) -> None:
    mon = datetime(2025, 3, 10, 10, 0, tzinfo=BRT)
    assert split.is_open(mon)
    assert split.closing_time(mon) == datetime(2025, 3, 10, 12, 30, tzinfo=BRT)
    lunch = datetime(2025, 3, 10, 13, 0, tzinfo=BRT)
    assert not split.is_open(lunch)
    assert split.closing_time(lunch) is None
    assert split.next_opening(lunch) == datetime(2025, 3, 10, 14, 0, tzinfo=BRT)
    assert not split.is_open(datetime(2025, 3, 10, 17, 0, tzinfo=BRT))
    assert split.is_open(datetime(2025, 3, 10, 16, 59, tzinfo=BRT))
    # the same instant given in UTC
    assert split.is_open(datetime(2025, 3, 10, 13, 0, tzinfo=UTC_))
    # Thu 17 Apr 2025 after closing: next opening is Tue 22 Apr (Good Friday, Tiradentes)
    evening = datetime(2025, 4, 17, 17, 30, tzinfo=BRT)
    assert split.next_opening(evening) == datetime(2025, 4, 22, 9, 0, tzinfo=BRT)
    assert not split.is_open(datetime(2025, 4, 18, 10, 0, tzinfo=BRT))


UTC_ = UTC


def test_add_working_hours(split: BusinessCalendar) -> None:
    thu = datetime(2025, 4, 17, 16, 0, tzinfo=BRT)
    # 1 h on Thursday (16-17), then Tue 22 Apr from 09:00
    assert split.add_working_hours(thu, 3) == datetime(2025, 4, 22, 11, 0, tzinfo=BRT)
    # 1 h + 3.5 h in the morning + 0.5 h after lunch
    assert split.add_working_hours(thu, 5) == datetime(2025, 4, 22, 14, 30, tzinfo=BRT)
    # landing exactly on a closing time gives that closing time
    assert split.add_working_hours(thu, 1) == datetime(2025, 4, 17, 17, 0, tzinfo=BRT)
    # received while closed: the clock starts at the next opening
    lunch = datetime(2025, 3, 10, 13, 0, tzinfo=BRT)
    assert split.add_working_hours(lunch, 1) == datetime(2025, 3, 10, 15, 0, tzinfo=BRT)
    assert split.add_working_hours(lunch, 0) == datetime(2025, 3, 10, 14, 0, tzinfo=BRT)


def test_add_running_hours_on_working_days(pt: BusinessCalendar) -> None:
    # Fri 28 Mar 2025 10:00 WET: 14 h Fri, 24 h Mon 31 (WEST), 10 h Tue -> Tue 10:00 +01:00
    got = pt.add_running_hours_on_working_days(datetime(2025, 3, 28, 10, tzinfo=UTC_), 48)
    assert got.isoformat() == "2025-04-01T10:00:00+01:00"
    # seconds and microseconds are kept
    got = pt.add_running_hours_on_working_days(
        datetime(2025, 3, 28, 10, 0, 5, 250, tzinfo=UTC_), 48
    )
    assert got.isoformat() == "2025-04-01T10:00:05.000250+01:00"
    # received on a Sunday: the clock starts Monday 00:00
    got = pt.add_running_hours_on_working_days(datetime(2025, 3, 30, 12, tzinfo=UTC_), 1)
    assert got.isoformat() == "2025-03-31T01:00:00+01:00"


def test_naive_datetime_is_refused(br: BusinessCalendar) -> None:
    with pytest.raises(ValueError):
        br.is_open(datetime(2025, 3, 10, 10, 0))
