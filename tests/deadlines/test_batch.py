"""Batch and single-request runner behind ``balcao deadline``.

The contract is docs/deadlines.md, "Input and output".
"""

from __future__ import annotations

import json

import pytest

from balcao.deadlines.batch import (
    compute_one,
    format_batch,
    format_human,
    format_json_line,
    run_batch,
)
from balcao.deadlines.policies import PolicyError

KEYS = ["policy", "received", "counting_starts", "due", "extended_due"]

GOOD_LAI = '{"policy": "lai", "received": "2025-12-19T10:00:00-03:00", "extended": true}'
GOOD_EMAIL = '{"policy": "pt-email-48h", "received": "2025-03-28T10:00:00Z"}'


def test_one_output_per_line_in_order_with_errors_in_place() -> None:
    lines = [
        GOOD_LAI,
        "this is not json",
        '{"policy": "sic", "received": "2025-03-28T10:00:00-03:00"}',
        '{"policy": "pt-email-48h", "received": "2025-03-28T10:00:00"}',
        "",
        "[1, 2]",
        '{"policy": "lai"}',
        '{"policy": "lai", "received": "2025-02-30"}',
        '{"policy": "lai", "received": "2025-12-19", "extended": "yes"}',
        '{"policy": "lai", "received": 20251219}',
        GOOD_EMAIL,
    ]
    out = list(run_batch(lines))
    assert len(out) == len(lines)
    assert list(out[0]) == KEYS
    assert out[0]["due"] == "2026-01-12" and out[0]["extended_due"] == "2026-01-22"
    errors = out[1:-1]
    for number, obj in enumerate(errors, start=2):
        assert obj["line"] == number
        assert isinstance(obj["error"], str) and obj["error"]
    assert "JSON" in out[1]["error"]
    assert "unknown policy 'sic'" in out[2]["error"]
    assert "no UTC offset" in out[3]["error"]
    assert "empty line" in out[4]["error"]
    assert "object" in out[5]["error"]
    assert "received" in out[6]["error"]
    assert "ISO-8601" in out[7]["error"]
    assert "extended" in out[8]["error"]
    assert "received" in out[9]["error"]
    assert out[-1] == {
        "policy": "pt-email-48h",
        "received": "2025-03-28T10:00:00Z",
        "counting_starts": "2025-03-28",
        "due": "2025-04-01T10:00:00+01:00",
        "extended_due": None,
    }


def test_text_lines_with_newlines_like_a_file() -> None:
    text = GOOD_LAI + "\n" + "{oops\n" + GOOD_EMAIL + "\n"
    out = [json.loads(line) for line in format_batch(text.splitlines(keepends=True))]
    assert len(out) == 3
    assert out[0]["policy"] == "lai" and out[2]["policy"] == "pt-email-48h"
    assert out[1]["line"] == 2 and "error" in out[1]


def test_extended_defaults_and_null() -> None:
    out = list(
        run_batch(
            [
                '{"policy": "lai", "received": "2025-12-19T10:00:00-03:00"}',
                '{"policy": "lai", "received": "2025-12-19T10:00:00-03:00", "extended": null}',
                '{"policy": "fale-conosco", "received": "2025-12-19", "extended": true}',
            ]
        )
    )
    assert out[0]["extended_due"] is None
    assert out[1]["extended_due"] is None
    assert out[2]["extended_due"] is None


def test_single_form_matches_the_batch() -> None:
    single = compute_one("lai", "2025-12-19T10:00:00-03:00", True).to_json()
    assert single == next(run_batch([GOOD_LAI]))
    assert json.loads(format_json_line(single)) == single


def test_single_form_errors() -> None:
    with pytest.raises(PolicyError, match="unknown policy"):
        compute_one("nope", "2025-12-19")
    with pytest.raises(PolicyError, match="no UTC offset"):
        compute_one("chat-idle-20min", "2025-12-19T10:00:00")


def test_human_text() -> None:
    result = compute_one("lai", "2025-12-19T10:00:00-03:00", True)
    text = format_human(result)
    assert "Prazo" in text and "2026-01-12" in text and "2026-01-22" in text
    english = format_human(result, "en")
    assert "Due" in english and "Extended due" in english


def test_cli_single_batch_and_stdin(tmp_path) -> None:
    import io

    from balcao.deadlines.batch import run_cli

    def call(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run_cli(argv, io.StringIO(stdin), out, err)
        return code, out.getvalue(), err.getvalue()

    code, out, _ = call(
        ["--policy", "lai", "--received", "2025-12-19T10:00:00-03:00", "--extended", "--json"]
    )
    assert code == 0
    assert json.loads(out) == next(run_batch([GOOD_LAI]))
    code, out, _ = call(["--policy", "lai", "--received", "2025-12-19T10:00:00-03:00"])
    assert code == 0 and "2026-01-12" in out
    code, _, err = call(["--policy", "nope", "--received", "2025-12-19"])
    assert code == 2 and "unknown policy" in err
    text = GOOD_LAI + "\nbroken\n" + GOOD_EMAIL + "\n"
    path = tmp_path / "in.jsonl"
    path.write_text(text, encoding="utf-8")
    code, from_file, _ = call(["--batch", str(path)])
    assert code == 0 and len(from_file.splitlines()) == 3
    code, from_stdin, _ = call(["--batch", "-"], text)
    assert code == 0 and from_stdin == from_file
    code, _, err = call(["--batch", str(tmp_path / "missing.jsonl")])
    assert code == 2 and "cannot read" in err


def test_years_outside_the_calendar_are_line_errors() -> None:
    out = list(
        run_batch(
            [
                '{"policy": "lai", "received": "0001-01-01T00:00:00Z"}',
                '{"policy": "pt-email-48h", "received": "9999-12-31T23:59:59Z"}',
                GOOD_LAI,
            ]
        )
    )
    assert "outside the years" in out[0]["error"]
    assert "outside the years" in out[1]["error"]
    assert out[2]["policy"] == "lai"
