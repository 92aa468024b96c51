"""Debug is off unless asked for. A live ``balcao serve`` started as on a fresh clone (no
SECRET_KEY, no ALLOWED_HOSTS, no BALCAO_DEBUG: a local run) answers an unknown address with
the portal's 404, never Django's technical page listing the URL patterns; it serves plain
http (no redirect to https, no secure-only cookie) and its static files without
collectstatic. A deployment's environment gets the HTTPS-only settings, and refuses to start
without its secret."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

from balcao.ops.management.commands.serve import child_environment

FRESH_CLONE_UNSET = ("SECRET_KEY", "ALLOWED_HOSTS", "BALCAO_DEBUG", "CSRF_TRUSTED_ORIGINS")


def _fetch(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — localhost
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_serve_runs_with_debug_off_on_a_fresh_clone(tmp_path, balcao_serve):
    env = {key: value for key, value in os.environ.items() if key not in FRESH_CLONE_UNSET}
    env.update(
        BALCAO_LOCAL="",  # unset: the local run is inferred, as on a fresh clone
        BALCAO_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        REDIS_URL="",
    )
    server = balcao_serve("--no-worker", "--workers", "1", env=env)
    assert server.get_json("/api/v1/health")["status"] == 200

    status, headers, body = _fetch(f"{server.url}/nada-aqui/")
    assert status == 404
    assert "URLconf" not in body and "Using the URLconf" not in body
    assert 'class="br-header site-header"' in body and "Página não encontrada" in body
    assert "Secure" not in headers.get("Set-Cookie", "")  # plain http on this machine

    status, _headers, css = _fetch(f"{server.url}/static/balcao/balcao.css")
    assert status == 200 and css  # no collectstatic was run
    key = tmp_path / "var" / "secret_key"
    assert oct(key.stat().st_mode)[-3:] == "600"


def test_debug_flag_is_passed_to_the_children(monkeypatch):
    monkeypatch.delenv("BALCAO_DEBUG", raising=False)
    assert "BALCAO_DEBUG" not in child_environment(debug=False)
    assert child_environment(debug=True)["BALCAO_DEBUG"] == "1"


def _settings_in(env_changes: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in FRESH_CLONE_UNSET}
    env.pop("BALCAO_LOCAL", None)
    env.update(BALCAO_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="balcao.settings")
    env.update(env_changes)
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.BALCAO_LOCAL_RUN, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_deployment_gets_debug_off_and_https_only_settings(tmp_path):
    result = _settings_in(
        {"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "atendimento.example.gov.br"}, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "True", "True", "True", "True"]


def test_a_local_run_has_debug_off_and_plain_http(tmp_path):
    (tmp_path / "secret_key").write_text("x" * 50)  # as the balcao command leaves it
    result = _settings_in({}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "False", "False", "False", "False"]


def test_a_deployment_without_its_secret_refuses_to_start(tmp_path):
    result = _settings_in({"ALLOWED_HOSTS": "atendimento.example.gov.br"}, tmp_path)
    assert result.returncode != 0
    assert "refusing to start without a secret" in result.stderr
