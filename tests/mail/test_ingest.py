"""Incoming e-mail becomes cases and messages (issue 22; balcao.mail.services.ingest):
threaded by our Message-IDs and by the protocol, acknowledged only when RFC 3834 allows,
nothing lost (quarantine, the original kept) and nothing twice (mailbox + UIDVALIDITY/UID,
Message-ID)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core import mail

from balcao.cases import services as cases
from balcao.cases.models import Case, Message, OutboundMail, State
from balcao.mail.models import InboundMail, Mailbox
from balcao.mail.services import ingest

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mail"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def mailbox(helpdesk_channel):
    return Mailbox.objects.create(
        slug="contato", address="contato@agencia.gov.br", channel=helpdesk_channel
    )


def message(*, subject="Dúvida sobre GRU", body="Paguei a GRU e nada.", sender="maria@example.org",
            msgid="<m1@example.org>", **headers) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = f"Maria Souza <{sender}>"
    msg["To"] = "contato@agencia.gov.br"
    msg["Subject"] = subject
    if msgid:
        msg["Message-ID"] = msgid
    for name, value in headers.items():
        if name != "attachments":
            msg[name.replace("_", "-")] = value
    msg.set_content(body)
    for filename, data, mime in headers.get("attachments", ()):
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def test_a_new_message_opens_an_acknowledged_case_and_keeps_the_original(
    mailbox, django_capture_on_commit_callbacks
):
    raw = message()
    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(mailbox, raw, uidvalidity=7, uid=1)
    assert row.outcome == InboundMail.Outcome.NEW_CASE and row.acknowledged
    case = row.case
    assert case.channel == mailbox.channel and case.subject == "Dúvida sobre GRU"
    assert "Paguei a GRU" in case.description and case.due_at is not None
    assert case.requester.email == "maria@example.org" and case.requester.unverified
    [ack] = [m for m in mail.outbox if "maria@example.org" in m.to]
    assert case.protocol in ack.subject
    assert row.raw.open("rb").read() == raw and row.size == len(raw)


def test_the_same_server_message_twice_is_one_case(mailbox):
    first = ingest(mailbox, message(), uidvalidity=7, uid=1)
    again = ingest(mailbox, message(), uidvalidity=7, uid=1)
    assert again.pk == first.pk and Case.objects.count() == 1
    # the same Message-ID under another UID (copied to another folder, resent by the server)
    copy = ingest(mailbox, message(), uidvalidity=7, uid=2)
    assert copy.outcome == InboundMail.Outcome.DUPLICATE and Case.objects.count() == 1


def test_a_reply_to_our_mail_joins_its_case_and_resumes_it(
    mailbox, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = ingest(mailbox, message(), uidvalidity=7, uid=1).case
        waiting = State.objects.get(workflow=case.state.workflow, slug="aguardando-requerente")
        cases.do_change_state(case, waiting, actor=staff["supervisor"], reason="Envie a GRU.")
    ours = OutboundMail.objects.filter(case=case).order_by("-pk").first()
    reply = message(
        subject="Re: outra coisa", body="Segue a GRU.", msgid="<m2@example.org>",
        In_Reply_To=ours.message_id, attachments=[("gru.pdf", PDF, "application/pdf")],
    )  # fmt: skip
    row = ingest(mailbox, reply, uidvalidity=7, uid=2)
    assert row.outcome == InboundMail.Outcome.REPLY and row.case == case
    case.refresh_from_db()
    assert case.state.slug == "em-atendimento"
    last = Message.objects.filter(case=case, author_kind="requester").last()
    assert last.body == "Segue a GRU." and [a.filename for a in last.attachments.all()] == [
        "gru.pdf"
    ]
    assert Case.objects.count() == 1


def test_a_reply_by_the_protocol_in_the_subject(mailbox):
    case = ingest(mailbox, message(), uidvalidity=7, uid=1).case
    later = message(subject=f"Re: [Protocolo {case.protocol}] ainda nada", msgid="<m3@x>")
    row = ingest(mailbox, later, uidvalidity=7, uid=2)
    assert row.outcome == InboundMail.Outcome.REPLY and row.case == case
    # a wrong check digit is not a protocol: a new case
    wrong = case.protocol[:-1] + str((int(case.protocol[-1]) + 1) % 10)
    other = ingest(mailbox, message(subject=f"Protocolo {wrong}", msgid="<m4@x>"), uidvalidity=7,
                   uid=3)  # fmt: skip
    assert other.outcome == InboundMail.Outcome.NEW_CASE


def test_no_acknowledgement_to_automatic_mail_nor_twice_a_day(
    mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        auto = ingest(mailbox, message(msgid="<a1@x>", Auto_Submitted="auto-replied",
                                       subject="Resposta automática: férias"),
                      uidvalidity=7, uid=1)  # fmt: skip
        first = ingest(mailbox, message(msgid="<a2@x>"), uidvalidity=7, uid=2)
        second = ingest(mailbox, message(msgid="<a3@x>", subject="Outro assunto"),
                        uidvalidity=7, uid=3)  # fmt: skip
    assert not auto.acknowledged and "RFC 3834" in auto.reason
    assert first.acknowledged and not second.acknowledged and "less than a day" in second.reason
    assert len([m for m in mail.outbox if "maria@example.org" in m.to]) == 1


def test_a_bounce_opens_no_case(mailbox):
    case = ingest(mailbox, message(), uidvalidity=7, uid=1).case
    ours = OutboundMail.objects.filter(case=case).first()
    bounce = message(
        sender="MAILER-DAEMON@mx.example.org", subject="Undelivered Mail Returned to Sender",
        msgid="<b1@mx>", In_Reply_To=ours.message_id,
    )  # fmt: skip
    row = ingest(mailbox, bounce, uidvalidity=7, uid=2)
    assert row.outcome == InboundMail.Outcome.BOUNCE and row.case == case
    assert Case.objects.count() == 1
    assert Message.objects.filter(case=case, internal=True, body__contains="não entrega").exists()


def test_unreadable_mail_is_quarantined_with_its_reason_and_kept(mailbox):
    row = ingest(mailbox, b"   \r\n", uidvalidity=7, uid=1)
    assert row.outcome == InboundMail.Outcome.QUARANTINE and row.reason == "empty message"
    assert row.raw.open("rb").read() == b"   \r\n" and Case.objects.count() == 0


def test_a_refused_attachment_is_named_and_the_rest_kept(mailbox):
    exe = ("virus.exe", b"MZ\x90\x00" * 64, "application/octet-stream")
    raw = message(attachments=[("laudo.pdf", PDF, "application/pdf"), exe])
    row = ingest(mailbox, raw, uidvalidity=7, uid=1)
    files = [a.filename for a in row.case.attachments.all()]
    assert files == ["laudo.pdf"] and "virus.exe" in row.reason


@pytest.mark.skipif(not (SHARED / "index.jsonl").exists(), reason="../shared/data/mail absent")
def test_every_public_message_becomes_exactly_one_record(mailbox):
    files = sorted(SHARED.glob("*.eml"))
    assert len(files) >= 60
    for uid, path in enumerate(files, start=1):
        ingest(mailbox, path.read_bytes(), uidvalidity=1, uid=uid)
    for uid, path in enumerate(files, start=1):  # a restart reading them all again
        ingest(mailbox, path.read_bytes(), uidvalidity=1, uid=uid)
    rows = InboundMail.objects.all()
    assert rows.count() == len(files)
    outcomes = {row.outcome for row in rows}
    assert InboundMail.Outcome.NEW_CASE in outcomes and InboundMail.Outcome.BOUNCE in outcomes
    for row in rows:
        assert row.outcome != InboundMail.Outcome.NEW_CASE or row.case_id is not None


def test_our_mail_answers_the_persons_mail(mailbox, staff, django_capture_on_commit_callbacks):
    """The acknowledgement answers the e-mail that opened the case, an agent's reply answers
    the person's latest e-mail, and References carry the thread from its first message."""
    with django_capture_on_commit_callbacks(execute=True):
        case = ingest(mailbox, message(msgid="<first@example.org>"), uidvalidity=7, uid=1).case
    [ack] = [m for m in mail.outbox if "maria@example.org" in m.to]
    assert ack.extra_headers["In-Reply-To"] == "<first@example.org>"
    assert ack.extra_headers["References"].startswith("<first@example.org>")
    ack_id = ack.extra_headers["Message-ID"]
    reply = message(subject="Re: x", body="Mais um dado.", msgid="<second@example.org>",
                    In_Reply_To=ack_id, References=f"<first@example.org> {ack_id}")  # fmt: skip
    assert ingest(mailbox, reply, uidvalidity=7, uid=2).case == case
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cases.do_add_message(case, "Obrigado, recebido.", actor=staff["supervisor"])
    [answer] = [m for m in mail.outbox if "maria@example.org" in m.to]
    assert answer.extra_headers["In-Reply-To"] == "<second@example.org>"
    assert answer.extra_headers["References"].split() == [
        "<first@example.org>",
        ack_id,
        "<second@example.org>",
    ]


def test_the_same_sender_and_subject_within_days_continue_the_case(mailbox):
    """Issue 22: "or by sender + normalised subject within a window" — for mail programs that
    keep no ids, and a second message sent before the acknowledgement arrived."""
    from datetime import timedelta

    from django.utils import timezone

    first = ingest(mailbox, message(subject="Pedido de patente parado"), uidvalidity=7, uid=1)
    again = ingest(mailbox, message(subject="RES: pedido de patente  parado", msgid="<m2@x>"),
                   uidvalidity=7, uid=2)  # fmt: skip
    assert again.outcome == InboundMail.Outcome.REPLY and again.case == first.case
    joao = message(subject="Pedido de patente parado", msgid="<m3@x>", sender="joao@example.org")
    other_person = ingest(mailbox, joao, uidvalidity=7, uid=3)
    assert other_person.outcome == InboundMail.Outcome.NEW_CASE
    # past the window (BALCAO_MAIL_THREAD_DAYS, 7 days) the same subject is a new request
    InboundMail.objects.filter(case=first.case).update(
        received_at=timezone.now() - timedelta(days=8)
    )
    later = ingest(mailbox, message(subject="Pedido de patente parado", msgid="<m4@x>"),
                   uidvalidity=7, uid=4)  # fmt: skip
    assert later.outcome == InboundMail.Outcome.NEW_CASE and later.case != first.case


def test_the_acknowledgement_is_in_the_senders_language(
    mailbox, django_capture_on_commit_callbacks
):
    english = message(
        subject="Patent application status",
        body="Dear Sir, I would like to know the status of my patent application. Thank you.",
        sender="john@example.com",
        msgid="<en1@x>",
    )
    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(mailbox, english, uidvalidity=7, uid=1)
    assert row.case.requester.preferred_language == "en"
    [ack] = [m for m in mail.outbox if "john@example.com" in m.to]
    assert "Protocol" in ack.body or "protocol" in ack.body  # written in English
    assert "Número de protocolo" not in ack.body
