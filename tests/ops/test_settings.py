"""Settings a Django developer expects: importing them writes nothing, the suite has its
own settings module, and nothing in the code asks whether pytest is loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import balcao

CODE = Path(balcao.__file__).resolve().parent


def _run(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,  # noqa: S603
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_importing_the_settings_writes_nothing(tmp_path):
    var = tmp_path / "var"
    env = {
        **os.environ,
        "BALCAO_VAR_DIR": str(var),
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "balcao.settings",
    }
    result = _run("import balcao.settings", env)
    assert result.returncode == 0, result.stderr
    assert not var.exists()


def test_without_a_key_a_laptop_is_told_what_to_do_and_the_command_makes_one(tmp_path):
    var = tmp_path / "var"
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env.update(BALCAO_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="balcao.settings", BALCAO_DEBUG="1")
    result = _run("import balcao.settings", env)
    assert result.returncode != 0 and "run any `balcao` command once" in result.stderr
    done = subprocess.run(
        [sys.executable, "-m", "balcao.cli", "check"],
        env=env,  # noqa: S603
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    key = var / "secret_key"
    assert len(key.read_text().strip()) >= 50 and oct(key.stat().st_mode)[-3:] == "600"


def test_the_suite_runs_on_its_own_settings_module():
    from django.conf import settings

    assert settings.SETTINGS_MODULE == "balcao.test_settings"
    offenders = [
        str(path.relative_to(CODE))
        for path in CODE.rglob("*.py")
        if "sys.modules" in path.read_text(encoding="utf-8")
        and "pytest" in path.read_text(encoding="utf-8")
    ]
    assert offenders == [], "code that behaves differently under pytest"
