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
  minus the paused time (PAUSE→UNPAUSE, any reason) inside it;
- proportions are floats 0..1 and a figure whose divisor is 0 is None; times in seconds.

The duplicates real files hold (the same ENTERQUEUE seven times, a completion repeated with
another last field) count once: the first of each kind per call.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
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


@dataclass
class Call:
    """One call as its events tell it (the first event of each kind counts)."""

    callid: str
    entered: int | None = None
    answered_wait: float | None = None
    abandoned_wait: float | None = None
    exited: bool = False
    talk: float | None = None
    hold: float = 0.0
    wrapup: float = 0.0
    topic: str | None = None
    _hold_started: int | None = field(default=None, repr=False)

    @property
    def answered(self) -> bool:
        return self.answered_wait is not None

    @property
    def abandoned(self) -> bool:
        return self.abandoned_wait is not None and not self.answered


def calls_from(events: Iterable[QueueEvent]) -> dict[str, Call]:
    """Every call (by callid) the events describe, in time order of their events."""
    calls: dict[str, Call] = {}
    for event in sorted(events, key=lambda e: (e.epoch, e.line)):
        if event.callid in ("", "NONE") or event.event not in _CALL_STEPS:
            continue
        call = calls.setdefault(event.callid, Call(event.callid))
        _CALL_STEPS[event.event](call, event)
    return calls


def _enter(call: Call, event: QueueEvent) -> None:
    if call.entered is None:
        call.entered = event.epoch


def _connect(call: Call, event: QueueEvent) -> None:
    if call.answered_wait is None:
        call.answered_wait = event.number(0) or 0.0


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
    if call._hold_started is None:
        call._hold_started = event.epoch


def _hold_end(call: Call, event: QueueEvent) -> None:
    if call._hold_started is not None:
        call.hold += max(0, event.epoch - call._hold_started)
        call._hold_started = None


def _wrapup(call: Call, event: QueueEvent) -> None:
    call.wrapup += event.number(0) or 0.0


def _topic(call: Call, event: QueueEvent) -> None:
    call.topic = event.text


_CALL_STEPS = {
    "ENTERQUEUE": _enter,
    "CONNECT": _connect,
    "ABANDON": _abandon,
    "HOLDSTART": _hold_start,
    "HOLDEND": _hold_end,
    "WRAPUPEND": _wrapup,
    "TOPIC": _topic,
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
    on a local date of ``period`` and the agents' time inside it."""
    events = list(events)
    public_holidays = period.holidays()
    calls = []
    for call in calls_from(events).values():
        if call.entered is None:
            continue  # events of a call that never entered a queue (an orphan)
        local = datetime.fromtimestamp(call.entered, period.tz)
        if period.start <= local.date() <= period.end:
            calls.append((call, local))
    answered = [c for c, _ in calls if c.answered]
    abandoned = [c for c, _ in calls if c.abandoned]
    waits = [c.answered_wait or 0.0 for c in answered]
    abandon_waits = [c.abandoned_wait or 0.0 for c in abandoned]
    a, e, ab = len(calls), len(answered), len(abandoned)
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
    inside = sum(1 for _, local in calls if in_service_hours(local, public_holidays))
    per_hour = Counter(f"{local.hour:02d}" for _, local in calls)
    per_day_hour: dict[str, Counter] = defaultdict(Counter)
    for _, local in calls:
        per_day_hour[local.date().isoformat()][local.hour] += 1
    talks = [c.talk for c in answered if c.talk is not None]
    total_talk = sum(talks)
    y = _ratio(total_talk, len(talks))
    bb = _ratio(sum(c.hold for c in answered), e)
    cc = _ratio(sum(c.wrapup for c in answered), e)
    login, ready = agent_time(events, period)
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
        "dd": None if None in (y, bb, cc) else y + bb + cc,  # type: ignore[operator]
        "ee": login,
        "ff": ready,
        "gg": _ratio(sum(waits), e),
        "hh": {
            day: f"{min(hours, key=lambda hour: (-hours[hour], hour)):02d}"
            for day, hours in sorted(per_day_hour.items())
        },
        "ii": dict(
            sorted(Counter(c.topic for c, _ in calls if c.topic).items(), key=lambda t: -t[1])
        ),
    }
    return {key: {"label": LABELS[key], "value": values[key]} for key in LABELS}


# --- agents' time -----------------------------------------------------------------------

Interval = tuple[int, int]


def _union(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged


def _overlap(a: list[Interval], b: list[Interval]) -> int:
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0, end - start)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def agent_time(events: Iterable[QueueEvent], period: Period) -> tuple[int, int]:
    """(login seconds, ready seconds) of every agent, clipped to the period: sessions from
    ADDMEMBER→REMOVEMEMBER (per queue) and AGENTLOGIN→AGENTLOGOFF, an agent's overlapping
    sessions counted once, still open at the end counted to the end; ready = login minus
    the paused time (PAUSE/PAUSEALL → UNPAUSE/UNPAUSEALL) inside it."""
    lo, hi = int(period.starts_at.timestamp()), int(period.ends_at.timestamp())
    sessions: dict[str, list[Interval]] = defaultdict(list)
    pauses: dict[str, list[Interval]] = defaultdict(list)
    open_session: dict[tuple[str, str], int] = {}
    open_pause: dict[str, int] = {}
    for event in sorted(events, key=lambda e: (e.epoch, e.line)):
        agent, name = event.agent, event.event
        if name in ("ADDMEMBER", "AGENTLOGIN", "AGENTCALLBACKLOGIN"):
            key = (agent, event.queue if name == "ADDMEMBER" else "*login*")
            open_session.setdefault(key, event.epoch)
        elif name in ("REMOVEMEMBER", "AGENTLOGOFF", "AGENTCALLBACKLOGOFF"):
            key = (agent, event.queue if name == "REMOVEMEMBER" else "*login*")
            started = open_session.pop(key, None)
            if started is not None:
                sessions[agent].append((started, event.epoch))
        elif name in ("PAUSE", "PAUSEALL"):
            open_pause.setdefault(agent, event.epoch)
        elif name in ("UNPAUSE", "UNPAUSEALL"):
            started = open_pause.pop(agent, None)
            if started is not None:
                pauses[agent].append((started, event.epoch))
    for (agent, _queue), started in open_session.items():
        sessions[agent].append((started, hi))
    for agent, started in open_pause.items():
        pauses[agent].append((started, hi))
    login = ready = 0
    for agent, intervals in sessions.items():
        clipped = _union([(max(s, lo), min(e, hi)) for s, e in intervals])
        logged = sum(end - start for start, end in clipped)
        paused = _overlap(clipped, _union([(max(s, lo), min(e, hi)) for s, e in pauses[agent]]))
        login += logged
        ready += logged - paused
    return login, ready
