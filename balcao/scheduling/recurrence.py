"""When scheduled sessions happen: Conecta Todos dates and (tele)presential slots.

Pure module (no Django import). Working days, holidays, closures and opening hours come from
the agency's :class:`~balcao.deadlines.calendar.BusinessCalendar`; this module only lays
sessions over them.

- **INPI Conecta Todos** (seed ``000_…txt``): "FUNCIONAMENTO: nas datas pré-definidas em
  calendário atualizado semanalmente, às 10 e 14 horas, em sessões abertas de uma hora".
  :func:`session_dates` repeats chosen weekdays over a date range at given local clock times
  (10:00 and 14:00 by default), skipping every day the calendar does not work (holidays,
  closures, weekends).
- **Serviço de Atendimento (Tele)Presencial** (seed ``000_…txt``): "PRAZO: 7 dias úteis para
  triagem prévia; sob agendamento para sessões individuais de 1 hora". Once the triage
  accepts a request, :func:`free_slots` offers the one-hour slots inside the opening hours
  of working days that clash with nothing already booked.

Time zones. A clock time is a wall-clock time of the session's zone, so a 10:00 session is at
10:00 local before and after a summer-time change (its UTC instant moves). A clock time that
does not exist on the day of a spring-forward change is moved forward by the gap (01:30 in
Lisbon on the last Sunday of March is 02:30 WEST); one that happens twice on a fall-back day
is the first of the two. Durations are real elapsed time: a one-hour session lasts 3,600 s
even across a change. Every datetime returned is aware and in the session's zone.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from balcao.deadlines.calendar import BusinessCalendar

__all__ = [
    "CONECTA_TODOS_TIMES",
    "SESSION_LENGTH",
    "WEEKDAYS",
    "Slot",
    "at_local_time",
    "chronological",
    "free_slots",
    "session_dates",
]

#: "às 10 e 14 horas" (seed 000, INPI Conecta Todos).
CONECTA_TODOS_TIMES: tuple[time, ...] = (time(10, 0), time(14, 0))

#: "sessões abertas de uma hora" (Conecta Todos) and "sessões individuais de 1 hora"
#: ((Tele)Presencial); Portaria art. 42, IV: "duração prevista de uma hora".
SESSION_LENGTH = timedelta(hours=1)

#: Monday to Friday (0 = Monday, as :meth:`datetime.date.weekday`).
WEEKDAYS: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Slot:
    """A session's time: ``start`` and ``end`` aware, in the session's zone, ``end`` later.

    Compare and subtract through UTC (:attr:`seconds`, :func:`chronological`): Python
    compares two datetimes of the *same* zone by their wall clocks, which is wrong in the
    hour that happens twice.
    """

    start: datetime
    end: datetime

    @property
    def seconds(self) -> int:
        return int((self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds())


def chronological(slot: Slot) -> datetime:
    """Sort key: the slot's start in UTC."""
    return slot.start.astimezone(UTC)


def _zone(calendar: BusinessCalendar, time_zone: str | tzinfo | None) -> tzinfo:
    if time_zone is None:
        return calendar.tz
    if isinstance(time_zone, str):
        return ZoneInfo(time_zone)
    return time_zone


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime (with a UTC offset)")
    return moment


def at_local_time(day: date, clock: time, zone: tzinfo) -> datetime:
    """The instant ``day`` at ``clock`` on the wall clocks of ``zone`` (aware, in ``zone``).

    A clock time inside a spring-forward gap comes out moved forward by the gap; one that
    happens twice comes out as the first (``fold=0``), as the module docstring says.
    """
    naive = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _after(start: datetime, length: timedelta, zone: tzinfo) -> datetime:
    """``start`` plus ``length`` of real time (Python's aware arithmetic is wall-clock)."""
    return (start.astimezone(UTC) + length).astimezone(zone)


def session_dates(
    calendar: BusinessCalendar,
    first_day: date,
    last_day: date,
    *,
    weekdays: Iterable[int] = WEEKDAYS,
    times: Sequence[time] = CONECTA_TODOS_TIMES,
    length: timedelta = SESSION_LENGTH,
    time_zone: str | tzinfo | None = None,
) -> list[Slot]:
    """The sessions of a weekly calendar from ``first_day`` to ``last_day`` (both included).

    One session at each of ``times`` (local clock times of ``time_zone``, by default the
    calendar's) on every day whose weekday is in ``weekdays`` and which is a working day of
    ``calendar``: a public holiday, an agency closure or a weekend day has no session, an
    extra working day of the calendar has them when its weekday is listed. Seed 000, INPI
    Conecta Todos: "nas datas pré-definidas em calendário atualizado semanalmente, às 10 e 14
    horas, em sessões abertas de uma hora". Sessions come out in chronological order.
    """
    if length <= timedelta(0):
        raise ValueError("a session must last a positive time")
    days_of_week = frozenset(weekdays)
    if not days_of_week <= set(range(7)):
        raise ValueError("weekdays are 0 (Monday) .. 6 (Sunday)")
    zone = _zone(calendar, time_zone)
    clocks = sorted(set(times))
    sessions: list[Slot] = []
    day = first_day
    while day <= last_day:
        if day.weekday() in days_of_week and calendar.is_working_day(day):
            for clock in clocks:
                start = at_local_time(day, clock, zone)
                sessions.append(Slot(start, _after(start, length, zone)))
        day += timedelta(days=1)
    sessions.sort(key=chronological)
    return sessions


def _merged(busy: Iterable[tuple[datetime, datetime]]) -> tuple[list[datetime], list[datetime]]:
    """Busy intervals in UTC, sorted and merged: (starts, ends), half-open ``[start, end)``."""
    spans = sorted(
        (
            _aware(s, "a busy interval's start").astimezone(UTC),
            _aware(e, "a busy interval's end").astimezone(UTC),
        )
        for s, e in busy
    )
    spans = [(s, e) for s, e in spans if e > s]
    starts: list[datetime] = []
    ends: list[datetime] = []
    for s, e in spans:
        if ends and s <= ends[-1]:
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def _clashes(
    slot_start: datetime, slot_end: datetime, starts: list[datetime], ends: list[datetime]
) -> bool:
    k = bisect_right(starts, slot_start) - 1
    if k >= 0 and ends[k] > slot_start:
        return True
    return k + 1 < len(starts) and starts[k + 1] < slot_end


def free_slots(
    calendar: BusinessCalendar,
    first_day: date,
    last_day: date,
    *,
    busy: Iterable[tuple[datetime, datetime]] = (),
    length: timedelta = SESSION_LENGTH,
    step: timedelta | None = None,
    not_before: datetime | None = None,
    limit: int | None = None,
) -> list[Slot]:
    """The slots the (tele)presential service can offer, from ``first_day`` to ``last_day``.

    Seed 000, Serviço de Atendimento (Tele)Presencial: "7 dias úteis para triagem prévia; sob
    agendamento para sessões individuais de 1 hora". After the triage the unit proposes slots
    (issue 25): each lies inside one opening period of a working day of ``calendar`` (opening
    hours are in the calendar's zone), starts at the period's start and then every ``step``
    (default: ``length``, one hour), lasts ``length`` of real time, and overlaps no ``busy``
    interval (aware ``(start, end)`` pairs, half-open: a booking ending at 10:00 leaves a
    10:00 slot free). ``not_before`` drops slots that start earlier (e.g. "now"); ``limit``
    keeps only the first ones. Chronological order.
    """
    if length <= timedelta(0):
        raise ValueError("a slot must last a positive time")
    every = length if step is None else step
    if every <= timedelta(0):
        raise ValueError("the step between slots must be positive")
    if limit is not None and limit <= 0:
        return []
    earliest = None if not_before is None else _aware(not_before, "not_before").astimezone(UTC)
    starts, ends = _merged(busy)
    zone = calendar.tz
    slots: list[Slot] = []
    for day in calendar.working_days(first_day, last_day):
        for open_minute, close_minute in calendar.opening_hours.get(day.weekday(), ()):
            opens = at_local_time(day, time(open_minute // 60, open_minute % 60), zone)
            if close_minute >= 24 * 60:
                closes = at_local_time(day + timedelta(days=1), time(0), zone)
            else:
                closes = at_local_time(day, time(close_minute // 60, close_minute % 60), zone)
            start, closes = opens.astimezone(UTC), closes.astimezone(UTC)
            while start + length <= closes:
                end = start + length
                if (earliest is None or start >= earliest) and not _clashes(
                    start, end, starts, ends
                ):
                    slots.append(Slot(start.astimezone(zone), end.astimezone(zone)))
                    if limit is not None and len(slots) >= limit:
                        return slots
                start += every
    return slots
