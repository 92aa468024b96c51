"""Each indicator of seed 003 item 13.1 on hand-made logs whose answers are known."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from balcao.telephony import indicators, queuelog
from balcao.telephony.indicators import Period

LISBON = ZoneInfo("Europe/Lisbon")


class Log:
    """Builds queue_log lines the way Asterisk (and Balcão's dialplan) write them."""

    def __init__(self):
        self.lines: list[str] = []
        self.calls = 0

    def at(self, when: datetime) -> int:
        return int(when.timestamp())

    def line(self, epoch: int, callid: str, agent: str, event: str, *data) -> None:
        self.lines.append("|".join([str(epoch), callid, "sac", agent, event, *map(str, data)]))

    def call(self, when, *, answer=None, abandon=None, exit_after=None, talk=60, hold=(),
             wrapup=None, topic=None, callid=None):  # fmt: skip
        self.calls += 1
        callid = callid or f"17000{self.calls}.{self.calls}"
        t0 = self.at(when)
        self.line(t0, callid, "NONE", "ENTERQUEUE", "", "912345678", 1)
        if answer is not None:
            self.line(t0 + answer, callid, "PJSIP/101", "CONNECT", answer, "b." + callid, 3)
            for start, length in hold:
                self.line(t0 + answer + start, callid, "PJSIP/101", "HOLDSTART")
                self.line(t0 + answer + start + length, callid, "PJSIP/101", "HOLDEND")
            end = t0 + answer + talk
            self.line(end, callid, "PJSIP/101", "COMPLETEAGENT", answer, talk, 1)
            if wrapup is not None:
                self.line(end + wrapup, callid, "PJSIP/101", "WRAPUPEND", wrapup)
            if topic:
                self.line(end, callid, "PJSIP/101", "TOPIC", topic)
        elif abandon is not None:
            self.line(t0 + abandon, callid, "NONE", "ABANDON", 1, 1, abandon)
        elif exit_after is not None:
            self.line(t0 + exit_after, callid, "NONE", "EXITWITHTIMEOUT", 1, 1, exit_after)
        return callid

    def events(self):
        raw = [line.encode() + b"\n" for line in self.lines]
        return list(queuelog.read(raw))


def values(log: Log, start: date, end: date) -> dict:
    result = indicators.compute(log.events(), Period(start, end, LISBON))
    assert list(result) == list(indicators.LABELS)
    return {key: item["value"] for key, item in result.items()}


MONDAY = date(2026, 11, 23)


def local(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=LISBON)


def test_wait_buckets_and_the_proportions():
    log = Log()
    for i, wait in enumerate([0, 3, 5, 14, 15, 29, 30, 59, 60, 120]):
        log.call(local(MONDAY, 10, i), answer=wait)
    for i, wait in enumerate([2, 5, 20, 45, 61]):
        log.call(local(MONDAY, 11, i), abandon=wait)
    log.call(local(MONDAY, 12), exit_after=300)
    v = values(log, MONDAY, MONDAY)
    assert (v["a"], v["e"], v["l"], v["r"]) == (16, 10, 5, 6)
    assert [v[k] for k in "fghijk"] == [1, 1, 2, 2, 2, 2]
    assert [v[k] for k in "mnopq"] == [1, 1, 1, 1, 1]
    assert v["s"] == pytest.approx(6 / 16)
    assert v["t"] == pytest.approx(10 / (16 - 5))
    assert v["u"] == pytest.approx((1 + 1 + 2 + 2) / (16 - (1 + 1 + 1)))
    answered_waits = 0 + 3 + 5 + 14 + 15 + 29 + 30 + 59 + 60 + 120
    abandoned_waits = 2 + 5 + 20 + 45 + 61
    assert v["w"] == pytest.approx(answered_waits / 10)
    assert v["x"] == pytest.approx(abandoned_waits / 5)
    assert v["v"] == pytest.approx((answered_waits + abandoned_waits) / 15)
    assert v["gg"] == v["w"]


def test_talk_hold_wrapup_and_handling():
    log = Log()
    log.call(local(MONDAY, 10), answer=5, talk=100, hold=[(10, 20), (50, 10)], wrapup=30)
    log.call(local(MONDAY, 11), answer=5, talk=200, wrapup=10)
    v = values(log, MONDAY, MONDAY)
    assert v["aa"] == 300 and v["y"] == 150
    assert v["bb"] == pytest.approx(30 / 2) and v["cc"] == pytest.approx(40 / 2)
    assert v["dd"] == pytest.approx(150 + 15 + 20)


def test_no_calls_gives_none_for_every_ratio():
    v = values(Log(), MONDAY, MONDAY)
    assert v["a"] == 0
    for key in ("s", "t", "u", "v", "w", "x", "y", "bb", "cc", "dd", "gg"):
        assert v[key] is None, key
    assert v["b"] == {} and v["hh"] == {} and v["ii"] == {}


def test_service_hours_holidays_and_hours_of_operation():
    log = Log()
    log.call(local(MONDAY, 8, 59, 59), answer=1)  # before opening
    log.call(local(MONDAY, 9), answer=1)  # opening second: inside
    log.call(local(MONDAY, 16, 59, 59), answer=1)  # inside
    log.call(local(MONDAY, 17), answer=1)  # closing second: outside
    log.call(local(date(2026, 11, 28), 10), answer=1)  # Saturday
    log.call(local(date(2026, 12, 1), 10), answer=1)  # Restauração da Independência
    v = values(log, MONDAY, date(2026, 12, 6))
    assert (v["a"], v["c"], v["d"]) == (6, 2, 4)
    # Nov 23–27 and Nov 30, Dec 2–4: 9 working days (Dec 1 is a national holiday)
    assert v["z"] == 9 * 8


def test_summer_time_changes_count_by_local_hour():
    log = Log()
    spring = date(2026, 3, 29)  # 01:00 UTC → 02:00 WEST
    log.call(datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo("UTC")), answer=1)  # 00:30 WET
    log.call(datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("UTC")), answer=1)  # 02:30 WEST
    autumn = date(2026, 10, 25)  # 02:00 WEST → 01:00 WET
    log.call(datetime(2026, 10, 25, 0, 30, tzinfo=ZoneInfo("UTC")), answer=1)  # 01:30 WEST
    log.call(datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("UTC")), answer=1)  # 01:30 WET
    assert values(log, spring, spring)["b"] == {"00": 1, "02": 1}
    assert values(log, autumn, autumn)["b"] == {"01": 2}


def test_a_call_belongs_to_the_day_it_entered_even_when_it_ends_after_midnight():
    log = Log()
    sunday = date(2026, 11, 29)
    log.call(local(sunday, 23, 59, 50), answer=20, talk=600, topic="Marcas")
    log.call(local(date(2026, 11, 30), 0, 0, 5), answer=1)  # the next period's
    v = values(log, MONDAY, sunday)
    assert (v["a"], v["e"], v["aa"]) == (1, 1, 600)
    assert v["ii"] == {"Marcas": 1}


def test_duplicates_and_orphans_count_once_or_not_at_all():
    log = Log()
    callid = log.call(local(MONDAY, 10), answer=12, talk=90)
    log.lines += [log.lines[0]] * 6  # the same ENTERQUEUE six more times
    completion = next(line for line in log.lines if "COMPLETEAGENT" in line)
    log.lines += [completion[:-1] + "4", completion[:-1] + "5"]  # repeated completions
    epoch = log.at(local(MONDAY, 10, 30))
    log.line(epoch, "999.1", "PJSIP/101", "CONNECT", 6, "b", 6)  # never entered
    log.line(epoch + 50, "999.1", "PJSIP/101", "COMPLETEAGENT", 6, 50, 1)
    v = values(log, MONDAY, MONDAY)
    assert (v["a"], v["e"], v["aa"], v["w"]) == (1, 1, 90, 12)
    assert callid


def test_peak_hour_of_each_day_and_topics():
    log = Log()
    for minute in range(3):
        log.call(local(MONDAY, 10, minute), answer=1, topic="Patentes")
    log.call(local(MONDAY, 14), answer=1, topic="Marcas")
    for minute in range(2):
        log.call(local(date(2026, 11, 24), 9, minute), answer=1)
        log.call(local(date(2026, 11, 24), 15, minute), answer=1)  # a tie: the earlier hour
    v = values(log, MONDAY, date(2026, 11, 24))
    assert v["hh"] == {"2026-11-23": "10", "2026-11-24": "09"}
    assert v["ii"] == {"Patentes": 3, "Marcas": 1}


def test_agents_login_and_ready_time_clipped_to_the_period():
    log = Log()

    def agent(when, event, queue="sac", who="PJSIP/101", *data):
        log.lines.append("|".join([str(log.at(when)), "NONE", queue, who, event, *data]))

    agent(local(MONDAY, 8), "ADDMEMBER")
    agent(local(MONDAY, 8, 30), "ADDMEMBER", "marcas")  # a second queue: counted once
    agent(local(MONDAY, 12), "PAUSE", "sac", "PJSIP/101", "almoço")
    agent(local(MONDAY, 13), "UNPAUSE")
    agent(local(MONDAY, 17), "REMOVEMEMBER")
    agent(local(MONDAY, 17, 30), "REMOVEMEMBER", "marcas")
    # the old style: logged in the day before, still logged in when the period ends
    agent(local(date(2026, 11, 22), 22), "AGENTLOGIN", "NONE", "Agent/7", "PJSIP/107")
    agent(local(MONDAY, 18), "PAUSE", "NONE", "Agent/7")
    v = values(log, MONDAY, MONDAY)
    first_login, first_ready = 9.5 * 3600, 8.5 * 3600
    second_login, second_ready = 24 * 3600, 18 * 3600
    assert v["ee"] == first_login + second_login
    assert v["ff"] == first_ready + second_ready


def test_a_pause_left_open_at_logoff_ends_there_and_the_next_pause_counts():
    """An agent removed while paused (no UNPAUSE): the pause ends with their last session,
    so the next day's own pause is counted, not swallowed by the forgotten one."""
    log = Log()
    tuesday = date(2026, 11, 24)

    def agent(when, event, queue="sac"):
        log.lines.append("|".join([str(log.at(when)), "NONE", queue, "PJSIP/101", event, ""]))

    agent(local(MONDAY, 9), "ADDMEMBER")
    agent(local(MONDAY, 9), "ADDMEMBER", "marcas")
    agent(local(MONDAY, 16, 30), "PAUSE")
    agent(local(MONDAY, 17), "REMOVEMEMBER")  # still in "marcas": still paused
    agent(local(MONDAY, 17, 10), "REMOVEMEMBER", "marcas")  # the pause ends here
    agent(local(tuesday, 9), "ADDMEMBER")
    agent(local(tuesday, 12), "PAUSE")
    agent(local(tuesday, 13), "UNPAUSE")
    agent(local(tuesday, 17), "REMOVEMEMBER")
    monday = values(log, MONDAY, MONDAY)
    assert (monday["ee"], monday["ff"]) == (8 * 3600 + 600, 7.5 * 3600)
    second = values(log, tuesday, tuesday)
    assert (second["ee"], second["ff"]) == (8 * 3600, 7 * 3600)


def test_a_callid_seen_again_long_after_is_another_call_and_callbacks_are_kept():
    log = Log()
    log.call(local(MONDAY, 10), answer=5, talk=100, callid="c1")
    log.call(local(date(2026, 11, 24), 10), abandon=9, callid="c1")
    log.line(log.at(local(date(2026, 11, 24), 10, 1)), "c1", "NONE", "CALLBACKREQUEST", "9123")
    calls = indicators.calls_from(log.events())
    assert [(c.answered, c.abandoned, c.callback) for c in calls] == [
        (True, False, False),
        (False, True, True),
    ]
    assert values(log, MONDAY, date(2026, 11, 24))["a"] == 2
