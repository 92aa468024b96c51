"""Which case an incoming e-mail continues (pure: no Django).

Issue 22, threading: every e-mail Balcão sends carries a ``Message-ID`` of its own, the
protocol in the subject and ``X-Balcao-Protocol`` (balcao.cases.outbound). A person's answer
comes back with ``In-Reply-To`` / ``References`` naming what it answers — when the mail program
keeps them — and nearly always with the subject, "Re:" and all. So, strongest first:

1. a message id in ``In-Reply-To``, then in ``References`` from the newest, that Balcão sent
   for a case;
2. a protocol in the subject, written as the agency writes protocols and with a valid check
   digit (a phone number or a date in the subject is not a protocol);
3. the same sender writing again under the same subject (``normalise_subject``: "Re:",
   "RES:", "ENC:", "Fwd:"… and case and spacing aside) within a few days — a person who
   answers from a mail program that keeps no ids, or writes a second time before the
   acknowledgement arrived.

Ids win over the subject: a person who forwards an old case's e-mail to reply on a new one
keeps the new one's ids. When neither leads to a case the message opens a new one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from balcao.cases import protocol as protocols
from balcao.mail.parsing import ParsedMail


@dataclass(frozen=True)
class Hints:
    """What an incoming message says about the conversation it belongs to."""

    message_ids: tuple[str, ...]  # In-Reply-To, then References newest first; no repeats
    protocols: tuple[str, ...]  # valid protocols in the subject, in order


@lru_cache(maxsize=8)
def _protocol_regex(pattern: str, unit: int) -> re.Pattern[str]:
    """A regex for protocols of ``pattern``: its sample with every digit a digit class."""
    sample = protocols.format_protocol(pattern, year=2026, seq=1, unit=unit)
    body = "".join(r"\d" if ch.isdigit() else re.escape(ch) for ch in sample)
    return re.compile(rf"(?<![\d]){body}(?![\d])")


def protocols_in(text: str, pattern: str, *, unit: int = 0) -> list[str]:
    """The protocols written in ``text`` whose check digit holds, in order, once each."""
    found: list[str] = []
    for match in _protocol_regex(pattern, unit).finditer(text or ""):
        candidate = match.group(0)
        if candidate not in found and protocols.is_valid(candidate, pattern, unit=unit):
            found.append(candidate)
    return found


# Reply and forward prefixes as mail programs write them (pt, en, es, fr, de, nl, sv/da/no).
_PREFIX = re.compile(
    r"^\s*(?:(?:re|res|resp|ref|enc|fwd?|tr|rv|aw|wg|sv|vs|antw|doorst)\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)
# Subjects too generic to tell one conversation from another.
GENERIC_SUBJECTS = frozenset({"", "(sem assunto)", "sem assunto", "no subject", "(no subject)"})


def normalise_subject(subject: str) -> str:
    """The subject of the conversation: reply/forward prefixes, case and spacing aside."""
    text = " ".join((subject or "").split())
    previous = None
    while previous != text:
        previous, text = text, _PREFIX.sub("", text).strip()
    return text.casefold()


def same_conversation(subject: str, earlier_subjects: Mapping[str, int]) -> int | None:
    """The case of an earlier message of the same sender with the same normalised subject
    (``earlier_subjects``: its subject → its case, newest first), or None; generic subjects
    ("sem assunto") never match."""
    wanted = normalise_subject(subject)
    if wanted in GENERIC_SUBJECTS:
        return None
    for earlier, case in earlier_subjects.items():
        if normalise_subject(earlier) == wanted:
            return case
    return None


def hints(message: ParsedMail, *, pattern: str, unit: int = 0) -> Hints:
    ids: list[str] = []
    for found in (message.in_reply_to, *reversed(message.references)):
        if found and found not in ids:
            ids.append(found)
    return Hints(tuple(ids), tuple(protocols_in(message.subject, pattern, unit=unit)))


def resolve(
    found: Hints,
    *,
    case_by_message_id: Mapping[str, int],
    case_by_protocol: Mapping[str, int],
) -> int | None:
    """The case the message continues (by id first, then by the subject's protocol), or
    None for a new conversation."""
    for message_id in found.message_ids:
        case = case_by_message_id.get(message_id)
        if case is not None:
            return case
    for written in found.protocols:
        case = case_by_protocol.get(written)
        if case is not None:
            return case
    return None
