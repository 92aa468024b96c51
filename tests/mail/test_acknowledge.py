"""Which incoming e-mails get the automatic acknowledgement (issue 22; RFC 3834 §2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from balcao.mail.acknowledge import acknowledgement_refusal
from balcao.mail.parsing import ParsedMail

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
OURS = ("atendimento@inpi.example.gov.br",)


def _refusal(message, *, opens_case=True, last=None):
    return acknowledgement_refusal(
        message, opens_case=opens_case, own_addresses=OURS, last_acknowledged=last, now=NOW
    )


def test_a_persons_new_message_is_acknowledged():
    assert _refusal(ParsedMail(file="-", from_addr="maria@example.org")) is None
    # a day after the last acknowledgement, again
    assert (
        _refusal(ParsedMail(file="-", from_addr="maria@example.org"), last=NOW - timedelta(days=2))
        is None
    )


@pytest.mark.parametrize(
    ("message", "opens_case", "last", "reason"),
    [
        (ParsedMail(file="-", from_addr="x@example.org", auto_reply=True), True, None, "RFC 3834"),
        (
            ParsedMail(file="-", from_addr="x@example.org", auto_reply=True, bounce=True),
            True,
            None,
            "RFC 3834",
        ),
        (
            ParsedMail(file="-", from_addr="x@example.org", auto_reply=True, list=True),
            True,
            None,
            "RFC 3834",
        ),
        (ParsedMail(file="-", from_addr=None), True, None, "no sender"),
        (
            ParsedMail(file="-", from_addr="Atendimento@INPI.example.gov.br"),
            True,
            None,
            "own address",
        ),
        (ParsedMail(file="-", from_addr="maria@example.org"), False, None, "continues a case"),
        (
            ParsedMail(file="-", from_addr="maria@example.org"),
            True,
            NOW - timedelta(hours=3),
            "less than a day",
        ),
        (
            ParsedMail(file="-", from_addr="maria@example.org", error="not an e-mail"),
            True,
            None,
            "unreadable",
        ),
    ],
)
def test_what_never_gets_an_acknowledgement(message, opens_case, last, reason):
    assert reason in _refusal(message, opens_case=opens_case, last=last)
