"""The task queue: embedded by default, Redis when REDIS_URL is set, with a real worker."""

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from balcao.accounts.models import LoginFailure
from balcao.ops import tasks

BALCAO = [sys.executable, "-m", "balcao.cli"]


def _settings_value(expr: str, **env) -> str:
    result = subprocess.run(
        [*BALCAO, "shell", "-c", f"from django.conf import settings; print({expr})"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_embedded_queue_without_redis():
    env = {"REDIS_URL": ""}
    assert _settings_value("settings.HUEY['huey_class']", **env) == "huey.SqliteHuey"
    assert "InMemory" in _settings_value("settings.CHANNEL_LAYERS['default']['BACKEND']", **env)


def test_redis_queue_and_channel_layer_with_redis_url():
    env = {"REDIS_URL": "redis://127.0.0.1:6379/15"}
    assert _settings_value("settings.HUEY['huey_class']", **env) == "huey.RedisHuey"
    assert "channels_redis" in _settings_value(
        "settings.CHANNEL_LAYERS['default']['BACKEND']", **env
    )


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_a_real_worker_runs_a_task_through_redis(tmp_path, migrated_sqlite):
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    env = {
        **os.environ,
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "BALCAO_VAR_DIR": str(tmp_path),
        "BALCAO_TASKS_IMMEDIATE": "0",
    }
    migrated_sqlite(tmp_path / "db.sqlite3")
    worker = subprocess.Popen([*BALCAO, "run_huey", "--quiet", "--workers", "1"], env=env)
    try:
        marker = tmp_path / "heartbeat.txt"
        subprocess.run(
            [
                *BALCAO,
                "shell",
                "-c",
                f"from balcao.ops.tasks import heartbeat; heartbeat({str(marker)!r})",
            ],
            env=env,
            check=True,
            timeout=60,
        )
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker.exists(), "the worker did not run the task"
        assert "RedisHuey" in marker.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=20)


@pytest.mark.django_db
def test_old_login_failures_are_purged():
    old = LoginFailure.objects.create(username="x")
    LoginFailure.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=31))
    LoginFailure.objects.create(username="y")
    assert tasks.purge_old_login_failures.call_local() == 1
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["y"]
