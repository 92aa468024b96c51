"""The e-mail channel from the outside (issue 22): a real IMAP server (dovecot), a running
``balcao serve`` (web, task worker and the IMAP IDLE watcher) and a real SMTP server
(aiosmtpd). A person's e-mail put in the mailbox becomes a case and its acknowledgement
reaches the SMTP server; the person's answer to it joins the same case; a newsletter is
filed apart and gets nothing back."""

from __future__ import annotations

import os
import subprocess
import textwrap
import time
from email.message import EmailMessage

import pytest

from tests.conftest import BALCAO


@pytest.fixture
def server_box(imap_server):
    from imap_tools import MailBoxUnencrypted

    box = MailBoxUnencrypted(imap_server.host, imap_server.port).login(
        imap_server.user, imap_server.password
    )
    if box.uids("ALL"):
        box.delete(box.uids("ALL"))
    yield box
    box.logout()


def _wait(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _shell(env, code: str) -> str:
    out = subprocess.run(  # noqa: S603
        [*BALCAO, "shell", "-c", textwrap.dedent(code)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.stdout.strip()


def test_mail_in_a_mailbox_becomes_a_case_acknowledged_and_threaded(
    tmp_path, imap_server, server_box, smtp_sink, balcao_serve, migrated_sqlite
):
    sink, smtp_port = smtp_sink
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "BALCAO_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "balcao.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "DEFAULT_FROM_EMAIL": "nao-responder@inpi.example",
        "BALCAO_MAIL_SPAMC": "0",
    }
    migrated_sqlite(tmp_path / "live.sqlite3")
    _shell(
        env,
        f"""
        from balcao.cases.models import Workflow
        from balcao.catalog.models import Channel
        from balcao.mail import secrets
        from balcao.mail.models import Mailbox
        channel = Channel.objects.create(slug="email-pt", name="E-mail", kind="form",
            workflow=Workflow.objects.get(slug="helpdesk"), deadline_policy="pt-email-48h")
        Mailbox.objects.create(slug="contacto", address="contacto@inpi.example",
            channel=channel, imap_host="{imap_server.host}", imap_port={imap_server.port},
            imap_tls=False, imap_user="{imap_server.user}",
            imap_secret=secrets.seal("{imap_server.password}"))
        """,
    )
    server = balcao_serve("--workers", "1", env=env)
    server.get_json("/api/v1/health")

    question = EmailMessage()
    question["From"] = "Maria Souza <maria@example.org>"
    question["To"] = "contacto@inpi.example"
    question["Subject"] = "Pedido de patente parado"
    question["Message-ID"] = "<pergunta-1@example.org>"
    question.set_content("Bom dia. O meu pedido PT 123456 está parado há meses.")
    server_box.append(question.as_bytes(), "INBOX")

    ack = _wait(lambda: sink.messages and sink.messages[0], "the acknowledgement")
    assert ack["To"] == "maria@example.org"
    assert ack["In-Reply-To"] == "<pergunta-1@example.org>"  # threads under her e-mail
    assert ack["Reply-To"] == "contacto@inpi.example"  # her answer comes back to this mailbox
    protocol = ack["X-Balcao-Protocol"]
    assert protocol and protocol in ack["Subject"]
    assert "Prazo de resposta" in ack.get_content()

    answer = EmailMessage()
    answer["From"] = "Maria Souza <maria@example.org>"
    answer["To"] = "contacto@inpi.example"
    answer["Subject"] = f"Re: {ack['Subject']}"
    answer["Message-ID"] = "<resposta-1@example.org>"
    answer["In-Reply-To"] = ack["Message-ID"]
    answer.set_content("Junto o número do pedido: PT 123456.")
    newsletter = EmailMessage()
    newsletter["From"] = "Ofertas <news@loja.example>"
    newsletter["To"] = "contacto@inpi.example"
    newsletter["Subject"] = "Só hoje: 50 % de desconto"
    newsletter["Message-ID"] = "<promo-1@loja.example>"
    newsletter["List-Unsubscribe"] = "<https://loja.example/sair>"
    newsletter.set_content("Aproveite. Para não receber mais, descadastre-se.")
    server_box.append(answer.as_bytes(), "INBOX")
    server_box.append(newsletter.as_bytes(), "INBOX")

    count = """
        from balcao.mail.models import InboundMail
        print(InboundMail.objects.count())
    """
    _wait(lambda: _shell(env, count).splitlines()[-1] == "3", "the three messages taken")
    outcome = _shell(
        env,
        """
        from balcao.cases.models import Case
        from balcao.mail.models import InboundMail
        rows = {r.message_id: r for r in InboundMail.objects.all()}
        case = Case.objects.get()
        print(rows["<pergunta-1@example.org>"].outcome, rows["<resposta-1@example.org>"].outcome,
              rows["<promo-1@loja.example>"].outcome, case.protocol,
              rows["<resposta-1@example.org>"].case_id == case.pk,
              case.messages.filter(body__contains="PT 123456.").count())
        """,
    ).splitlines()[-1]
    assert outcome.split() == ["new-case", "reply", "advertising", protocol, "True", "1"]
    time.sleep(2)  # anything more the worker would send has had time to leave
    assert len(sink.messages) == 1  # no acknowledgement of the reply nor of the newsletter
