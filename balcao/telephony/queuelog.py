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
from typing import IO, Any

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


@dataclass(frozen=True, slots=True)
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
    if not stripped or stripped.isspace():
        return None
    if b"\x00" in stripped:
        return _bad(line, "bytes NUL (linha corrompida)", stripped)
    if len(stripped) > MAX_LINE_BYTES:
        return _bad(line, "linha longa demais", stripped)
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError:
        return _bad(line, "bytes que não são UTF-8", stripped)
    fields = text.split("|")
    if len(fields) < 5:
        return _bad(line, f"{len(fields)} campos; o mínimo são 5", stripped)
    epoch_text = fields[0].strip()
    if not (epoch_text.isascii() and epoch_text.isdigit()):
        return _bad(line, "data (epoch) inválida", stripped)
    epoch = int(epoch_text)
    if not MIN_EPOCH <= epoch < MAX_EPOCH:
        return _bad(line, "data (epoch) fora do intervalo possível", stripped)
    event = fields[4].strip()
    if not event or not event.isupper() or not event.replace("_", "").isalnum():
        return _bad(line, "nome de evento inválido", stripped)
    return QueueEvent(
        line, epoch, fields[1].strip(), fields[2].strip(), fields[3].strip(), event,
        tuple(fields[5:]),
    )  # fmt: skip


def _bad(line: int, reason: str, stripped: bytes) -> BadLine:
    excerpt = stripped[:120].decode("utf-8", "replace").replace("\x00", "␀")
    return BadLine(line, reason, excerpt)


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


def raw_lines(handle: IO[bytes], digest: Any = None) -> Iterator[tuple[bytes, int, bool]]:
    """``(line, size, ended)`` for each line of a binary file from where it stands: at most
    ``MAX_LINE_BYTES + 1`` bytes of the line (a longer one — a NUL run — is swallowed whole
    and parses as too long), its size in the file, and whether a line end closed it. Memory
    stays constant. Every byte read goes into ``digest`` (a hashlib object) except those of
    a last line with no line end: the caller decides whether it counts (it may be a line
    still being written)."""
    limit = MAX_LINE_BYTES + 1
    while True:
        raw = handle.readline(limit)
        if not raw:
            return
        if raw.endswith(b"\n"):
            if digest is not None:
                digest.update(raw)
            yield raw, len(raw), True
        elif len(raw) < limit:
            yield raw, len(raw), False
        else:
            if digest is not None:
                digest.update(raw)
            size, ended = len(raw), False
            while not ended:
                more = handle.readline(limit)
                if not more:
                    break
                if digest is not None:
                    digest.update(more)
                size += len(more)
                ended = more.endswith(b"\n")
            yield raw, size, True
