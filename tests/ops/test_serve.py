"""``balcao serve`` starts a real web server (gunicorn by default, uvicorn with --asgi)."""

import os

import pytest


@pytest.mark.parametrize(("flags", "server_name"), [([], "gunicorn"), (["--asgi"], "uvicorn")])
def test_serve_answers_http(tmp_path, flags, server_name, balcao_serve):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}", "REDIS_URL": ""}
    server = balcao_serve("--no-worker", "--workers", "1", *flags, env=env)
    answer = server.get_json("/api/v1/health")
    server.stop()
    assert answer["status"] == 200
    assert answer["body"] == {"status": "ok"}
    assert server_name in answer["server"].lower()
