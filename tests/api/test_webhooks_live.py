"""Webhooks leave a running ``balcao serve`` (web process + task worker) for a real HTTP
listener, and a bare ``django.setup()`` connects the receiver (issue "A codebase the next
maintainer can trust": the receiver was connected only when a test imported its module,
so no web process ever created a delivery)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

BALCAO = [sys.executable, "-m", "balcao.cli"]


def _env(tmp_path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "BALCAO_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "balcao.settings",
    }


def test_a_fresh_process_connects_the_webhook_receiver(tmp_path):
    (tmp_path / "var").mkdir()  # what `balcao` (or the WSGI entry point) prepares
    code = textwrap.dedent("""
        import django
        django.setup()
        from django.urls import get_resolver
        get_resolver().url_patterns
        from balcao.cases.events import case_event
        names = [getattr(entry[1](), "__qualname__", "") for entry in case_event.receivers]
        print(",".join(names))
    """)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp_path),  # noqa: S603
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "queue_deliveries" in result.stdout


class _Listener(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 — http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_opening_a_case_on_a_running_server_delivers_a_signed_webhook(
    tmp_path, balcao_serve, migrated_sqlite
):
    listener = HTTPServer(("127.0.0.1", 0), _Listener)
    _Listener.received = []
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{listener.server_port}/hook"
    env = _env(tmp_path)
    migrated_sqlite(tmp_path / "live.sqlite3")
    setup = textwrap.dedent(f"""
        from django.contrib.auth.models import Group
        from balcao.accounts.models import User
        from balcao.api.models import ApiToken, Webhook
        from balcao.catalog.services import load_demo_catalog
        load_demo_catalog()
        user = User.objects.create_user("integracao", password="x-123-senha-longa")
        user.groups.add(Group.objects.get(name="supervisor"))
        token, raw = ApiToken.issue(user=user, name="live", scopes=["cases:read", "cases:write"])
        Webhook.objects.create(url="{hook_url}", secret="s3cret", events=[])
        print(raw)
    """)
    raw = (
        subprocess.run(
            [*BALCAO, "shell", "-c", setup],
            env=env,
            check=True,  # noqa: S603
            capture_output=True,
            text=True,
            timeout=60,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    server = balcao_serve("--workers", "1", env=env)
    try:
        server.get_json("/api/v1/health")
        request = urllib.request.Request(  # noqa: S310 — localhost
            f"{server.url}/api/v1/cases",
            method="POST",
            data=json.dumps({"channel": "fale-conosco", "subject": "Teste de webhook"}).encode(),
            headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            protocol = json.loads(response.read())["protocol"]
        deadline = time.monotonic() + 60
        while not _Listener.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.stop()
        listener.shutdown()
    assert _Listener.received, "no webhook reached the listener"
    headers, body = _Listener.received[0]
    payload = json.loads(body)
    assert payload["event"] == "case.opened" and payload["case"]["protocol"] == protocol
    expected = hmac.new(
        b"s3cret", headers["X-Balcao-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Balcao-Signature"] == f"sha256={expected}"
