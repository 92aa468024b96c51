"""The tricky kinds of e-mail (issue 22, "Done means"), written here for the tests — each
says what happens to it when it arrives in a mailbox (balcao.mail.services.ingest)."""

from __future__ import annotations

import pytest
from django.core import mail

from balcao.mail.models import InboundMail, Mailbox
from balcao.mail.services import ingest

pytestmark = pytest.mark.django_db

HEAD = (
    "From: Joana Lima <joana@example.org>\r\nTo: contato@agencia.gov.br\r\n"
    "Date: Thu, 03 Dec 2026 10:00:00 -0300\r\n"
)


@pytest.fixture
def mailbox(helpdesk_channel):
    return Mailbox.objects.create(
        slug="contato", address="contato@agencia.gov.br", channel=helpdesk_channel
    )


def _in(mailbox, raw: bytes, uid: int = 1) -> InboundMail:
    return ingest(mailbox, raw, uidvalidity=1, uid=uid)


def test_multipart_alternative_keeps_the_text_part(mailbox):
    raw = (
        HEAD + "Subject: Alternativa\r\nMessage-ID: <alt@x>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTexto simples do pedido.\r\n"
        "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Texto <b>HTML</b></p>\r\n--b--\r\n"
    ).encode()
    row = _in(mailbox, raw)
    assert row.outcome == "new-case" and "Texto simples do pedido." in row.case.description
    assert "<p>" not in row.case.description


def test_base64_and_quoted_printable_bodies_are_decoded(mailbox):
    b64 = (
        HEAD + "Subject: B64\r\nMessage-ID: <b64@x>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "UGVkaWRvIGRlIGNlcnRpZMOjbyBkZSBtYXJjYS4=\r\n"
    ).encode()
    qp = (
        HEAD + "Subject: QP\r\nMessage-ID: <qp@x>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
        "\r\n\r\nSolicita=C3=A7=C3=A3o de c=C3=B3pia.\r\n"
    ).encode()
    assert "Pedido de certidão de marca." in _in(mailbox, b64, 1).case.description
    assert "Solicitação de cópia." in _in(mailbox, qp, 2).case.description


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252"])
def test_latin_charsets_are_read(mailbox, charset):
    body = "Atenção: não recebi a notificação – “urgente”.".encode(charset, errors="replace")
    raw = (
        (
            HEAD + f"Subject: =?{charset}?Q?Notifica=E7=E3o?=\r\nMessage-ID: <cs@x>\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n\r\n"
        ).encode()
        + body
        + b"\r\n"
    )
    case = _in(mailbox, raw).case
    assert case.subject == "Notificação" and "Atenção: não recebi a notificação" in (
        case.description
    )


def test_an_rfc2231_encoded_filename_is_kept(mailbox):
    raw = (
        HEAD + "Subject: Anexo\r\nMessage-ID: <fn@x>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSegue o comprovante.\r\n"
        "--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; "
        "filename*=utf-8''comprovante%20de%20pagamento%20%C3%A7.pdf"
        "\r\n\r\nJVBERi0xLjQKMSAwIG9iajw8Pj5lbmRvYmoKdHJhaWxlcjw8Pj4KJSVFT0YK\r\n--b--\r\n"
    ).encode()
    case = _in(mailbox, raw).case
    assert [a.filename for a in case.attachments.all()] == ["comprovante de pagamento ç.pdf"]


def test_winmail_dat_is_named_and_kept_in_the_original(mailbox):
    raw = (
        HEAD + "Subject: Outlook\r\nMessage-ID: <tnef@x>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nEnviado do Outlook.\r\n"
        "--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n"
        "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=winmail.dat"
        "\r\n\r\neJ8+IgAAAAAAAA==\r\n--b--\r\n"
    ).encode()
    row = _in(mailbox, raw)
    assert row.outcome == "new-case" and "Enviado do Outlook." in row.case.description
    assert "winmail.dat" in row.reason  # not a file the case core takes; the .eml keeps it
    assert b"winmail.dat" in row.raw.open("rb").read()


def test_a_message_without_message_id_still_opens_one_case(mailbox):
    raw = (HEAD + "Subject: Sem id\r\n\r\nPedido sem identificador.\r\n").encode()
    first = _in(mailbox, raw, 1)
    assert first.outcome == "new-case" and first.message_id == ""
    assert _in(mailbox, raw, 1).pk == first.pk  # the server's UID keeps it once


def test_an_out_of_office_and_a_mailing_list_get_no_acknowledgement(
    mailbox, django_capture_on_commit_callbacks
):
    away = (
        HEAD + "Subject: Resposta automática: Ausente\r\nMessage-ID: <away@x>\r\n"
        "Auto-Submitted: auto-replied\r\n\r\nEstou de férias.\r\n"
    ).encode()
    listed = (
        "From: Boletim <boletim@lista.example.org>\r\nTo: contato@agencia.gov.br\r\n"
        "Subject: Boletim semanal\r\nMessage-ID: <list@x>\r\nList-Id: <boletim.lista.example.org>"
        "\r\nList-Unsubscribe: <mailto:sair@lista.example.org>\r\n\r\nNotícias.\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        rows = [_in(mailbox, away, 1), _in(mailbox, listed, 2)]
    assert [r.acknowledged for r in rows] == [False, False]
    assert all("RFC 3834" in r.reason for r in rows)
    assert mail.outbox == []


def test_a_bounce_without_a_case_opens_none(mailbox):
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: contato@agencia.gov.br"
        b"\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn@mx>\r\n"
        b"Auto-Submitted: auto-replied\r\n\r\nThis is the mail system.\r\n"
    )
    row = _in(mailbox, raw)
    assert row.outcome == "bounce" and row.case is None


def test_a_30_mb_attachment_is_refused_by_name_and_the_message_kept(mailbox):
    big = b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024)
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Joana <joana@example.org>"
    msg["Subject"] = "Arquivo grande"
    msg["Message-ID"] = "<big@x>"
    msg.set_content("Segue o processo inteiro.")
    msg.add_attachment(big, maintype="application", subtype="pdf", filename="processo.pdf")
    row = _in(mailbox, msg.as_bytes())
    assert row.outcome == "new-case" and "processo.pdf" in row.reason
    assert row.case.attachments.count() == 0 and row.size > 30 * 1024 * 1024


def test_a_malformed_header_keeps_what_can_be_read(mailbox):
    raw = (
        b"From: =?utf-8?B?broken\r\nTo: contato@agencia.gov.br\r\nSubject: Cabe\xe7alho quebrado"
        b"\r\nMessage-ID: <bad@x>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        b"O texto chega mesmo assim.\r\n"
    )
    row = _in(mailbox, raw)
    assert row.outcome == "new-case"
    assert row.case.subject == "Cabeçalho quebrado"
    assert "O texto chega mesmo assim." in row.case.description
    assert row.case.requester is None and not row.acknowledged  # nobody to answer
