"""balcao check --deploy names a missing static files manifest and a wildcard ALLOWED_HOSTS
(DEBUG off)."""

import os
import subprocess
import sys

import pytest

BALCAO = [sys.executable, "-m", "balcao.cli"]


def _deploy_check(tmp_path, *, collect: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "BALCAO_DEBUG": "0", "BALCAO_VAR_DIR": str(tmp_path),
           "SECRET_KEY": "check-" + "k" * 50, "ALLOWED_HOSTS": "balcao.example.gov.br",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": ""}
    if collect:
        subprocess.run([*BALCAO, "collectstatic", "--noinput", "-v", "0"], env=env, check=True,
                       timeout=300)
    return subprocess.run([*BALCAO, "check", "--deploy", "--tag", "staticfiles"], env=env,
                          capture_output=True, text=True, timeout=120)


def test_missing_manifest_is_an_error_with_the_fix(tmp_path):
    result = _deploy_check(tmp_path, collect=False)
    assert result.returncode != 0
    assert "balcao.E001" in result.stderr and "collectstatic" in result.stderr


def test_collected_manifest_passes(tmp_path):
    result = _deploy_check(tmp_path, collect=True)
    assert result.returncode == 0, result.stderr


def test_wildcard_allowed_hosts_is_refused_with_debug_off(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from balcao.ops.checks import allowed_hosts_named

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["balcao.example.gov.br", "*"]
    errors = allowed_hosts_named()
    assert [e.id for e in errors] == ["balcao.E002"]
    assert "'*'" in errors[0].msg and "ALLOWED_HOSTS=" in errors[0].hint
    with pytest.raises(SystemCheckError, match="balcao.E002"):
        call_command("check", deploy=True, tags=["security"])


def test_named_hosts_or_debug_pass(settings):
    from balcao.ops.checks import allowed_hosts_named

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["balcao.example.gov.br", ".example.gov.br"]
    assert allowed_hosts_named() == []
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]
    assert allowed_hosts_named() == []
