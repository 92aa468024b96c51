"""The checks `make lint` runs really catch what they are for: a pure core importing Django
breaks an import contract, a type error in a pure core fails mypy, unformatted code fails
`ruff format --check`. Each is shown on a scratch copy of the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def scratch(tmp_path):
    """A copy of balcao/ and pyproject.toml to break on purpose."""
    shutil.copytree(
        ROOT / "balcao",
        tmp_path / "balcao",
        ignore=shutil.ignore_patterns("__pycache__", "static", "locale"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,  # noqa: S603
        env={"PATH": str(BIN), "PYTHONPATH": str(cwd), "HOME": str(cwd)},
    )


def test_a_pure_core_importing_django_breaks_the_contract(scratch):
    assert _run([str(BIN / "lint-imports")], scratch).returncode == 0
    core = scratch / "balcao" / "deadlines" / "policies.py"
    core.write_text("from django.utils import timezone  # noqa\n" + core.read_text())
    broken = _run([str(BIN / "lint-imports")], scratch)
    assert broken.returncode != 0 and "balcao.deadlines.policies" in broken.stdout


def test_an_app_importing_upward_breaks_the_contract(scratch):
    module = scratch / "balcao" / "deadlines" / "services.py"
    module.write_text("from balcao.cases import services as _up  # noqa\n" + module.read_text())
    broken = _run([str(BIN / "lint-imports")], scratch)
    assert broken.returncode != 0 and "balcao.deadlines is not allowed to import" in broken.stdout


def test_a_type_error_in_a_pure_core_fails_mypy(scratch):
    core = scratch / "balcao" / "cases" / "text.py"
    core.write_text(core.read_text() + "\n\nWRONG: int = clean_line('x', 3)\n")
    broken = _run([str(BIN / "mypy")], scratch)
    assert broken.returncode != 0 and "balcao/cases/text.py" in broken.stdout


def test_unformatted_code_fails_the_format_check(scratch):
    core = scratch / "balcao" / "errors.py"
    core.write_text(core.read_text() + "\nx  =  [1,2 ,3]\n")
    broken = _run([str(BIN / "ruff"), "format", "--check", "balcao/errors.py"], scratch)
    assert broken.returncode != 0
