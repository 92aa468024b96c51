"""Batch triage and evaluation over JSON Lines (pure: no Django import).

``balcao triage --batch PATH`` and ``balcao triage --eval PATH`` are thin wrappers over
:func:`run_batch` and :func:`evaluate` (contract: ``shared/contracts/triage.md``):

* batch: one output object per input line, in order; a bad line (not JSON, not an object, empty
  or blank ``text``, unknown ``language``, ill-typed ``answers``) gives ``{"error": "…"}`` and the
  batch goes on; members other than ``text``, ``language`` and ``answers`` (an ``id``) are
  ignored. A blank input line is a bad line too, so output lines stay aligned with input lines.
* eval: lines ``{"text", "language", "expect"}`` → hit rate of the first recommendation, overall,
  per expected channel and per language, and the misses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from balcao.catalog.recommender import (
    DEFAULT_LANGUAGE,
    ChannelInfo,
    Example,
    Recommendation,
    Translate,
    TriageInputError,
    TriageRules,
    check_text,
    coerce_answers,
    normalise_language,
    recommend,
)


def _parse(line: str) -> Mapping[str, Any]:
    if not line.strip():
        raise TriageInputError("line", "empty line: expected a JSON object")
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise TriageInputError("line", f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(item, dict):
        raise TriageInputError("line", "expected a JSON object with a 'text' member")
    return item


def triage_item(
    item: Mapping[str, Any],
    channels: Sequence[ChannelInfo],
    *,
    default_language: str = DEFAULT_LANGUAGE,
    rules: TriageRules | None = None,
    appeal_text: Callable[[str], str | None] | None = None,
    translate: Translate | None = None,
    examples: Sequence[Example] = (),
) -> Recommendation:
    """Triage one decoded request (the body of ``POST /api/v1/triage`` or a batch line).

    ``translate`` renders the explanation (``recommender.recommend``); the Django side passes
    ``catalog.services.translate``."""
    text = check_text(item.get("text"))
    language = normalise_language(item.get("language"), default_language)
    answers = coerce_answers(item.get("answers"))
    return recommend(
        text,
        language,
        answers,
        channels,
        rules=rules,
        default_language=default_language,
        appeal_text=appeal_text(language) if appeal_text else None,
        translate=translate,
        examples=examples,
    )


def error_object(exc: TriageInputError) -> dict[str, str]:
    return {"error": exc.message, "field": exc.field}


def run_batch(
    lines: Iterable[str],
    channels: Sequence[ChannelInfo],
    *,
    default_language: str = DEFAULT_LANGUAGE,
    rules: TriageRules | None = None,
    appeal_text: Callable[[str], str | None] | None = None,
    translate: Translate | None = None,
    examples: Sequence[Example] = (),
) -> Iterator[dict[str, Any]]:
    """One result (``to_json()``) or error object per input line, in order."""
    for line in lines:
        try:
            item = _parse(line)
            result = triage_item(
                item,
                channels,
                default_language=default_language,
                rules=rules,
                appeal_text=appeal_text,
                translate=translate,
                examples=examples,
            )
        except TriageInputError as exc:
            yield error_object(exc)
            continue
        yield result.to_json()


def dump_line(obj: Mapping[str, Any]) -> str:
    """One JSON Lines line (UTF-8 kept readable, member order kept)."""
    return json.dumps(obj, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class Tally:
    total: int = 0
    hits: int = 0

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0


@dataclass
class Miss:
    line: int
    text: str
    language: str
    expect: str
    got: str
    alternative: str | None


@dataclass
class EvalReport:
    overall: Tally = field(default_factory=Tally)
    per_channel: dict[str, Tally] = field(default_factory=dict)
    per_language: dict[str, Tally] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    alternative_hits: int = 0

    def to_json(self) -> dict[str, Any]:
        def tally(t: Tally) -> dict[str, Any]:
            return {"total": t.total, "hits": t.hits, "rate": round(t.rate, 4)}

        return {
            "overall": tally(self.overall),
            "per_channel": {k: tally(v) for k, v in sorted(self.per_channel.items())},
            "per_language": {k: tally(v) for k, v in sorted(self.per_language.items())},
            "alternative_hits": self.alternative_hits,
            "misses": [m.__dict__ for m in self.misses],
            "errors": [{"line": n, "error": e} for n, e in self.errors],
        }

    def format(self) -> str:
        """A report a person reads."""
        out = [
            f"Hit rate (first recommendation): {self.overall.hits}/{self.overall.total}"
            f" = {self.overall.rate:.1%}",
            f"Expected channel given as the alternative instead: {self.alternative_hits}",
            "",
            "Per expected channel:",
        ]
        for name, t in sorted(self.per_channel.items()):
            out.append(f"  {name:<22} {t.hits:>3}/{t.total:<3} {t.rate:6.1%}")
        out += ["", "Per language:"]
        for name, t in sorted(self.per_language.items()):
            out.append(f"  {name:<22} {t.hits:>3}/{t.total:<3} {t.rate:6.1%}")
        if self.misses:
            out += ["", f"Misses ({len(self.misses)}):"]
            for m in self.misses:
                out.append(
                    f"  line {m.line} [{m.language}] expected {m.expect}, got {m.got}"
                    f" (alternative {m.alternative}): {m.text}"
                )
        if self.errors:
            out += ["", f"Errors ({len(self.errors)}):"]
            out += [f"  line {n}: {e}" for n, e in self.errors]
        return "\n".join(out)


def evaluate(
    lines: Iterable[str],
    channels: Sequence[ChannelInfo],
    *,
    default_language: str = DEFAULT_LANGUAGE,
    rules: TriageRules | None = None,
    examples: Sequence[Example] = (),
) -> EvalReport:
    """Score the first recommendation against ``expect`` on each line."""
    report = EvalReport()
    _score(report, enumerate(lines, start=1), channels, default_language, rules, examples)
    return report


def evaluate_folds(
    lines: Iterable[str],
    folds: int,
    channels: Sequence[ChannelInfo],
    *,
    default_language: str = DEFAULT_LANGUAGE,
    rules: TriageRules | None = None,
    examples: Sequence[Example] = (),
) -> EvalReport:
    """:func:`evaluate`, with the set's own needs as the agency's labelled needs: the lines
    are dealt into ``folds`` folds (line 1 to the first, line 2 to the second…), and each
    fold is triaged with the needs of every other fold added to ``examples`` — what an
    agency that has labelled such needs in the console would see for the next ones."""
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    labelled: list[tuple[int, Example]] = []
    for position, (_number, line) in enumerate(numbered):
        try:
            item = _parse(line)
            expect, text = item.get("expect"), check_text(item.get("text"))
            language = normalise_language(item.get("language"), default_language)
        except TriageInputError:
            continue  # reported as the line's error when its fold is scored
        if isinstance(expect, str) and expect:
            labelled.append((position, (text, language, expect)))
    report = EvalReport()
    for part in range(folds):
        given = (*examples, *(e for position, e in labelled if position % folds != part))
        held = [x for position, x in enumerate(numbered) if position % folds == part]
        _score(report, held, channels, default_language, rules, given)
    report.misses.sort(key=lambda m: m.line)
    report.errors.sort()
    return report


def _score(
    report: EvalReport,
    numbered: Iterable[tuple[int, str]],
    channels: Sequence[ChannelInfo],
    default_language: str,
    rules: TriageRules | None,
    examples: Sequence[Example],
) -> None:
    for number, line in numbered:
        if not line.strip():
            continue
        try:
            item = _parse(line)
            expect = item.get("expect")
            if not isinstance(expect, str) or not expect:
                raise TriageInputError("expect", "expect must be a channel slug")
            result = triage_item(
                item, channels, default_language=default_language, rules=rules, examples=examples
            )
        except TriageInputError as exc:
            report.errors.append((number, exc.message))
            continue
        language = result.language
        hit = result.channel == expect
        for tally in (
            report.overall,
            report.per_channel.setdefault(expect, Tally()),
            report.per_language.setdefault(language, Tally()),
        ):
            tally.total += 1
            tally.hits += int(hit)
        if not hit:
            if result.alternative == expect:
                report.alternative_hits += 1
            report.misses.append(
                Miss(number, item["text"], language, expect, result.channel, result.alternative)
            )
