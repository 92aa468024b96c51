"""The quarantine of unreadable e-mail in the console (issue 22): supervisors see each with
its reason, download the original and read it again; nothing is dropped."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from balcao.cases.models import Case
from balcao.mail.models import InboundMail, Mailbox
from balcao.mail.services import ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(helpdesk_channel):
    return Mailbox.objects.create(
        slug="contato", address="contato@agencia.gov.br", channel=helpdesk_channel
    )


def test_supervisors_see_download_and_reread(mailbox, staff, verified_client):
    broken = ingest(mailbox, b"\r\n\r\n", uidvalidity=1, uid=1)
    web = verified_client(staff["supervisor"])
    page = web.get("/console/email/quarentena/").content.decode()
    assert "empty message" in page and "Ler de novo" in page
    original = web.get(f"/console/email/quarentena/{broken.pk}/original/")
    assert original.status_code == 200 and b"".join(original.streaming_content) == b"\r\n\r\n"
    again = web.post(f"/console/email/quarentena/{broken.pk}/ler-de-novo/", follow=True)
    assert "continua ilegível" in again.content.decode()
    assert InboundMail.objects.get(uid=1).outcome == InboundMail.Outcome.QUARANTINE


def test_a_message_readable_now_becomes_its_case(mailbox, staff, verified_client):
    """A message quarantined by an older parser is read again after the fix."""
    good = (
        b"From: Ana <ana@example.org>\r\nSubject: Pedido\r\nMessage-ID: <q1@example.org>\r\n"
        b"\r\nTexto do pedido.\r\n"
    )
    row = InboundMail(
        mailbox=mailbox, uidvalidity=1, uid=9, size=len(good), outcome="quarantine", reason="x"
    )
    row.raw.save("9.eml", ContentFile(good), save=True)
    web = verified_client(staff["supervisor"])
    web.post(f"/console/email/quarentena/{row.pk}/ler-de-novo/")
    now = InboundMail.objects.get(uid=9)
    assert now.outcome == InboundMail.Outcome.NEW_CASE and Case.objects.count() == 1


def test_agents_do_not_see_the_quarantine(staff, verified_client):
    assert verified_client(staff["agent"]).get("/console/email/quarentena/").status_code == 403
