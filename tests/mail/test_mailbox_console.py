"""Mailboxes set up in the console (issue 22): the IMAP secret is stored encrypted and never
shown back, a blank one keeps it, and "Testar a conexão" logs in to the real server."""

from __future__ import annotations

import pytest

from balcao.mail import secrets
from balcao.mail.models import Mailbox

pytestmark = pytest.mark.django_db


def _form(channel, server, **extra):
    data = {
        "slug": "contato",
        "address": "contato@agencia.gov.br",
        "channel": channel.pk,
        "active": "on",
        "imap_host": server.host,
        "imap_port": server.port,
        "imap_user": server.user,
        "folder": "INBOX",
        "secret": server.password,
    }
    data.update(extra)
    return data


def test_the_secret_is_sealed_never_shown_and_the_connection_tested(
    helpdesk_channel, imap_server, staff, verified_client
):
    web = verified_client(staff["manager"])
    assert web.get("/console/email/caixas/nova/").status_code == 200
    saved = web.post("/console/email/caixas/nova/", _form(helpdesk_channel, imap_server))
    assert saved.status_code == 302
    box = Mailbox.objects.get()
    assert imap_server.password not in box.imap_secret
    assert secrets.unseal(box.imap_secret) == imap_server.password
    page = web.get(f"/console/email/caixas/{box.pk}/").content.decode()
    assert imap_server.password not in page and "Há uma senha guardada" in page
    # a blank secret keeps the stored one
    web.post(f"/console/email/caixas/{box.pk}/", _form(helpdesk_channel, imap_server, secret=""))
    box.refresh_from_db()
    assert secrets.unseal(box.imap_secret) == imap_server.password
    ok = web.post(f"/console/email/caixas/{box.pk}/testar/", follow=True).content.decode()
    assert "Conexão com a caixa de e-mail funcionando." in ok
    web.post(
        f"/console/email/caixas/{box.pk}/", _form(helpdesk_channel, imap_server, secret="errada")
    )
    bad = web.post(f"/console/email/caixas/{box.pk}/testar/", follow=True).content.decode()
    assert "Não foi possível ler a caixa" in bad


def test_agents_cannot_set_up_mailboxes(staff, verified_client):
    assert verified_client(staff["agent"]).get("/console/email/caixas/").status_code == 403
