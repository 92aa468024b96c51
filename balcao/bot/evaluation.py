"""Pure evaluation of the bot on JSON Lines ``{"text", "language", "expect"}``.

``expect`` is an article id (in scope: the bot must answer with that article) or null (out of
scope: the bot must refuse). The bot's acceptance target: at least 90 % of
in-scope questions answered with the right article, at least 80 % of out-of-scope refused.
An in-scope question counts as right when ``article_id`` is the expected id, whether the bot
answered outright or offered it first in a choice (the batch contract carries one id).

Greetings, thanks, goodbyes and small talk ("oi", "bom dia", "obrigado, tchau", "me conta
uma piada") are **out of scope** (``expect: null``): the bot must not pick an article for
them. The engine refuses them with ``reason == "greeting"`` when nothing but greetings and
fillers is left, so the chat greets back instead of offering a hand-off.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from balcao.bot.engine import Reply


class AsksQuestions(Protocol):
    def ask(self, text: str, language: str | None = ...) -> Reply: ...


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    language: str
    expect: str | None


@dataclass(frozen=True, slots=True)
class Miss:
    text: str
    language: str
    expect: str | None
    got: str | None
    confidence: float
    action: str


@dataclass(slots=True)
class EvalResult:
    in_scope: int = 0
    in_scope_right: int = 0
    out_of_scope: int = 0
    out_of_scope_refused: int = 0
    chose: int = 0  # in-scope questions answered by a choice between two articles
    confusion: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)

    @property
    def in_scope_accuracy(self) -> float:
        return self.in_scope_right / self.in_scope if self.in_scope else 0.0

    @property
    def overall(self) -> float:
        """Right answers and right refusals over every question (issue 20's first column)."""
        total = self.in_scope + self.out_of_scope
        return (self.in_scope_right + self.out_of_scope_refused) / total if total else 0.0

    @property
    def refusal_rate(self) -> float:
        return self.out_of_scope_refused / self.out_of_scope if self.out_of_scope else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "overall": round(self.overall, 4),
            "in_scope": self.in_scope,
            "in_scope_accuracy": round(self.in_scope_accuracy, 4),
            "out_of_scope": self.out_of_scope,
            "out_of_scope_refusal": round(self.refusal_rate, 4),
            "chose": self.chose,
            "confusion": [
                {"expected": e, "got": g, "count": n} for (e, g), n in self.confusion.most_common()
            ],
        }


def read_examples(path: str | Path) -> Iterator[Example]:
    """Examples from a JSON Lines file (blank lines and lines starting with # skipped)."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                data = json.loads(line)
                yield Example(
                    str(data["text"]), str(data.get("language") or "pt-BR"), data.get("expect")
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not an evaluation line ({exc})") from exc


def evaluate(bot: AsksQuestions, examples: Iterable[Example]) -> EvalResult:
    """Ask every example and count right answers, refusals and confusion pairs."""
    result = EvalResult()
    for example in examples:
        reply = bot.ask(example.text, example.language)
        got = reply.article_id
        if example.expect is None:
            result.out_of_scope += 1
            ok = got is None
            result.out_of_scope_refused += ok
        else:
            result.in_scope += 1
            ok = got == example.expect
            result.in_scope_right += ok
            result.chose += ok and reply.action == "choose"
        if not ok:
            result.confusion[(example.expect, got)] += 1
            result.misses.append(
                Miss(
                    example.text,
                    example.language,
                    example.expect,
                    got,
                    reply.confidence,
                    reply.action,
                )
            )
    return result


def report(result: EvalResult, max_rows: int = 20) -> str:
    """A compact printable report for ``balcao bot eval PATH``."""
    lines = [
        f"overall:               {result.overall:6.1%}  "
        f"({result.in_scope_right + result.out_of_scope_refused}/"
        f"{result.in_scope + result.out_of_scope})",
        f"in-scope accuracy:     {result.in_scope_accuracy:6.1%}  "
        f"({result.in_scope_right}/{result.in_scope}, {result.chose} via a choice)",
        f"out-of-scope refusal:  {result.refusal_rate:6.1%}  "
        f"({result.out_of_scope_refused}/{result.out_of_scope})",
    ]
    if result.confusion and max_rows > 0:
        lines.append("confusion pairs (expected -> got: count):")
        for (expected, got), count in result.confusion.most_common(max_rows):
            lines.append(f"  {expected or '(refuse)'} -> {got or '(refuse)'}: {count}")
    if result.misses and max_rows > 0:
        lines.append("misses:")
        for miss in result.misses[:max_rows]:
            lines.append(
                f"  [{miss.language}] {miss.text!r}: expected {miss.expect or '(refuse)'}, "
                f"got {miss.got or '(refuse)'} ({miss.action}, {miss.confidence:.2f})"
            )
        if len(result.misses) > max_rows:
            lines.append(f"  … {len(result.misses) - max_rows} more")
    return "\n".join(lines)
