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


@pytest.mark.parametrize(
    ("content_language", "text", "language"),
    [
        ("en-GB", "Bom dia, o meu pedido está parado.", "en"),  # the header wins
        ("de, pt-PT", "", "pt-PT"),  # the first of ours
        ("", "Dear Sir, I would like to know the status of my patent application. Thank you.",
         "en"),
        ("", "Exmos. Senhores, o meu pedido de registo está parado. Com os melhores "
             "cumprimentos, Maria", "pt-PT"),
        ("", "Prezados, o meu pedido de registro está parado. Você pode ver? Atenciosamente",
         "pt-BR"),
        ("", "Olá, o pedido de patente não aparece.", "pt-BR"),  # no telling sign: the default
        ("", "", "pt-BR"),
    ],
)  # fmt: skip
def test_the_acknowledgement_speaks_the_senders_language(content_language, text, language):
    from balcao.mail.acknowledge import sender_language

    assert sender_language(content_language, text, default="pt-BR") == language
