"""The whole live chat, as a person and an agent live it (issue 24, "Done means"), in Debian's
chromium with two browser contexts: missing phone → "Meus Dados" → new chat → queue → the
agent answers → unread badge → a file each way → a refused .exe renamed .pdf → "Concluir
Atendimento" → the e-mail with the record → "Meus Atendimentos" shows "Chat Concluído pelo
Usuário".

Played twice: on the real ASGI application in a thread over the test database, and on two
``balcao serve`` processes (the default serving stack) sharing a database and Redis as the
channel layer and task queue — the person on one, the agent on the other, the e-mails going to
a real SMTP server (seed 004, IPM Atende.Net figs. 02–13)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest

from tests.livechat.conftest import EXE, PDF, in_browser

BALCAO = [sys.executable, "-m", "balcao.cli"]
EMAIL = "hauana@example.com"
REASON = "Como emito a guia do IPTU deste ano?"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def setup_world() -> str:
    """A chat channel open around the clock with the IPM limits, a module, a person with an
    e-mail but no phone, an available agent with a verified second factor; the agent's
    session key. Also run in a ``balcao serve``'s environment (``balcao shell``)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from balcao.cases.models import Requester, Workflow
    from balcao.catalog.models import Channel, Service
    from balcao.livechat import services

    Channel.objects.create(
        slug="chat",
        name="Chat",
        kind="chat",
        hours=Channel.Hours.ALWAYS,
        workflow=Workflow.objects.get(slug="chat"),
        max_attachment_bytes=2 * 1024 * 1024,
    )
    Service.objects.create(slug="tributos", name="Tributos")
    Requester.objects.create(name="Hauana Andrade", email=EMAIL)
    ana = get_user_model().objects.create_user(
        "ana", password="senha-de-teste-123", first_name="Ana"
    )
    ana.groups.add(Group.objects.get(name="agent"))
    services.do_set_presence(ana, "available")
    device = TOTPDevice.objects.create(user=ana, name="test", confirmed=True)
    client = Client()
    client.force_login(ana)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def journey(person, agent, *, person_url: str, agent_url: str, agent_key: str, mails) -> str:
    """The steps, ``person`` and ``agent`` being pages in browser contexts of their own;
    ``mails()`` lists the e-mails sent so far as ``(to, subject, body)``. The protocol."""
    from django.conf import settings

    def mail_to(address: str, subject_part: str, count: int = 1) -> list:
        found: list = []
        for _ in range(150):
            found = [m for m in mails() if address in m[0] and subject_part in m[1]]
            if len(found) >= count:
                return found
            person.wait_for_timeout(200)
        raise AssertionError(f"no e-mail to {address} about {subject_part!r}: {mails()}")

    # 1. The person asks for the chat: first they prove their e-mail (a link, in this browser)
    person.goto(person_url + "/atendimento/chat/")
    person.fill("#id_email", EMAIL)
    person.click("form.case-form button[type=submit]")
    person.get_by_text("Enviamos um link de acesso para este e-mail").wait_for()
    [(_to, _subject, body)] = mail_to(EMAIL, "link de acesso")
    path = re.search(r"https?://[^/\s]+(/acompanhar/meus/\S+/)", body).group(1)
    person.goto(person_url + path)

    # 2. No phone on file: told what to add, "Meus Dados", then back to the new chat (fig. 02)
    person.get_by_text("Completar Meus Dados").click()
    assert person.input_value("#id_email") == EMAIL
    person.fill("#id_phone", "(47) 3531-1500")
    person.locator("form", has=person.locator("#id_phone")).locator("button[type=submit]").click()
    person.wait_for_url("**/atendimento/chat/")

    # 3. "Novo Atendimento": module, reason, a file at the opening (fig. 03) → the queue
    person.select_option("#id_service", label="Tributos")
    person.fill("#id_reason", REASON)
    person.set_input_files(
        "#id_files", files=[{"name": "carne.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    person.click("form.case-form button[type=submit]")
    person.locator("[data-chat-queue]").filter(has_text="1.º da fila").wait_for()
    protocol = person.locator("h1").inner_text().replace("Atendimento", "").strip()
    assert re.search(r"\d", protocol), protocol

    # 4. The agent, on their desk (the other server when there are two), takes it
    agent.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": agent_key, "url": agent_url}]
    )
    agent.goto(agent_url + "/console/chat/")
    row = agent.locator("#chat-queue li", has_text=protocol)
    row.wait_for()
    row.get_by_role("button", name=f"Atender {protocol}").click()
    agent.locator("#chat-thread li", has_text=REASON).wait_for()
    agent.locator("#chat-thread a", has_text="carne.pdf").wait_for()
    agent.locator("#chat-socket-status").filter(has_text="Ao vivo: conectado.").wait_for()
    person.locator("[data-chat-agent]").filter(has_text="Ana").wait_for()  # live, no reload

    # 5. The person closes the window; the agent answers with a file
    person.goto(person_url + "/")
    person.locator(".balcao-chat-widget").wait_for()
    assert person.locator(".balcao-chat-badge").is_hidden()
    agent.fill("#chat-text", "Bom dia! Segue a guia do IPTU.")
    agent.set_input_files(
        "#chat-files", files=[{"name": "guia.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    agent.click("#chat-message-form button[type=submit]")
    agent.locator("#chat-thread li", has_text="Segue a guia do IPTU").wait_for()

    # 6. Back on the portal: the badge, the conversation in red in "Meus Atendimentos" (fig. 07)
    person.reload()
    person.locator(".balcao-chat-badge").filter(has_text="1").wait_for()
    person.goto(person_url + "/acompanhar/meus/lista/")
    unread = person.locator("tr.chat-unread-row", has_text=protocol)
    unread.wait_for()
    unread.get_by_role("link", name="Conversa").click()
    answer = person.locator(".chat-messages li", has_text="Segue a guia do IPTU")
    answer.wait_for()
    download = answer.locator("a", has_text="guia.pdf")
    fetched = person.request.get(person_url + download.get_attribute("href"))
    assert fetched.ok and fetched.body().startswith(b"%PDF")

    # 7. A file back, live on the agent's desk; an executable named .pdf is refused (fig. 09)
    person.fill("#chat-text", "Obrigada! Segue o comprovante.")
    person.set_input_files(
        "#chat-files",
        files=[{"name": "comprovante.png", "mimeType": "image/png", "buffer": PNG}],
    )
    person.click("[data-chat-form] button[type=submit]")
    person.locator(".chat-messages li", has_text="Segue o comprovante").wait_for()
    agent.locator("#chat-thread li", has_text="Segue o comprovante").locator(
        "a", has_text="comprovante.png"
    ).wait_for()
    person.fill("#chat-text", "E este também")
    person.set_input_files(
        "#chat-files",
        files=[{"name": "boleto.pdf", "mimeType": "application/pdf", "buffer": EXE}],
    )
    person.click("[data-chat-form] button[type=submit]")
    person.locator("#chat-files-error").filter(has_text="boleto.pdf").wait_for()

    # 8. "Concluir Atendimento": the state, the agent told, the record e-mailed (figs. 11–12)
    person.click(".chat-conclude button")
    person.locator("[data-chat-state]").filter(has_text="Chat Concluído pelo Usuário").wait_for()
    agent.locator("#chat-thread li", has_text="O usuário concluiu o atendimento.").wait_for()
    [(_to, subject, record)] = mail_to(EMAIL, protocol)
    for expected in (REASON, "Segue a guia do IPTU", "Segue o comprovante", "guia.pdf"):
        assert expected in record, (expected, record)
    assert "comprovante.png" in record and "E este também" not in record

    # 9. "Meus Atendimentos" shows the concluded chat, no longer unread (fig. 13)
    person.goto(person_url + "/acompanhar/meus/lista/")
    row = person.locator("tbody tr", has_text=protocol)
    row.filter(has_text="Chat Concluído pelo Usuário").wait_for()
    assert person.locator("tr.chat-unread-row").count() == 0
    return protocol


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_journey_on_one_server(asgi_server):
    from django.core import mail

    from balcao.cases.models import Case
    from balcao.portal import context_processors

    context_processors._live_chat[:] = [None, 0.0]  # the channel is new: ask again
    agent_key = setup_world()
    origin = f"http://{asgi_server}"

    def mails():
        return [(m.to, m.subject, m.body) for m in mail.outbox]

    protocols = []

    def steps(person, agent):
        protocols.append(
            journey(
                person,
                agent,
                person_url=origin,
                agent_url=origin,
                agent_key=agent_key,
                mails=mails,
            )
        )

    in_browser(steps, contexts=2)
    case = Case.objects.get(protocol=protocols[0])
    assert case.state.name == "Chat Concluído pelo Usuário"
    assert case.requester.phone  # "Meus Dados" saved it
    assert case.service.slug == "tributos"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def _served_world(tmp_path, smtp_port: int, redis_url: str, migrated_sqlite) -> tuple[dict, str]:
    """A database of its own set up by ``setup_world`` in a ``balcao serve`` environment: the
    environment and the agent's session key."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.sqlite3'}",
        "BALCAO_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "balcao.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "DEFAULT_FROM_EMAIL": "atendimento@prefeitura.example",
    }
    env.pop("BALCAO_TASKS_IMMEDIATE", None)
    migrated_sqlite(tmp_path / "chat.sqlite3")
    out = subprocess.run(  # noqa: S603
        [
            *BALCAO,
            "shell",
            "-c",
            "from tests.livechat.test_journey import setup_world; print(setup_world())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return env, out.stdout.strip().splitlines()[-1]


def _sink_mails(sink):
    def mails():
        return [
            (str(m["To"]), str(m["Subject"]), (m.get_body(("plain",)) or m).get_content())
            for m in list(sink.messages)
        ]

    return mails


@pytest.mark.e2e
def test_the_journey_on_balcao_serve_as_make_run_starts_it(
    tmp_path, balcao_serve, smtp_sink, migrated_sqlite
):
    """One ``balcao serve`` with nothing configured (no Redis), as ``make run`` starts it: the
    web workers, the websocket process and the task worker are separate processes, and what
    an agent does over HTTP still reaches the person's socket."""
    sink, smtp_port = smtp_sink
    env, agent_key = _served_world(tmp_path, smtp_port, "", migrated_sqlite)
    server = balcao_serve("--workers", "2", env=env)
    server.get_json("/api/v1/health")

    def steps(person, agent):
        journey(
            person,
            agent,
            person_url=server.url,
            agent_url=server.url,
            agent_key=agent_key,
            mails=_sink_mails(sink),
        )

    in_browser(steps, contexts=2)


@pytest.mark.e2e
def test_the_journey_across_two_server_processes_with_redis(
    tmp_path, balcao_serve, smtp_sink, migrated_sqlite
):
    """The person on one ``balcao serve``, the agent on another: their websockets meet only
    through Redis; e-mails leave the first server's task worker for a real SMTP server."""
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    sink, smtp_port = smtp_sink
    redis_url = "redis://127.0.0.1:6379/14"
    redis.Redis.from_url(redis_url).flushdb()
    env, agent_key = _served_world(tmp_path, smtp_port, redis_url, migrated_sqlite)
    first = balcao_serve("--workers", "1", env=env)  # with the task worker
    second = balcao_serve("--no-worker", "--workers", "1", env=env)
    first.get_json("/api/v1/health")
    second.get_json("/api/v1/health")

    def steps(person, agent):
        journey(
            person,
            agent,
            person_url=first.url,
            agent_url=second.url,
            agent_key=agent_key,
            mails=_sink_mails(sink),
        )

    try:
        in_browser(steps, contexts=2)
    finally:
        redis.Redis.from_url(redis_url).flushdb()
