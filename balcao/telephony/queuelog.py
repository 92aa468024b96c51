"""Asterisk ``queue_log`` lines, read one at a time (pure: no Django).

Seed ``003_…txt`` (the Portuguese patent office's contact-centre tender) asks for weekly
reports built from every call; Asterisk writes each queue event as one line::

    epoch|callid|queue|agent|EVENT|data1|data2|...

This module turns the bytes of a line into a ``QueueEvent`` or a ``BadLine`` that says why
(issue 23: "tolerates and reports corrupt lines (count and first examples, never aborts the
file)"). Reading is a generator over the file's lines, so memory stays constant whatever the
file's size; ``fingerprint`` names a line so that an importer can skip what it already has
(a file imported twice, or grown since, adds nothing twice).

What real files hold and this accepts (``../shared/data/queue_log``, Asterisk's docs): empty
lines, exact duplicates, timestamps that step back, events of calls that never entered (a
CONNECT with no ENTERQUEUE), member names with spaces, ``NONE`` as the agent, FreePBX's ``DID``,
Balcão's own dialplan events (HOLDSTART, HOLDEND, WRAPUPEND, TOPIC, CALLBACKREQUEST). What it
refuses, line by line: bytes that are not UTF-8, NUL runs (the trace of a crash), an epoch
that is not a whole number of seconds in a plausible range, fewer than five fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# 2000-01-01 .. 2100-01-01 UTC: anything outside is a corrupt epoch, not a call.
MIN_EPOCH, MAX_EPOCH = 946_684_800, 4_102_444_800
MAX_LINE_BYTES = 64 * 1024

CALL_EVENTS = frozenset(
    {
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETEAGENT",
        "COMPLETECALLER",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITEMPTY",
        "EXITWITHKEY",
        "RINGNOANSWER",
        "RINGCANCELED",
        "TRANSFER",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "DID",
        "HOLDSTART",
        "HOLDEND",
        "WRAPUPEND",
        "TOPIC",
        "CALLBACKREQUEST",
    }
)
AGENT_EVENTS = frozenset(
    {
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
    }
)
COMPLETIONS = frozenset(
    {"COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
)
EXITS_UNANSWERED = frozenset({"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"})


@dataclass(frozen=True)
class QueueEvent:
    line: int
    epoch: int
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...] = ()

    def number(self, index: int) -> float | None:
        """``data[index]`` as a number of seconds (None when absent or not a number)."""
        try:
            value = self.data[index]
        except IndexError:
            return None
        try:
            number = float(value)
        except ValueError:
            return None
        return number if number >= 0 else None

    @property
    def text(self) -> str:
        """The data fields joined back (a TOPIC's text may itself hold ``|``)."""
        return "|".join(self.data).strip()


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str
    excerpt: str


@dataclass
class ReadReport:
    """What reading a file found besides its events."""

    lines: int = 0
    events: int = 0
    blank: int = 0
    bad: int = 0
    examples: list[BadLine] = field(default_factory=list)
    max_examples: int = 10

    def add_bad(self, bad: BadLine) -> None:
        self.bad += 1
        if len(self.examples) < self.max_examples:
            self.examples.append(bad)


def fingerprint(raw: bytes) -> str:
    """A stable name for one line's content (without its line end): the same line read
    again — a file imported twice, or the head of a file that grew — has the same one."""
    return hashlib.blake2b(raw.rstrip(b"\r\n"), digest_size=16).hexdigest()


def parse_line(raw: bytes, line: int) -> QueueEvent | BadLine | None:
    """One line's event, why it is refused, or None for a blank line."""
    stripped = raw.rstrip(b"\r\n")
    if not stripped.strip():
        return None
    excerpt = stripped[:120].decode("utf-8", "replace")
    if b"\x00" in stripped:
        return BadLine(line, "bytes NUL (linha corrompida)", excerpt.replace("\x00", "␀"))
    if len(stripped) > MAX_LINE_BYTES:
        return BadLine(line, "linha longa demais", excerpt)
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError:
        return BadLine(line, "bytes que não são UTF-8", excerpt)
    fields = text.split("|")
    if len(fields) < 5:
        return BadLine(line, f"{len(fields)} campos; o mínimo são 5", excerpt)
    epoch_text, callid, queue, agent, event = (part.strip() for part in fields[:5])
    if not epoch_text.isdigit():
        return BadLine(line, "data (epoch) inválida", excerpt)
    epoch = int(epoch_text)
    if not MIN_EPOCH <= epoch < MAX_EPOCH:
        return BadLine(line, "data (epoch) fora do intervalo possível", excerpt)
    if not event or not event.replace("_", "").isalnum() or not event.isupper():
        return BadLine(line, "nome de evento inválido", excerpt)
    return QueueEvent(
        line=line,
        epoch=epoch,
        callid=callid,
        queue=queue,
        agent=agent,
        event=event,
        data=tuple(fields[5:]),
    )


def read(lines: Iterable[bytes], report: ReadReport | None = None) -> Iterator[QueueEvent]:
    """The events of ``lines`` (a binary file, read lazily), in file order; blank and bad
    lines are counted in ``report`` (bad ones with their first examples)."""
    report = report if report is not None else ReadReport()
    for number, raw in enumerate(lines, start=1):
        report.lines += 1
        parsed = parse_line(raw, number)
        if parsed is None:
            report.blank += 1
        elif isinstance(parsed, BadLine):
            report.add_bad(parsed)
        else:
            report.events += 1
            yield parsed
