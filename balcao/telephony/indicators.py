"""The contact-centre indicators of seed ``003_…txt`` item 13.1, from queue_log events
(pure: no Django).

Item 13.1 lists what every weekly report holds, lettered a) to ii): "a) Número de chamadas
recebidas; b) Número de contactos por hora; … u) … ([CHAMADAS ATENDIDAS SEM ESPERA] + … +
[CHAMADAS ATENDIDAS 30 seg.]) / ([CHAMADAS RECEBIDAS] − [CHAMADAS ABANDONADAS 5 seg.] −
[CHAMADAS ABANDONADAS 15 seg.] − [CHAMADAS ABANDONADAS 30 seg.]); … ii) Mapa indicativo do
assunto abordado em cada chamada." The readings where the text leaves room are
``../shared/contracts/contact-centre-report.md``:

- a call belongs to the period when its ENTERQUEUE falls on a local date from ``start`` to
  ``end`` (inclusive), and all its figures count there, even those after midnight;
- wait of an answered call = CONNECT's holdtime; of an abandoned one = ABANDON's waittime;
  buckets are half-open (f: 0, g: 0<w<5, h: 5≤w<15, i: 15≤w<30, j: 30≤w<60, k: w≥60; m: w<5 …
  q: w≥60 for abandons); EXITWITHTIMEOUT/EXITEMPTY/EXITWITHKEY are received and lost, neither
  answered nor abandoned;
- service hours: Monday–Friday 09:00 (inclusive) to 17:00 (exclusive), not on the country's
  national public holidays (the ``holidays`` package's default category);
- talk = calltime of the completion (COMPLETEAGENT/COMPLETECALLER/a transfer); hold = the
  call's HOLDSTART→HOLDEND pairs; wrap-up = its WRAPUPEND seconds; bb and cc divide by e;
- ee: agents' logged-in time (ADDMEMBER→REMOVEMEMBER and AGENTLOGIN→AGENTLOGOFF, one agent's
  overlapping sessions counted once), clipped to the period's local start and end; ff: ee
  minus the paused time (PAUSE→UNPAUSE, any reason) inside it — a pause still open when the
  agent's last session closes ends there;
- proportions are floats 0..1 and a figure whose divisor is 0 is None; times in seconds.

The duplicates real files hold (the same ENTERQUEUE seven times, a completion repeated with
another last field) count once: the first of each kind per call. A callid seen again more
than ``REUSE_GAP`` away from its call is another call (``CallBook``). ``compute`` works from
events alone; ``summarise`` from stored calls and intervals (the importer's, in
``balcao.telephony.services``): both give the same figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

from balcao.telephony.queuelog import COMPLETIONS, EXITS_UNANSWERED, QueueEvent

OPENING, CLOSING = time(9, 0), time(17, 0)

# Tender item 13.1's own words, by letter.
LABELS = {
    "a": "Número de chamadas recebidas",
    "b": "Número de contactos por hora",
    "c": "Número de chamadas recebidas dentro do horário definido",
    "d": "Número de chamadas recebidas fora do horário definido",
    "e": "Número total de chamadas atendidas",
    "f": "Chamadas atendidas sem espera",
    "g": "Chamadas atendidas antes dos 5 segundos de espera",
    "h": "Chamadas atendidas entre os 5 e os 15 segundos de espera",
    "i": "Chamadas atendidas entre os 15 e os 30 segundos de espera",
    "j": "Chamadas atendidas entre os 30 e os 60 segundos de espera",
    "k": "Chamadas atendidas depois de 60 segundos de espera",
    "l": "Número total de chamadas abandonadas",
    "m": "Chamadas abandonadas com espera inferior a 5 segundos",
    "n": "Chamadas abandonadas com espera entre 5 e 15 segundos",
    "o": "Chamadas abandonadas com espera entre 15 e 30 segundos",
    "p": "Chamadas abandonadas com espera entre 30 e 60 segundos",
    "q": "Chamadas abandonadas com espera superior a 60 segundos",
    "r": "Número total de chamadas perdidas",
    "s": "Chamadas perdidas / chamadas recebidas",
    "t": "Chamadas atendidas / (recebidas − abandonadas)",
    "u": "Atendidas em menos de 30 s / (recebidas − abandonadas em menos de 30 s)",
    "v": "Tempo médio de espera das chamadas atendidas e abandonadas",
    "w": "Tempo médio de espera das chamadas atendidas",
    "x": "Tempo médio de espera das chamadas abandonadas",
    "y": "Tempo médio das chamadas atendidas",
    "z": "Número de horas de operação",
    "aa": "Tempo de conversação",
    "bb": "Tempo médio de hold",
    "cc": "Tempo médio de wrap-up",
    "dd": "Tempo médio de handling",
    "ee": "Tempo total de login dos operadores da linha",
    "ff": "Tempo total de ready dos operadores da linha",
    "gg": "Tempo total de espera das chamadas atendidas / total de chamadas atendidas",
    "hh": "Mapa indicativo dos picos horários",
    "ii": "Mapa indicativo do assunto abordado em cada chamada",
}


#: A callid seen again this long after its call entered, or after its last event, is
#: another call: Asterisk's ids are unique per PBX, but logs written by other tools (or
#: simulated) may reuse short ones. No call lasts that long.
REUSE_GAP = 6 * 3600


@dataclass
class Call:
    """One call as its events tell it (the first event of each kind counts; the last TOPIC
    names its topic). ``ref`` is left for whoever stores the call (the importer's row id)."""

    callid: str
    entered: int | None = None
    last: int | None = None  # the epoch of its latest event
    queue: str = ""
    caller: str = ""
    agent: str = ""
    answered_wait: float | None = None
    abandoned_wait: float | None = None
    exited: bool = False
    talk: float | None = None
    hold: float = 0.0
    hold_started: int | None = None
    wrapup: float = 0.0
    topic: str | None = None
    callback: bool = False
    ref: object = field(default=None, repr=False, compare=False)

    @property
    def answered(self) -> bool:
        return self.answered_wait is not None

    @property
    def abandoned(self) -> bool:
        return self.abandoned_wait is not None and not self.answered


class CallFigures(Protocol):
    """What the indicators read of a call (a :class:`Call`, or a stored row's values)."""

    entered: int | None
    answered_wait: float | None
    abandoned_wait: float | None
    talk: float | None
    hold: float
    wrapup: float
    topic: str | None
    callback: bool


class CallBook:
    """The calls a stream of events describes, by callid. ``known`` calls (stored by an
    earlier import) are continued by later events: a call's events may span two imports."""

    def __init__(self, known: Iterable[Call] = ()) -> None:
        self.current: dict[str, Call] = {}
        self.calls: list[Call] = []
        for call in known:
            self.know(call)

    def know(self, call: Call) -> None:
        self.current[call.callid] = call
        self.calls.append(call)

    def feed(self, event: QueueEvent) -> Call | None:
        """Apply one event; the call it changed (None for an event of no call)."""
        step = _CALL_STEPS.get(event.event)
        if step is None or event.callid in ("", "NONE"):
            return None
        call = self.current.get(event.callid)
        if (
            call is None
            or (call.last is not None and abs(event.epoch - call.last) > REUSE_GAP)
            or (
                event.event == "ENTERQUEUE"
                and call.entered is not None
                and abs(event.epoch - call.entered) > REUSE_GAP
            )
        ):
            call = Call(event.callid)
            self.know(call)
        step(call, event)
        call.last = event.epoch if call.last is None else max(call.last, event.epoch)
        return call


def calls_from(events: Iterable[QueueEvent]) -> list[Call]:
    """Every call the events describe, taking the events in time order."""
    book = CallBook()
    for event in sorted(events, key=lambda e: (e.epoch, e.line)):
        book.feed(event)
    return book.calls


def _enter(call: Call, event: QueueEvent) -> None:
    if call.entered is None:
        call.entered = event.epoch
        call.queue = event.queue
        call.caller = event.data[1].strip() if len(event.data) > 1 else ""


def _connect(call: Call, event: QueueEvent) -> None:
    if call.answered_wait is None:
        call.answered_wait = event.number(0) or 0.0
        call.agent = event.agent


def _abandon(call: Call, event: QueueEvent) -> None:
    if call.abandoned_wait is None:
        call.abandoned_wait = event.number(2) or 0.0


def _exit(call: Call, event: QueueEvent) -> None:
    call.exited = True


def _complete(call: Call, event: QueueEvent) -> None:
    if call.talk is None:
        # COMPLETEAGENT/COMPLETECALLER: holdtime|calltime|origposition; the transfers end
        # with the same three fields whatever comes before them.
        index = 1 if event.event.startswith("COMPLETE") else len(event.data) - 2
        call.talk = event.number(index) or 0.0


def _hold_start(call: Call, event: QueueEvent) -> None:
    if call.hold_started is None:
        call.hold_started = event.epoch


def _hold_end(call: Call, event: QueueEvent) -> None:
    if call.hold_started is not None:
        call.hold += max(0, event.epoch - call.hold_started)
        call.hold_started = None


def _wrapup(call: Call, event: QueueEvent) -> None:
    call.wrapup += event.number(0) or 0.0


def _topic(call: Call, event: QueueEvent) -> None:
    call.topic = event.text


def _callback(call: Call, event: QueueEvent) -> None:
    call.callback = True


_CALL_STEPS = {
    "ENTERQUEUE": _enter,
    "CONNECT": _connect,
    "ABANDON": _abandon,
    "HOLDSTART": _hold_start,
    "HOLDEND": _hold_end,
    "WRAPUPEND": _wrapup,
    "TOPIC": _topic,
    "CALLBACKREQUEST": _callback,
    **dict.fromkeys(EXITS_UNANSWERED, _exit),
    **dict.fromkeys(COMPLETIONS, _complete),
}


# --- the period -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    tz: ZoneInfo
    country: str = "PT"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=self.tz)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=self.tz)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def holidays(self):
        years = range(self.start.year, self.end.year + 1)
        return holiday_calendars.country_holidays(self.country, years=years)


def in_service_hours(moment: datetime, public_holidays) -> bool:
    """Monday–Friday, 09:00 inclusive to 17:00 exclusive, not a national holiday."""
    return (
        moment.weekday() < 5
        and moment.date() not in public_holidays
        and OPENING <= moment.time() < CLOSING
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def compute(events: Iterable[QueueEvent], period: Period) -> dict[str, dict]:
    """``{"a": {"label": …, "value": …}, …, "ii": …}`` for the calls that entered the queue
    on a local date of ``period`` and the agents' time inside it, from the events alone."""
    ordered = sorted(events, key=lambda e: (e.epoch, e.line))
    agents = AgentLog()
    for event in ordered:
        agents.feed(event)
    return summarise(calls_from(ordered), agents.intervals, period)


def summarise(
    calls: Iterable[CallFigures], intervals: Iterable[Interval], period: Period
) -> dict[str, dict]:
    """The indicators of ``period`` from its calls (others and orphans are left out here)
    and the agents' login and pause intervals (those outside the period add nothing)."""
    public_holidays = period.holidays()
    lo, hi = int(period.starts_at.timestamp()), int(period.ends_at.timestamp())
    tz = period.tz
    held = []
    for call in calls:
        if call.entered is not None and lo <= call.entered < hi:
            held.append((call, datetime.fromtimestamp(call.entered, tz)))
    answered = [c for c, _ in held if c.answered_wait is not None]
    abandoned = [c for c, _ in held if c.abandoned_wait is not None and c.answered_wait is None]
    waits = [c.answered_wait or 0.0 for c in answered]
    abandon_waits = [c.abandoned_wait or 0.0 for c in abandoned]
    a, e, ab = len(held), len(answered), len(abandoned)
    f = sum(1 for w in waits if w == 0)
    g = sum(1 for w in waits if 0 < w < 5)
    h = sum(1 for w in waits if 5 <= w < 15)
    i = sum(1 for w in waits if 15 <= w < 30)
    j = sum(1 for w in waits if 30 <= w < 60)
    k = sum(1 for w in waits if w >= 60)
    m = sum(1 for w in abandon_waits if w < 5)
    n = sum(1 for w in abandon_waits if 5 <= w < 15)
    o = sum(1 for w in abandon_waits if 15 <= w < 30)
    p = sum(1 for w in abandon_waits if 30 <= w < 60)
    q = sum(1 for w in abandon_waits if w >= 60)
    inside = sum(1 for _, local in held if in_service_hours(local, public_holidays))
    per_hour = Counter(f"{local.hour:02d}" for _, local in held)
    per_day_hour: dict[str, Counter] = defaultdict(Counter)
    for _, local in held:
        per_day_hour[local.date().isoformat()][local.hour] += 1
    talks = [c.talk for c in answered if c.talk is not None]
    total_talk = sum(talks)
    y = _ratio(total_talk, len(talks))
    bb = _ratio(sum(c.hold for c in answered), e)
    cc = _ratio(sum(c.wrapup for c in answered), e)
    login, ready = agent_time(intervals, period)
    working_days = [
        day for day in period.days() if day.weekday() < 5 and day not in public_holidays
    ]
    values = {
        "a": a,
        "b": dict(sorted(per_hour.items())),
        "c": inside,
        "d": a - inside,
        "e": e,
        "f": f,
        "g": g,
        "h": h,
        "i": i,
        "j": j,
        "k": k,
        "l": ab,
        "m": m,
        "n": n,
        "o": o,
        "p": p,
        "q": q,
        "r": a - e,
        "s": _ratio(a - e, a),
        "t": _ratio(e, a - ab),
        "u": _ratio(f + g + h + i, a - (m + n + o)),
        "v": _ratio(sum(waits) + sum(abandon_waits), e + ab),
        "w": _ratio(sum(waits), e),
        "x": _ratio(sum(abandon_waits), ab),
        "y": y,
        "z": len(working_days) * (CLOSING.hour - OPENING.hour),
        "aa": total_talk,
        "bb": bb,
        "cc": cc,
        "dd": None if y is None or bb is None or cc is None else y + bb + cc,
        "ee": login,
        "ff": ready,
        "gg": _ratio(sum(waits), e),
        "hh": {
            day: f"{min(hours, key=lambda hour: (-hours[hour], hour)):02d}"
            for day, hours in sorted(per_day_hour.items())
        },
        "ii": dict(
            sorted(
                Counter(c.topic for c, _ in held if c.topic).items(),
                key=lambda item: (-item[1], item[0]),
            )
        ),
    }
    return {key: {"label": LABELS[key], "value": values[key]} for key in LABELS}


def callbacks(calls: Iterable[CallFigures], period: Period) -> int:
    """How many of the period's calls asked to be called back (CALLBACKREQUEST; seed 003:
    callbacks under 1 % of inbound calls)."""
    lo, hi = int(period.starts_at.timestamp()), int(period.ends_at.timestamp())
    return sum(1 for c in calls if c.callback and c.entered is not None and lo <= c.entered < hi)


# --- agents' time -----------------------------------------------------------------------

SESSION, PAUSE = "session", "pause"
SESSION_OPENS = {"ADDMEMBER": "queue", "AGENTLOGIN": "login", "AGENTCALLBACKLOGIN": "login"}
SESSION_CLOSES = {"REMOVEMEMBER": "queue", "AGENTLOGOFF": "login", "AGENTCALLBACKLOGOFF": "login"}
PAUSE_OPENS = frozenset({"PAUSE", "PAUSEALL"})
PAUSE_CLOSES = frozenset({"UNPAUSE", "UNPAUSEALL"})


@dataclass
class Interval:
    """An agent's login session (in one queue, or the old AGENTLOGIN style) or pause, from
    ``start`` to ``end`` (epochs; None while open). ``ref`` is the stored row's id."""

    kind: str
    agent: str
    key: str
    start: int
    end: int | None = None
    ref: object = field(default=None, repr=False, compare=False)


class AgentLog:
    """Agents' sessions and pauses as their events open and close them. ``open_intervals``
    (stored by an earlier import) are continued: a session may span two imports.

    A second opening of what is open counts once; a closing of nothing is ignored; an
    agent's pause still open when their last session closes ends there (Asterisk forgets a
    removed member's pause, and a forgotten pause must not swallow the next day)."""

    def __init__(self, open_intervals: Iterable[Interval] = ()) -> None:
        self.sessions: dict[tuple[str, str], Interval] = {}
        self.pauses: dict[str, Interval] = {}
        self.intervals: list[Interval] = []  # opened here, in order
        self.closed: list[Interval] = []  # closed here (opened here or before)
        for interval in open_intervals:
            if interval.kind == SESSION:
                self.sessions[(interval.agent, interval.key)] = interval
            else:
                self.pauses[interval.agent] = interval

    def feed(self, event: QueueEvent) -> None:
        name, agent, epoch = event.event, event.agent, event.epoch
        if name in SESSION_OPENS:
            key = event.queue if SESSION_OPENS[name] == "queue" else "*login*"
            if (agent, key) not in self.sessions:
                self._open(self.sessions, (agent, key), Interval(SESSION, agent, key, epoch))
        elif name in SESSION_CLOSES:
            key = event.queue if SESSION_CLOSES[name] == "queue" else "*login*"
            session = self.sessions.pop((agent, key), None)
            if session is not None:
                self._close(session, epoch)
                if agent in self.pauses and not any(a == agent for a, _ in self.sessions):
                    self._close(self.pauses.pop(agent), epoch)
        elif name in PAUSE_OPENS:
            if agent not in self.pauses:
                self._open(self.pauses, agent, Interval(PAUSE, agent, "", epoch))
        elif name in PAUSE_CLOSES:
            pause = self.pauses.pop(agent, None)
            if pause is not None:
                self._close(pause, epoch)

    def _open(self, table: dict, key, interval: Interval) -> None:
        table[key] = interval
        self.intervals.append(interval)

    def _close(self, interval: Interval, epoch: int) -> None:
        interval.end = max(epoch, interval.start)
        self.closed.append(interval)


def _union(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0, end - start)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def agent_time(intervals: Iterable[Interval], period: Period) -> tuple[int, int]:
    """(login seconds, ready seconds) of every agent, clipped to the period's local start
    and end: an agent's overlapping sessions (several queues) counted once, one still open
    counted to the end; ready = login minus the paused time inside it (any reason)."""
    lo, hi = int(period.starts_at.timestamp()), int(period.ends_at.timestamp())
    sessions: dict[str, list[tuple[int, int]]] = defaultdict(list)
    pauses: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for interval in intervals:
        clipped = (max(interval.start, lo), min(hi if interval.end is None else interval.end, hi))
        (sessions if interval.kind == SESSION else pauses)[interval.agent].append(clipped)
    login = ready = 0
    for agent, spans in sessions.items():
        logged_in = _union(spans)
        logged = sum(end - start for start, end in logged_in)
        login += logged
        ready += logged - _overlap(logged_in, _union(pauses.get(agent, [])))
    return login, ready
