"""The staffing planner's arithmetic (pure: no Django): measured arrivals per half hour of
each weekday, and the agents Erlang C asks for in each (``balcao.telephony.erlang``).

Issue 23: "Erlang C from the measured arrivals per half hour and handling time → agents
needed to reach the target service level (75 % in 30 s), with the expected ASA". Seed
``003_…txt``: Monday to Friday, 09:00–17:00, at least 75 % of received calls answered in under
30 seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from balcao.telephony import erlang

SLOT_MINUTES = 30
SLOT_SECONDS = SLOT_MINUTES * 60
#: The tender's service hours (seed 003): half hours from 09:00 to the one starting 16:30.
OPENING, CLOSING = time(9), time(17)
WORKING_WEEKDAYS = (0, 1, 2, 3, 4)  # Monday … Friday


def slot_of(moment: datetime) -> int:
    """The half hour of the day ``moment`` falls in (0 = 00:00–00:30 … 47 = 23:30–24:00)."""
    return (moment.hour * 60 + moment.minute) // SLOT_MINUTES


def slot_start(slot: int) -> time:
    minutes = slot * SLOT_MINUTES
    return time(minutes // 60, minutes % 60)


def service_slots(opening: time = OPENING, closing: time = CLOSING) -> list[int]:
    """The half hours from ``opening`` to ``closing`` (09:00–17:00: sixteen)."""
    first = (opening.hour * 60 + opening.minute) // SLOT_MINUTES
    last = (closing.hour * 60 + closing.minute) // SLOT_MINUTES
    return list(range(first, last))


def weekday_counts(start: date, end: date, skipped: Collection[date] = ()) -> Counter[int]:
    """How many of each weekday there are from ``start`` to ``end`` (inclusive), leaving out
    ``skipped`` days (national holidays: the line is closed, so they would only lower the
    averages)."""
    counts: Counter[int] = Counter()
    day = start
    while day <= end:
        if day not in skipped:
            counts[day.weekday()] += 1
        day += timedelta(days=1)
    return counts


def arrivals_per_half_hour(
    entered: Iterable[int],
    start: date,
    end: date,
    tz: ZoneInfo,
    skipped: Collection[date] = (),
) -> dict[tuple[int, int], float]:
    """The mean number of calls entering the queue in each (weekday, half hour) over the
    days ``start``…``end`` (local dates in ``tz``): the calls of that weekday's half hour
    divided by how many such weekdays the period has. ``entered`` are the calls' epochs
    (UTC seconds); calls outside the period or on a ``skipped`` day are not counted."""
    days = weekday_counts(start, end, skipped)
    counts: Counter[tuple[int, int]] = Counter()
    for epoch in entered:
        local = datetime.fromtimestamp(epoch, tz)
        day = local.date()
        if start <= day <= end and day not in skipped:
            counts[(day.weekday(), slot_of(local))] += 1
    return {key: count / days[key[0]] for key, count in counts.items() if days[key[0]]}


@dataclass(frozen=True)
class PlanRow:
    """One half hour of one weekday: the mean arrivals and what Erlang C gives for them."""

    weekday: int
    slot: int
    arrivals: float
    staffing: erlang.Staffing

    @property
    def starts(self) -> time:
        return slot_start(self.slot)

    @property
    def ends(self) -> time:
        return slot_start(self.slot + 1) if self.slot < 47 else time(23, 59, 59)


def plan(
    arrivals: dict[tuple[int, int], float],
    handling_seconds: float,
    *,
    target_level: float = 0.75,
    target_seconds: float = 30,
    weekdays: Iterable[int] = WORKING_WEEKDAYS,
    slots: Iterable[int] | None = None,
) -> list[PlanRow]:
    """The agents needed in each half hour of ``weekdays`` × ``slots`` (the service hours by
    default) to answer ``target_level`` of the calls within ``target_seconds`` (seed 003: 75 %
    in 30 s), each with the expected probability of waiting and ASA."""
    chosen = service_slots() if slots is None else list(slots)
    rows = []
    for weekday in weekdays:
        for slot in chosen:
            mean = arrivals.get((weekday, slot), 0.0)
            staffing = erlang.agents_needed(
                mean, handling_seconds, SLOT_SECONDS, target_level, target_seconds
            )
            rows.append(PlanRow(weekday, slot, mean, staffing))
    return rows
