"""``balcao serve`` starts a real web server (gunicorn by default, uvicorn with --asgi)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

BALCAO = [sys.executable, "-m", "balcao.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url: str, deadline: float, server: subprocess.Popen) -> dict:
    last_error = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}: "
                        f"{server.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — localhost
                return {"status": response.status, "server": response.headers.get("Server", ""),
                        "body": json.loads(response.read())}
        except OSError as exc:
            last_error = exc
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within the deadline: {last_error}")


@pytest.mark.parametrize(("flags", "server_name"), [([], "gunicorn"), (["--asgi"], "uvicorn")])
def test_serve_answers_http(tmp_path, flags, server_name):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
           "REDIS_URL": ""}
    server = subprocess.Popen(  # noqa: S603
        [*BALCAO, "serve", "--no-worker", "--workers", "1", "--port", str(port), *flags],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        answer = _get_json(f"http://127.0.0.1:{port}/api/v1/health", time.monotonic() + 60,
                           server)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert answer["status"] == 200
    assert answer["body"] == {"status": "ok"}
    assert server_name in answer["server"].lower()
