"""``balcao.mail.parsing``: each rule of ../shared/contracts/mail.md on a message built
here (the public set's 64 real messages are checked in test_public_set.py)."""

from __future__ import annotations

import pytest

from balcao.mail import parsing
from balcao.mail.parsing import parse_bytes


def mail(headers: str, body: str = "Olá, preciso de ajuda.\n", *, raw: bytes = b"") -> bytes:
    base = "From: Maria <maria@example.org>\nTo: sac@agency.example\n"
    return (base + headers.strip("\n") + "\n\n" + body).encode() + raw


def test_a_persons_message_is_all_false_and_fully_read():
    parsed = parse_bytes(
        mail(
            "Subject: =?utf-8?q?D=C3=BAvida_sobre?=\n  a taxa\n"
            "Message-ID:\n <abc@example.org>\n"
            "In-Reply-To: <one@x> <two@x>\nReferences: <zero@x>\n <one@x>\n"
            "Date: Tue, 1 Dec 2026 10:20:30 -0300\n"
        ),
        file="a.eml",
    )
    assert parsed.as_dict() == {
        "file": "a.eml",
        "message_id": "<abc@example.org>",
        "in_reply_to": "<one@x>",
        "references": ["<zero@x>", "<one@x>"],
        "from_addr": "maria@example.org",
        "from_name": "Maria",
        "subject": "Dúvida sobre a taxa",
        "date": "2026-12-01T10:20:30-03:00",
        "auto_reply": False,
        "bounce": False,
        "list": False,
        "attachments": [],
        "text": "Olá, preciso de ajuda.",
        "error": None,
    }
    assert list(parsed.as_dict()) == [
        "file", "message_id", "in_reply_to", "references", "from_addr", "from_name",
        "subject", "date", "auto_reply", "bounce", "list", "attachments", "text", "error",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "headers",
    [
        "Subject: Férias\nAuto-Submitted: auto-replied",
        "Subject: x\nX-Autoreply: yes",
        "Subject: x\nX-Autorespond: yes",
        "Subject: x\nPrecedence: auto_reply",
        "Subject: Resposta automática: Dúvida",
        "Subject: RE: Automatic reply: Dúvida",
        "Subject: Out of Office: back on Monday",
        "Subject: Ausente até dia 10",
        "Subject: Re: hello\nX-Apple-Action: VACATION",
        "Subject: hi\nReturn-Path: <>",
    ],
)
def test_machine_replies_get_no_acknowledgement(headers):
    parsed = parse_bytes(mail(headers))
    assert parsed.auto_reply and not parsed.bounce and not parsed.list


def test_auto_submitted_no_and_exchanges_suppress_header_alone_decide_nothing():
    parsed = parse_bytes(mail("Subject: Pedido\nAuto-Submitted: no\nX-Auto-Response-Suppress: All"))
    assert (parsed.auto_reply, parsed.bounce, parsed.list) == (False, False, False)


@pytest.mark.parametrize(
    "headers",
    [
        "Subject: x\nList-Id: <sac.lists.example>",
        "Subject: x\nList-Unsubscribe: <mailto:u@example>",
        "Subject: x\nList-Post: <mailto:l@example>",
        "Subject: x\nX-Mailing-List: debian-devel@lists.debian.org",
        "Subject: x\nMailing-List: contact perl5-porters-help@perl.org",
        "Subject: Newsletter\nPrecedence: bulk",
        "Subject: x\nPrecedence: list",
    ],
)
def test_lists_and_bulk_mail(headers):
    parsed = parse_bytes(mail(headers))
    assert parsed.list and parsed.auto_reply and not parsed.bounce


def test_a_machine_reply_from_a_list_is_a_machine_reply_not_a_list():
    parsed = parse_bytes(mail("Subject: Auto reply: x\nPrecedence: bulk\nList-Id: <l.example>"))
    assert parsed.auto_reply and not parsed.list


DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.example>
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example

Final-Recipient: rfc822; nobody@example.org
Action: failed
Status: 5.1.1
--b--
"""


@pytest.mark.parametrize(
    "raw",
    [
        DSN.encode(),
        mail("Subject: x\nX-Failed-Recipients: a@b.example"),
        b"From: MAILER-DAEMON@mx.example\nSubject: failure notice\n\nHi. This is qmail.\n",
        b"From: postmaster@mx.example\nSubject: Delivery Status Notification (Failure)\n\nx\n",
        b"From: x@mx.example\nReturn-Path: <>\nSubject: Mail delivery failed\n\nx\n",
    ],
)
def test_bounces(raw):
    parsed = parse_bytes(raw)
    assert (parsed.bounce, parsed.auto_reply, parsed.list) == (True, True, False)


def test_a_postmaster_writing_about_something_else_is_not_a_bounce():
    parsed = parse_bytes(b"From: postmaster@agency.example\nSubject: Nova regra\n\nOi\n")
    assert not parsed.bounce


@pytest.mark.parametrize("report_type", ["disposition-notification", "feedback-report"])
def test_read_receipts_and_feedback_reports(report_type):
    raw = DSN.replace("report-type=delivery-status", f"report-type={report_type}").replace(
        "message/delivery-status", "message/disposition-notification"
    )
    raw = raw.replace("MAILER-DAEMON@mx.example", "maria@example.org").replace(
        "Undelivered Mail Returned to Sender", "Lida: Dúvida"
    )
    parsed = parse_bytes(raw.encode())
    assert (parsed.auto_reply, parsed.bounce, parsed.list) == (True, False, False)


def test_attachments_in_order_with_encoded_names_and_a_forwarded_message_counted_once():
    raw = """From: a@example.org
Subject: anexos
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: text/plain; charset=utf-8

Segue.
--m
Content-Type: application/pdf
Content-Disposition: attachment; filename*=utf-8''procura%C3%A7%C3%A3o.pdf

JVBERi0=
--m
Content-Type: image/png; name="=?utf-8?q?foto_=C3=A7.png?="
Content-Disposition: inline

iVBORw0KGgo=
--m
Content-Type: application/octet-stream

semnome
--m
Content-Type: message/rfc822; name="encaminhada.eml"

From: b@example.org
Subject: inner
Content-Type: multipart/mixed; boundary="i"

--i
Content-Type: application/pdf; name="interno.pdf"

x
--i--
--m
Content-Type: application/ms-tnef; name="winmail.dat"

eJ8+IgAAAQ==
--m--
"""
    parsed = parse_bytes(raw.encode())
    assert parsed.attachments == ["procuração.pdf", "foto ç.png", "encaminhada.eml", "winmail.dat"]
    assert parsed.text == "Segue."


def test_html_only_body_is_read_as_text():
    raw = (
        "From: a@example.org\nSubject: html\nContent-Type: text/html; charset=utf-8\n\n"
        "<html><head><style>p{color:red}</style></head><body><p>Bom dia,</p>"
        "<p>meu <b>protocolo</b> é 2026.000123-7</p><script>x()</script></body></html>"
    )
    text = parse_bytes(raw.encode()).text
    assert "Bom dia," in text and "meu protocolo é 2026.000123-7" in text
    assert "color" not in text and "x()" not in text


def test_wrong_and_missing_charsets_are_guessed_never_an_exception():
    body = "Informação sobre a renovação da marca, não recebi nada até agora.".encode("latin-1")
    wrong = b"From: a@example.org\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\n" + body
    unknown = (
        b"From: a@example.org\nSubject: x\nContent-Type: text/plain; charset=x-nope\n\n" + body
    )
    for raw in (wrong, unknown):
        parsed = parse_bytes(raw)
        assert parsed.error is None
        assert "renovação" in parsed.text


def test_raw_8bit_portuguese_subject_decoded_with_the_messages_charset():
    raw = (
        b"From: =?windows-1252?q?Jo=E3o?= <joao@example.org>\n"
        b"Subject: Forma\xe7\xe3o de Ver\xe3o\n\ncorpo\n"
    )
    parsed = parse_bytes(raw)
    assert parsed.subject == "Formação de Verão"
    assert parsed.from_name == "João"


def test_mbox_from_line_and_crlf_are_accepted():
    raw = b"From maria@example.org Tue Dec  1 10:00:00 2026\r\n" + mail(
        "Subject: via mbox\nMessage-ID: <m@x>"
    ).replace(b"\n", b"\r\n")
    parsed = parse_bytes(raw)
    assert (parsed.subject, parsed.message_id, parsed.from_addr) == (
        "via mbox",
        "<m@x>",
        "maria@example.org",
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"From: \nSubject: =?bogus?q?x?=\nDate: not a date\nContent-Type: multipart/mixed\n\nx",
        b"Subject: x\nContent-Type: multipart/alternative; boundary=zz\n\n--yy\n\nHello\n",
    ],
)
def test_broken_messages_give_a_line_never_an_exception(raw):
    parsed = parse_bytes(raw, file="bad.eml")
    assert parsed.file == "bad.eml"
    assert isinstance(parsed.subject, str) and isinstance(parsed.attachments, list)


def test_an_empty_message_says_so():
    assert parse_bytes(b"  \n").error == "empty message"


def test_a_multipart_without_its_boundary_keeps_its_text():
    raw = b"Subject: x\nContent-Type: multipart/alternative; boundary=zz\n\n--yy\n\nHello there\n"
    parsed = parse_bytes(raw)
    assert "Hello there" in parsed.text
    assert parsed.error and "MIME" in parsed.error


def test_ids_written_as_encoded_words_are_read():
    """A library that cannot fold a long ``<…>`` writes it as RFC 2047 encoded words; the
    ids inside still thread the reply."""
    long_id = "<179637015414.8864.14364049330822671300.balcao.acknowledgement@balcao.invalid>"
    encoded = (
        "=?utf-8?q?=3C179637015414=2E8864=2E14364049330822671300=2Ebalca?= "
        "=?utf-8?q?o=2Eacknowledgement=40balcao=2Einvalid=3E?="
    )
    raw = (
        "From: a@example.org\r\nSubject: Re: x\r\n"
        f"In-Reply-To: {encoded}\r\nReferences: {encoded}\r\n\r\ntexto\r\n"
    ).encode()
    parsed = parse_bytes(raw)
    assert parsed.in_reply_to == long_id and parsed.references == [long_id]


@pytest.mark.parametrize(
    ("raw", "guess"),
    [
        (
            b"From: =?utf-8?q?Jo=C3=A3o?= <Joao@Example.ORG>\r\nMessage-ID:\r\n <a@b>\r\n\r\nx",
            ("<a@b>", "joao@example.org"),
        ),
        (
            b"From MAILER-DAEMON Mon\nFrom: x@y.org\nSubject: s\n\nMessage-ID: <body@x>",
            (None, "x@y.org"),
        ),
        (b"Subject: sem remetente\n\ntexto", (None, None)),
        (b"\xff\xfe\x00garbage", (None, None)),
    ],
    ids=["encoded-name-folded-id", "mbox-line-and-id-in-body", "no-sender", "garbage"],
)
def test_the_header_guess_reads_only_the_header_block(raw, guess):
    assert parsing.header_hints(raw) == guess
