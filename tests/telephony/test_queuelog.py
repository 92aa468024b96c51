"""Reading queue_log lines: every event shape, and the corrupt lines real files hold."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from balcao.telephony import queuelog
from balcao.telephony.queuelog import BadLine, QueueEvent

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "queue_log"


@pytest.mark.parametrize(
    ("line", "event", "data"),
    [
        (b"1767258000|1.1|sac|NONE|ENTERQUEUE||912345678|1", "ENTERQUEUE", ("", "912345678", "1")),
        (b"1767258010|1.1|sac|PJSIP/101|CONNECT|10|1.2|9", "CONNECT", ("10", "1.2", "9")),
        (b"1767258100|1.1|sac|PJSIP/101|COMPLETEAGENT|10|90|1", "COMPLETEAGENT", ("10", "90", "1")),
        (
            b"1767258100|1.1|sac|PJSIP/101|COMPLETECALLER|10|90|1",
            "COMPLETECALLER",
            ("10", "90", "1"),
        ),
        (b"1767258030|1.3|sac|NONE|ABANDON|1|1|30", "ABANDON", ("1", "1", "30")),
        (b"1767258300|1.4|sac|NONE|EXITWITHTIMEOUT|1|1|300", "EXITWITHTIMEOUT", ("1", "1", "300")),
        (b"1767258005|1.5|sac|NONE|EXITEMPTY|1|1|5", "EXITEMPTY", ("1", "1", "5")),
        (b"1767258007|1.6|sac|NONE|EXITWITHKEY|1|1|1|7", "EXITWITHKEY", ("1", "1", "1", "7")),
        (b"1767258003|1.1|sac|PJSIP/102|RINGNOANSWER|15000", "RINGNOANSWER", ("15000",)),
        (
            b"1767258200|1.1|sac|PJSIP/101|TRANSFER|200|ctx|10|95|1",
            "TRANSFER",
            ("200", "ctx", "10", "95", "1"),
        ),
        (
            b"1767258200|1.1|sac|PJSIP/101|BLINDTRANSFER|200|ctx|10|95|1",
            "BLINDTRANSFER",
            ("200", "ctx", "10", "95", "1"),
        ),
        (
            b"1767258200|1.1|sac|PJSIP/101|ATTENDEDTRANSFER|BRIDGE|b1|10|95|1",
            "ATTENDEDTRANSFER",
            ("BRIDGE", "b1", "10", "95", "1"),
        ),
        (b"1767250000|NONE|sac|PJSIP/101|ADDMEMBER|", "ADDMEMBER", ("",)),
        (b"1767280000|NONE|sac|PJSIP/101|REMOVEMEMBER|", "REMOVEMEMBER", ("",)),
        ("1767260000|NONE|sac|PJSIP/101|PAUSE|almoço".encode(), "PAUSE", ("almoço",)),
        (b"1767263600|NONE|sac|PJSIP/101|UNPAUSE|", "UNPAUSE", ("",)),
        (b"1767250000|NONE|NONE|Agent/101|AGENTLOGIN|PJSIP/101", "AGENTLOGIN", ("PJSIP/101",)),
        (
            b"1767280000|NONE|NONE|Agent/101|AGENTLOGOFF|PJSIP/101|30000",
            "AGENTLOGOFF",
            ("PJSIP/101", "30000"),
        ),
        (b"1767258040|1.1|sac|PJSIP/101|HOLDSTART", "HOLDSTART", ()),
        (b"1767258060|1.1|sac|PJSIP/101|HOLDEND", "HOLDEND", ()),
        (b"1767258130|1.1|sac|PJSIP/101|WRAPUPEND|30", "WRAPUPEND", ("30",)),
        (
            "1767258100|1.1|sac|PJSIP/101|TOPIC|Marcas|renovação".encode(),
            "TOPIC",
            ("Marcas", "renovação"),
        ),
        (b"1767258090|1.7|sac|NONE|CALLBACKREQUEST|912345678", "CALLBACKREQUEST", ("912345678",)),
        (
            b"1546015415|1546015415.757927|201|Maria Aparecida Souza Lemos|RINGNOANSWER|0\r\n",
            "RINGNOANSWER",
            ("0",),
        ),
    ],
)
def test_every_event_shape(line, event, data):
    parsed = queuelog.parse_line(line, 7)
    assert isinstance(parsed, QueueEvent)
    assert (parsed.event, parsed.data, parsed.line) == (event, data, 7)


def test_a_topic_keeps_its_pipes_and_numbers_read_as_seconds():
    topic = queuelog.parse_line("1767258100|1.1|sac|PJSIP/101|TOPIC|Marcas|renovação".encode(), 1)
    assert topic.text == "Marcas|renovação"
    connect = queuelog.parse_line(b"1767258010|1.1|sac|PJSIP/101|CONNECT|10|1.2|9", 1)
    assert connect.number(0) == 10 and connect.number(5) is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"\x00\x00\x00\x00", "NUL"),
        (b"1767258000|1.1|sac|NONE|ENTERQUEUE|\xff\xfe|1", "UTF-8"),
        (b"1767258000|1.1|sac", "mínimo"),
        (b"17672580x0|1.1|sac|NONE|ENTERQUEUE||9|1", "epoch"),
        ("²767258000|1.1|sac|NONE|ENTERQUEUE||9|1".encode(), "epoch"),  # a digit, not ASCII
        (b"99|1.1|sac|NONE|ENTERQUEUE||9|1", "intervalo"),
        (b"1767258000|1.1|sac|NONE|enter queue||9|1", "evento"),
    ],
)
def test_corrupt_lines_are_refused_with_a_reason(line, reason):
    parsed = queuelog.parse_line(line, 3)
    assert isinstance(parsed, BadLine) and reason in parsed.reason and parsed.line == 3


def test_reading_a_file_counts_blank_and_bad_lines_and_goes_on():
    data = (
        b"1767258000|1.1|sac|NONE|ENTERQUEUE||912345678|1\n"
        + b"\n"
        + b"\x00\x00\x00\n"
        + b"garbage\n" * 15
        + b"1767258010|1.1|sac|PJSIP/101|CONNECT|10|1.2|9\n"
    )
    report = queuelog.ReadReport()
    events = list(queuelog.read(io.BytesIO(data), report))
    assert [e.event for e in events] == ["ENTERQUEUE", "CONNECT"]
    assert (report.lines, report.events, report.blank, report.bad) == (19, 2, 1, 16)
    assert len(report.examples) == 10 and report.examples[0].line == 3


def test_the_same_line_has_the_same_fingerprint_whatever_its_line_end():
    assert queuelog.fingerprint(b"1|a|b|c|D\r\n") == queuelog.fingerprint(b"1|a|b|c|D")
    assert queuelog.fingerprint(b"1|a|b|c|D") != queuelog.fingerprint(b"1|a|b|c|E")


def test_the_public_real_file_is_read_whole():
    path = SHARED / "asterisk2slack_fixture.queue_log"
    if not path.exists():
        pytest.skip(f"{path} is not here (a clone without ../shared)")
    report = queuelog.ReadReport()
    with path.open("rb") as handle:
        events = list(queuelog.read(handle, report))
    assert (report.lines, report.events, report.blank, report.bad) == (23, 21, 2, 0)
    assert {e.agent for e in events} >= {"Maria Aparecida Souza Lemos", "Lia Castro"}
