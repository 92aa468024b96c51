"""``balcao mail parse`` as a user runs it: a real process, with no settings, no database
and an empty state folder that must stay empty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BALCAO = [sys.executable, "-m", "balcao.cli", "mail", "parse"]
PERSON = b"From: Ana <ana@example.org>\nSubject: Pedido\nMessage-ID: <p@x>\n\nBom dia\n"
BOUNCE = b"From: MAILER-DAEMON@mx.example\nSubject: failure notice\n\nx\n"


def run(args, tmp_path: Path, stdin: bytes = b""):
    state = tmp_path / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY")
    }
    env["BALCAO_VAR_DIR"] = str(state)
    result = subprocess.run(  # noqa: S603
        [*BALCAO, *args], input=stdin, capture_output=True, env=env, cwd=tmp_path, timeout=60
    )
    assert not state.exists(), "mail parse wrote local state"
    return result


@pytest.fixture
def folder(tmp_path):
    messages = tmp_path / "in"
    messages.mkdir()
    (messages / "b.eml").write_bytes(BOUNCE)
    (messages / "a.eml").write_bytes(PERSON)
    (messages / "notes.txt").write_text("not a message")
    return messages


def test_json_lines_for_a_folder_in_name_order_then_a_file(folder, tmp_path):
    result = run(["--json", str(folder), str(folder / "a.eml")], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [line["file"] for line in lines] == ["a.eml", "b.eml", "a.eml"]
    assert lines[0]["subject"] == "Pedido" and lines[0]["auto_reply"] is False
    assert lines[1]["bounce"] is True


def test_standard_input_and_the_summary_a_person_reads(tmp_path):
    result = run(["-"], tmp_path, stdin=PERSON)
    assert result.returncode == 0
    text = result.stdout.decode()
    assert "Pedido" in text and "ana@example.org" in text
    assert "pode receber confirmação automática" in text


def test_a_message_that_cannot_be_read_still_gets_its_line(tmp_path):
    (tmp_path / "empty.eml").write_bytes(b"")
    result = run(["--json", str(tmp_path / "empty.eml")], tmp_path)
    assert result.returncode == 0
    line = json.loads(result.stdout)
    assert line["file"] == "empty.eml" and line["error"]


def test_a_missing_path_is_a_usage_error_with_exit_2(tmp_path):
    result = run(["--json", str(tmp_path / "nope.eml")], tmp_path)
    assert result.returncode == 2
    assert "nope.eml" in result.stderr.decode()
    assert result.stdout == b""
