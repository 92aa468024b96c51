"""Limits count per client, not per process: two `balcao serve` processes over one database
(two machines behind a load balancer) share the per-address limit on opening cases. With a
per-process (local-memory) cache each would let the client through its own limit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

BALCAO = [sys.executable, "-m", "balcao.cli"]


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 — localhost
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _open_case(server) -> int:
    status, conversation = _post(f"{server.url}/api/v1/bot/conversations", {})
    assert status == 201, conversation
    base = f"{server.url}/api/v1/bot/conversations/{conversation['token']}"
    _post(f"{base}/messages", {"text": "preciso de ajuda com a anuidade"})
    status, _body = _post(f"{base}/case", {"name": "Ana", "email": "ana@example.org"})
    return status


def test_two_server_processes_share_the_limit(tmp_path, balcao_serve, migrated_sqlite):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "BALCAO_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "balcao.settings",
        "BALCAO_PUBLIC_FORM_RATE": "2/10m",
    }
    migrated_sqlite(tmp_path / "shared.sqlite3")
    subprocess.run(
        [
            *BALCAO,
            "shell",
            "-c",
            "from balcao.catalog.services import "  # noqa: S603
            "load_demo_catalog; load_demo_catalog()",
        ],
        env=env,
        check=True,
        timeout=120,
    )
    first = balcao_serve("--no-worker", "--workers", "1", env=env)
    second = balcao_serve("--no-worker", "--workers", "1", env=env)
    first.get_json("/api/v1/health")
    second.get_json("/api/v1/health")
    statuses = [_open_case(server) for server in (first, second, first, second)]
    assert statuses == [200, 200, 429, 429]
