"""balcao check --deploy names a missing static files manifest and a wildcard ALLOWED_HOSTS
(DEBUG off), and warns when the shared (default) cache is one process's memory."""

import os
import subprocess
import sys
import types

import pytest

BALCAO = [sys.executable, "-m", "balcao.cli"]


def _deploy_check(tmp_path, *, collect: bool) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "BALCAO_DEBUG": "0",
        "BALCAO_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "check-" + "k" * 50,
        "ALLOWED_HOSTS": "balcao.example.gov.br",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
    }
    if collect:
        subprocess.run(
            [*BALCAO, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, timeout=300
        )
    return subprocess.run(
        [*BALCAO, "check", "--deploy", "--tag", "staticfiles"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


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


LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "balcao-local"}


@pytest.fixture
def locmem_subclass(monkeypatch) -> str:
    """The dotted path of a LocMemCache subclass (it counts per process all the same)."""
    from django.core.cache.backends.locmem import LocMemCache

    module = types.ModuleType("balcao_test_caches")
    module.MyLocMem = type("MyLocMem", (LocMemCache,), {})
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return "balcao_test_caches.MyLocMem"


@pytest.mark.parametrize("subclass", [False, True])
def test_a_local_memory_default_cache_is_a_deploy_warning(settings, subclass, request):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from balcao.ops.checks import default_cache_shared

    backend = (
        request.getfixturevalue("locmem_subclass")
        if subclass
        else "django.core.cache.backends.locmem.LocMemCache"
    )
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "x"}, "local": LOCAL}
    warnings = default_cache_shared()
    assert [w.id for w in warnings] == ["balcao.W001"]
    assert "CACHES['default']" in warnings[0].msg and "REDIS_URL" in warnings[0].hint
    with pytest.raises(SystemCheckError, match="balcao.W001"):
        call_command("check", deploy=True, tags=["caches"], fail_level="WARNING")
    call_command("check", tags=["caches"], fail_level="WARNING")  # deploy only


@pytest.mark.parametrize(
    "default",
    [
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "balcao_cache"},
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        },
    ],
)
def test_a_shared_default_cache_passes_and_local_may_stay_in_memory(settings, default):
    from balcao.ops.checks import default_cache_shared

    settings.CACHES = {"default": default, "local": LOCAL}
    assert default_cache_shared() == []


def test_the_projects_own_settings_pass():
    from balcao.ops.checks import default_cache_shared

    assert default_cache_shared() == []
