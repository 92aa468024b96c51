"""Single and batch deadline requests, as the command line and the API use them.

Pure module (no Django import). ``balcao deadline`` is a thin wrapper:

- ``balcao deadline --policy NAME --received ISO [--extended] [--json]`` →
  :func:`compute_one` then :func:`format_json_line` (``--json``) or :func:`format_human`;
- ``balcao deadline --batch PATH|-`` → ``for line in format_batch(lines): print(line)``;
- or the whole command at once: ``sys.exit(run_cli(argv, sys.stdin, sys.stdout, sys.stderr))``.

Contract (docs/deadlines.md, "Input and output"): one JSON line per input line, in order, each
``{"policy", "received", "counting_starts", "due", "extended_due"}``; a malformed line (not
JSON, not an object, unknown policy, bad timestamp, a timestamp without offset for an hour or
minute policy) gives ``{"line": n, "error": "..."}`` on that line and the batch goes on.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO

from balcao.deadlines.calendar import BusinessCalendar
from balcao.deadlines.policies import (
    BUILTIN_POLICIES,
    DeadlineResult,
    Policy,
    PolicyError,
    UnknownPolicyError,
    compute,
)


def compute_one(
    policy: str,
    received: Any,
    extended: Any = False,
    *,
    registry: Mapping[str, Policy] | None = None,
    calendars: Mapping[str, BusinessCalendar] | None = None,
) -> DeadlineResult:
    """Validate one request and compute it. Raises :class:`PolicyError` with a message for a
    person when something is wrong. ``calendars`` maps a country to the calendar to use."""
    table = BUILTIN_POLICIES if registry is None else registry
    if not isinstance(policy, str) or not policy:
        raise UnknownPolicyError('"policy" must be the name of a policy, e.g. "lai"')
    found = table.get(policy)
    if found is None:
        known = ", ".join(sorted(table))
        raise UnknownPolicyError(f"unknown policy {policy!r}; known policies: {known}")
    if not isinstance(received, str) or not received.strip():
        raise PolicyError('"received" must be an ISO-8601 text, e.g. "2025-03-28T10:15:00-03:00"')
    if extended is None:
        extended = False
    if not isinstance(extended, bool):
        raise PolicyError('"extended" must be true or false')
    calendar = calendars.get(found.country) if calendars else None
    return compute(found, received, extended, calendar=calendar)


def run_line(
    text: str,
    number: int,
    *,
    registry: Mapping[str, Policy] | None = None,
    calendars: Mapping[str, BusinessCalendar] | None = None,
) -> dict[str, Any]:
    """The output object for one JSON Lines input line (1-based ``number``)."""
    if not text.strip():
        return {"line": number, "error": "empty line: expected a JSON object"}
    try:
        request = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return {"line": number, "error": f"not valid JSON ({exc})"}
    if not isinstance(request, dict):
        return {"line": number, "error": "expected a JSON object with policy and received"}
    missing = [key for key in ("policy", "received") if key not in request]
    if missing:
        return {"line": number, "error": f"missing field(s): {', '.join(missing)}"}
    try:
        result = compute_one(
            request["policy"],
            request["received"],
            request.get("extended", False),
            registry=registry,
            calendars=calendars,
        )
    except (PolicyError, ValueError, OverflowError) as exc:
        return {"line": number, "error": str(exc)}
    return result.to_json()


def run_batch(
    lines: Iterable[str],
    *,
    registry: Mapping[str, Policy] | None = None,
    calendars: Mapping[str, BusinessCalendar] | None = None,
) -> Iterator[dict[str, Any]]:
    """One output object per input line, in order (blank lines included, as errors)."""
    for number, text in enumerate(lines, start=1):
        yield run_line(text.rstrip("\r\n"), number, registry=registry, calendars=calendars)


def format_json_line(obj: Mapping[str, Any]) -> str:
    """One compact JSON line, non-ASCII kept readable."""
    return json.dumps(obj, ensure_ascii=False)


def format_batch(lines: Iterable[str], **kwargs: Any) -> Iterator[str]:
    """:func:`run_batch` as JSON text lines, ready to print."""
    for obj in run_batch(lines, **kwargs):
        yield format_json_line(obj)


_LABELS = {
    "pt": {
        "policy": "Política de prazo",
        "received": "Recebido em",
        "counting_starts": "Início da contagem",
        "due": "Prazo",
        "extended_due": "Prazo prorrogado",
        "none": "—",
    },
    "en": {
        "policy": "Deadline policy",
        "received": "Received",
        "counting_starts": "Counting starts",
        "due": "Due",
        "extended_due": "Extended due",
        "none": "—",
    },
}


def format_human(result: DeadlineResult, language: str = "pt") -> str:
    """A few readable lines for the terminal (Portuguese by default, ``en`` for English)."""
    labels = _LABELS["en" if language.startswith("en") else "pt"]
    data = result.to_json()
    title = BUILTIN_POLICIES[result.policy].title if result.policy in BUILTIN_POLICIES else ""
    width = max(len(labels[k]) for k in data)
    rows = []
    for key, value in data.items():
        shown = labels["none"] if value is None else str(value)
        if key == "policy" and title:
            shown = f"{shown} ({title})"
        rows.append(f"{labels[key]:<{width}}  {shown}")
    return "\n".join(rows)


def run_cli(argv: Sequence[str], stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """The whole ``balcao deadline`` command; returns the exit status.

    ``--policy NAME --received ISO [--extended] [--json] [--language pt|en]`` prints one
    result (exit 2 with a message on an unknown policy or a bad timestamp);
    ``--batch PATH`` (``-`` for stdin) prints one JSON line per input line and exits 0 even
    when some lines are errors (exit 2 only if the file cannot be read).
    """
    parser = argparse.ArgumentParser(
        prog="balcao deadline", description="Compute a deadline (prazo) with a policy."
    )
    parser.add_argument("--policy", help="policy name, e.g. lai, fale-conosco, pt-email-48h")
    parser.add_argument("--received", help="ISO-8601 instant, e.g. 2025-03-28T10:15:00-03:00")
    parser.add_argument("--extended", action="store_true", help="apply the extension")
    parser.add_argument("--json", action="store_true", help="print the JSON object")
    parser.add_argument("--language", default="pt", help="pt (default) or en")
    parser.add_argument("--batch", metavar="PATH", help="JSON Lines file, or - for stdin")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.batch:
        if args.batch == "-":
            for line in format_batch(stdin):
                stdout.write(line + "\n")
            return 0
        try:
            with open(args.batch, encoding="utf-8") as handle:
                for line in format_batch(handle):
                    stdout.write(line + "\n")
        except OSError as exc:
            stderr.write(f"cannot read {args.batch}: {exc.strerror or exc}\n")
            return 2
        return 0
    if not args.policy or not args.received:
        stderr.write("give --policy and --received, or --batch PATH\n")
        return 2
    try:
        result = compute_one(args.policy, args.received, args.extended)
    except (PolicyError, ValueError, OverflowError) as exc:
        stderr.write(f"{exc}\n")
        return 2
    if args.json:
        stdout.write(format_json_line(result.to_json()) + "\n")
    else:
        stdout.write(format_human(result, args.language) + "\n")
    return 0
