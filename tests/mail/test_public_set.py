"""The public set of 64 real messages (../shared/data/mail, read in place, never copied):
every field the contract checks equals index.jsonl's expected value. Skipped on a clone
without ../shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from balcao.mail.parsing import header_hints, parse_bytes

FOLDER = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mail"

FIELDS = ("message_id", "in_reply_to", "from_addr", "subject", "auto_reply", "bounce", "list")


def _cases():
    if not (FOLDER / "index.jsonl").exists():
        reason = f"{FOLDER} is not here (a clone without ../shared)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    lines = (FOLDER / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return [pytest.param(json.loads(line), id=json.loads(line)["file"]) for line in lines]


@pytest.mark.parametrize("expected", _cases())
def test_each_public_message(expected):
    raw = (FOLDER / expected["file"]).read_bytes()
    parsed = parse_bytes(raw, file=expected["file"]).as_dict()
    for name in (*FIELDS, "attachments"):
        assert parsed[name] == expected[name], name
    if expected.get("text_contains"):
        assert " ".join(expected["text_contains"].split()) in " ".join(parsed["text"].split())


@pytest.mark.parametrize("expected", _cases())
def test_the_header_guess_agrees_with_the_parser(expected):
    """A batch of mail looks its messages up by ids and senders guessed from the raw
    headers (balcao.mail.services.Batch); on real mail the guess is what the parser reads."""
    raw = (FOLDER / expected["file"]).read_bytes()
    parsed = parse_bytes(raw)
    assert header_hints(raw) == (parsed.message_id, (parsed.from_addr or "").lower() or None)
