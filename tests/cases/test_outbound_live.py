"""E-mail leaves a running ``balcao serve`` (web process + task worker) for a real SMTP
server (aiosmtpd): the acknowledgement with the access code, then an agent's reply threaded
under it — issue 19, "Replies and requests reach the person", tested from the outside."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import urllib.parse
import urllib.request

BALCAO = [sys.executable, "-m", "balcao.cli"]


def _api(server, method, path, token, *, data=None, form=None):
    headers = {"Authorization": f"Bearer {token}"}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(  # noqa: S310 — localhost
        server.url + path, method=method, data=body, headers=headers
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        return json.loads(response.read())


def test_acknowledgement_and_reply_reach_a_real_smtp_server(
    tmp_path, balcao_serve, smtp_sink, migrated_sqlite
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
        "DEFAULT_FROM_EMAIL": "atendimento@inpi.example",
        "BALCAO_BASE_URL": "https://atendimento.inpi.example",
    }
    migrated_sqlite(tmp_path / "live.sqlite3")
    setup = textwrap.dedent("""
        from django.contrib.auth.models import Group
        from balcao.accounts.models import User
        from balcao.api.models import ApiToken
        from balcao.cases.models import Requester
        from balcao.catalog.services import load_demo_catalog
        load_demo_catalog()
        user = User.objects.create_user("integracao", password="x-123-senha-longa")
        user.groups.add(Group.objects.get(name="supervisor"))
        token, raw = ApiToken.issue(user=user, name="live", scopes=["cases:read", "cases:write"])
        person = Requester.objects.create(name="Maria", email="maria@example.com")
        print(person.pk, raw)
    """)
    out = subprocess.run(  # noqa: S603
        [*BALCAO, "shell", "-c", setup], env=env, check=True, capture_output=True, text=True
    )
    person_id, token = out.stdout.strip().splitlines()[-1].split()
    server = balcao_serve("--workers", "1", env=env)
    server.get_json("/api/v1/health")
    case = _api(
        server,
        "POST",
        "/api/v1/cases",
        token,
        data={
            "channel": "fale-conosco",
            "subject": "Dúvida sobre a GRU",
            "requester_id": int(person_id),
            "acknowledge": True,
        },
    )
    sink.wait_for(1)
    ack = sink.messages[0]
    assert ack["To"] == "maria@example.com"
    assert case["protocol"] in ack["Subject"]
    assert ack["X-Balcao-Protocol"] == case["protocol"]
    assert ack["Message-ID"].endswith("@inpi.example>")
    assert ack["Auto-Submitted"] == "auto-generated"
    body = ack.get_content()
    assert re.search(r"Código de acesso: [2-9A-Z]{4}-[2-9A-Z]{4}", body)
    assert f"https://atendimento.inpi.example/acompanhar/?protocolo={case['protocol']}" in body

    _api(
        server,
        "POST",
        f"/api/v1/cases/{case['id']}/messages",
        token,
        form={"body": "A GRU é compensada em até 2 dias úteis."},
    )
    sink.wait_for(2)
    reply = sink.messages[1]
    assert "A GRU é compensada em até 2 dias úteis." in reply.get_content()
    assert reply["In-Reply-To"] == ack["Message-ID"]
    assert reply["References"] == ack["Message-ID"]
    assert "Auto-Submitted" not in reply
