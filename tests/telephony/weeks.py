"""queue_log files for the contact-centre tests, and their known answers.

``Log`` writes lines the way Asterisk (and Balcão's dialplan, with ``QueueLog()``) writes
them. ``simulated_week`` makes a realistic week of calls and agents and keeps what it made;
``expected`` computes the tender's indicators (seed 003, item 13.1) from that record, by
the contract's words (``../shared/contracts/contact-centre-report.md``) and independently
of ``balcao.telephony.indicators`` — the oracle the importer and report are checked against.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

LISBON = ZoneInfo("Europe/Lisbon")
UTC = ZoneInfo("UTC")


def local(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=LISBON)


@dataclass
class MadeCall:
    """What the generator made a call do (the oracle's record)."""

    entered: datetime
    outcome: str  # answered | abandoned | exited
    wait: int = 0
    talk: int | None = None
    hold: int = 0
    wrapup: int = 0
    topic: str | None = None
    callback: bool = False


@dataclass
class Log:
    queue: str = "sac"
    lines: list[str] = field(default_factory=list)
    calls: list[MadeCall] = field(default_factory=list)
    sessions: list[tuple[str, int, int | None]] = field(default_factory=list)
    pauses: list[tuple[str, int, int | None]] = field(default_factory=list)

    def line(self, epoch: int, callid: str, agent: str, event: str, *data) -> None:
        fields = [str(epoch), callid, self.queue, agent, event, *map(str, data)]
        self.lines.append("|".join(fields))

    def call(
        self,
        when: datetime,
        *,
        answer: int | None = None,
        abandon: int | None = None,
        exit_after: int | None = None,
        exit_event: str = "EXITWITHTIMEOUT",
        talk: int = 60,
        completion: str = "COMPLETEAGENT",
        hold: tuple[tuple[int, int], ...] = (),
        wrapup: int | None = None,
        topic: str | None = None,
        callback: bool = False,
        agent: str = "PJSIP/101",
        callid: str | None = None,
        caller: str = "+351210000000",
    ) -> str:
        """One call: entered at ``when``; answered after ``answer`` s (talk, holds at
        (offset, length) after the answer, wrap-up, topic), abandoned after ``abandon`` s,
        or leaving unanswered after ``exit_after`` s."""
        t0 = int(when.timestamp())
        callid = callid or f"{t0}.{len(self.calls) + 1}"
        self.line(t0, callid, "NONE", "ENTERQUEUE", "", caller, 1)
        made = MadeCall(when, "exited", topic=topic, callback=callback)
        if callback:
            self.line(t0 + 61, callid, "NONE", "CALLBACKREQUEST", caller)
        if answer is not None:
            made.outcome, made.wait, made.talk = "answered", answer, talk
            self.line(t0 + answer, callid, agent, "CONNECT", answer, f"{callid}9", 3)
            for start, length in hold:
                self.line(t0 + answer + start, callid, agent, "HOLDSTART")
                self.line(t0 + answer + start + length, callid, agent, "HOLDEND")
                made.hold += length
            end = t0 + answer + talk
            if topic is not None:
                self.line(t0 + answer + 1, callid, agent, "TOPIC", topic)
            if completion in ("COMPLETEAGENT", "COMPLETECALLER"):
                self.line(end, callid, agent, completion, answer, talk, 1)
            elif completion == "ATTENDEDTRANSFER":
                self.line(end, callid, agent, completion, "BRIDGE", "b1", answer, talk, 1)
            else:
                self.line(end, callid, agent, completion, "200", "from-internal", answer, talk, 1)
            if wrapup is not None:
                self.line(end + wrapup, callid, agent, "WRAPUPEND", wrapup)
                made.wrapup = wrapup
        elif abandon is not None:
            made.outcome, made.wait = "abandoned", abandon
            self.line(t0 + abandon, callid, "NONE", "ABANDON", 1, 1, abandon)
        else:
            after = exit_after if exit_after is not None else 300
            data = (1, 1, 1, after) if exit_event == "EXITWITHKEY" else (1, 1, after)
            self.line(t0 + after, callid, "NONE", exit_event, *data)
        if answer is None:
            made.topic = None  # the simulated agents give a topic to answered calls only
        self.calls.append(made)
        return callid

    def session(self, agent: str, start: datetime, end: datetime | None, *, old=False) -> None:
        """A login from ``start`` to ``end`` (None: still logged in)."""
        t0 = int(start.timestamp())
        if old:
            self.lines.append(f"{t0}|NONE|NONE|Agent/{agent}|AGENTLOGIN|PJSIP/{agent}")
        else:
            self.line(t0, "NONE", f"PJSIP/{agent}", "ADDMEMBER", "")
        t1 = None if end is None else int(end.timestamp())
        if t1 is not None:
            if old:
                self.lines.append(
                    f"{t1}|NONE|NONE|Agent/{agent}|AGENTLOGOFF|PJSIP/{agent}|{t1 - t0}"
                )
            else:
                self.line(t1, "NONE", f"PJSIP/{agent}", "REMOVEMEMBER", "")
        self.sessions.append((f"Agent/{agent}" if old else f"PJSIP/{agent}", t0, t1))

    def pause(self, agent: str, start: datetime, end: datetime | None, reason="almoço") -> None:
        t0 = int(start.timestamp())
        self.line(t0, "NONE", f"PJSIP/{agent}", "PAUSE", reason)
        t1 = None if end is None else int(end.timestamp())
        if t1 is not None:
            self.line(t1, "NONE", f"PJSIP/{agent}", "UNPAUSE", "")
        self.pauses.append((f"PJSIP/{agent}", t0, t1))

    def text(self, *, sort: bool = True) -> str:
        lines = sorted(self.lines, key=lambda s: int(s.split("|", 1)[0])) if sort else self.lines
        return "".join(line + "\n" for line in lines)

    def write(self, path: Path, *, sort: bool = True) -> Path:
        path.write_bytes(self.text(sort=sort).encode())
        return path


TOPICS = ["Marcas", "Patentes", "Design", "Pagamentos", "Estado do pedido", "Outro"]


def simulated_week(monday: date, seed: int, calls_per_day: int = 120) -> Log:
    """A week of the tender's contact centre: four agents in the queue on working days
    (one in the old AGENTLOGIN style), a lunch pause each, calls mostly in service hours
    (some before and after, a few at the weekend, one crossing midnight on Sunday), 80 %
    answered with holds, wrap-ups, topics and transfers, the rest abandoned or leaving on
    a time-out, an empty queue or a key."""
    rng = random.Random(seed)
    log = Log()
    public = holidays.country_holidays("PT", years=[monday.year])
    for n in range(7):
        day = monday + timedelta(days=n)
        working = day.weekday() < 5 and day not in public
        if working:
            for agent in ("101", "102", "103", "104"):
                start = local(day, 8, rng.randrange(50, 60), rng.randrange(60))
                end = local(day, 17, rng.randrange(0, 15), rng.randrange(60))
                log.session(agent, start, end, old=agent == "104")
                if agent != "104":
                    lunch = local(day, rng.choice((12, 13)), rng.randrange(30))
                    log.pause(agent, lunch, lunch + timedelta(minutes=rng.randrange(30, 61)))
        count = calls_per_day if working else calls_per_day // 20
        for _ in range(count):
            hour = rng.choices(range(7, 20), weights=[1, 3, 10, 12, 11, 8, 7, 10, 11, 9, 3, 1, 1])[
                0
            ]
            when = local(day, hour, rng.randrange(60), rng.randrange(60))
            _random_call(log, rng, when)
        if n == 6:  # Sunday night: a call that ends on Monday
            _random_call(log, rng, local(day, 23, 59, 30), answered=True)
    return log


def _random_call(log: Log, rng: random.Random, when: datetime, answered=False) -> None:
    kind = 0.0 if answered else rng.random()
    agent = f"PJSIP/{rng.choice(('101', '102', '103'))}"
    if kind < 0.8:
        holds = ((20, rng.randint(5, 90)),) if rng.random() < 0.25 else ()
        log.call(
            when,
            answer=rng.choice([0, 0, 2, 4, 5, 9, 14, 15, 22, 29, 30, 45, 59, 60, 95]),
            talk=rng.randint(30, 600),
            completion=rng.choice(
                ["COMPLETEAGENT"] * 5 + ["COMPLETECALLER"] * 4 + ["BLINDTRANSFER", "TRANSFER"]
            ),
            hold=holds,
            wrapup=rng.choice([None, 10, 25, 40]),
            topic=rng.choice([*TOPICS, None]),
            callback=rng.random() < 0.01,
            agent=agent,
        )
    elif kind < 0.95:
        log.call(when, abandon=rng.choice([1, 4, 5, 10, 15, 20, 30, 50, 60, 120]))
    else:
        event = rng.choice(["EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"])
        log.call(when, exit_after=rng.choice([3, 120, 300]), exit_event=event)


def _ratio(top, bottom):
    return top / bottom if bottom else None


def expected(log: Log, start: date, end: date, tz: ZoneInfo = LISBON) -> dict:
    """The contract's figures for the calls ``log`` made that entered on a local date from
    ``start`` to ``end``, and its agents' time clipped to those days."""
    calls = [c for c in log.calls if start <= c.entered.astimezone(tz).date() <= end]
    public = holidays.country_holidays("PT", years=range(start.year, end.year + 1))
    answered = [c for c in calls if c.outcome == "answered"]
    abandoned = [c for c in calls if c.outcome == "abandoned"]
    waits = [c.wait for c in answered]
    gave_up = [c.wait for c in abandoned]

    def count(values, low, high):
        return sum(1 for w in values if low <= w < high)

    def inside(moment: datetime) -> bool:
        moment = moment.astimezone(tz)
        return (
            moment.weekday() < 5
            and moment.date() not in public
            and time(9) <= moment.time() < time(17)
        )

    a, e, ab = len(calls), len(answered), len(abandoned)
    f = sum(1 for w in waits if w == 0)
    g = sum(1 for w in waits if 0 < w < 5)
    h, i, j = count(waits, 5, 15), count(waits, 15, 30), count(waits, 30, 60)
    k = count(waits, 60, 10**9)
    m, n, o = count(gave_up, 0, 5), count(gave_up, 5, 15), count(gave_up, 15, 30)
    p, q = count(gave_up, 30, 60), count(gave_up, 60, 10**9)
    c = sum(1 for call in calls if inside(call.entered))
    hours = Counter(f"{call.entered.astimezone(tz).hour:02d}" for call in calls)
    per_day: dict[str, Counter] = defaultdict(Counter)
    for call in calls:
        moment = call.entered.astimezone(tz)
        per_day[moment.date().isoformat()][f"{moment.hour:02d}"] += 1
    talk = sum(call.talk for call in answered)
    y = _ratio(talk, e)
    bb = _ratio(sum(call.hold for call in answered), e)
    cc = _ratio(sum(call.wrapup for call in answered), e)
    lo = int(datetime.combine(start, time(0), tzinfo=tz).timestamp())
    hi = int(datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).timestamp())

    def clipped(spans):
        return sum(max(0, min(hi, t1 or hi) - max(lo, t0)) for _, t0, t1 in spans)

    login = clipped(log.sessions)
    days = [start + timedelta(days=d) for d in range((end - start).days + 1)]
    return {
        "a": a,
        "b": dict(hours),
        "c": c,
        "d": a - c,
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
        "v": _ratio(sum(waits) + sum(gave_up), e + ab),
        "w": _ratio(sum(waits), e),
        "x": _ratio(sum(gave_up), ab),
        "y": y,
        "z": 8 * sum(1 for d in days if d.weekday() < 5 and d not in public),
        "aa": talk,
        "bb": bb,
        "cc": cc,
        "dd": None if y is None else y + bb + cc,
        "ee": login,
        "ff": login - clipped(log.pauses),
        "gg": _ratio(sum(waits), e),
        "hh": {
            day: min(counts, key=lambda hour: (-counts[hour], hour))
            for day, counts in per_day.items()
        },
        "ii": dict(Counter(call.topic for call in answered if call.topic)),
    }
