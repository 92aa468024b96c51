#!/usr/bin/env python3
"""How well the bot's right answers hold when the same question is typed the way citizens
type (issue 20: "typos, missing accents, capitals"): on every evaluation set under ``eval/``
and the INPI's own set, each in-scope question the bot answers right is asked again in
capitals, without accents and with typos, and the share still answered right is printed —
summary figures only, never a question (docs/quality.md: the held-out sets' misses are not
read). ``make robustness`` runs it.

The typos are made the same way on every run (a fixed seed): in about half the words of six
letters or more, one letter dropped, two neighbours swapped or one letter replaced.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUNING = {"detran-tuning", "imcm-pt-tuning", "previdencia", "inpi"}
SEED = 7
TYPO_SHARE = 0.5
TYPO_MIN_LENGTH = 6
WAYS = ("capitals", "no accents", "typos")


def shouted(text: str) -> str:
    return text.upper()


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def with_typos(text: str, rng: random.Random) -> str:
    """One slip of the keyboard in about half the words of TYPO_MIN_LENGTH letters or more."""
    words = []
    for word in text.split():
        if len(word) >= TYPO_MIN_LENGTH and rng.random() < TYPO_SHARE:
            at = rng.randrange(1, len(word) - 1)
            slip = rng.choice(("drop", "swap", "replace"))
            if slip == "drop":
                word = word[:at] + word[at + 1 :]
            elif slip == "swap":
                word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
            else:
                word = word[:at] + rng.choice("aeiourstnm") + word[at + 1 :]
        words.append(word)
    return " ".join(words)


def held(bot, examples) -> dict[str, tuple[int, int]]:
    """For the in-scope examples ``bot`` answers right: (still right, asked) for each way."""
    rng = random.Random(SEED)
    ways = {
        "capitals": shouted,
        "no accents": without_accents,
        "typos": lambda text: with_typos(text, rng),
    }
    counts = {way: [0, 0] for way in WAYS}
    for example in examples:
        if example.expect is None or bot.ask(example.text, example.language).article_id != (
            example.expect
        ):
            continue
        for way, change in ways.items():
            counts[way][1] += 1
            counts[way][0] += bot.ask(change(example.text), example.language).article_id == (
                example.expect
            )
    return {way: (right, asked) for way, (right, asked) in counts.items()}


def sets(names: list[str]) -> list[tuple[str, Path, Path]]:
    found = []
    for folder in sorted((ROOT / "eval").iterdir()):
        if (folder / "kb.jsonl").exists() and (not names or folder.name in names):
            found.append((folder.name, folder / "kb.jsonl", folder / "questions.jsonl"))
    if not names or "inpi" in names:
        found.append(
            (
                "inpi",
                ROOT / "balcao" / "kb" / "demo" / "inpi-kb.jsonl",
                ROOT / "tests" / "bot" / "data" / "inpi-eval.jsonl",
            )
        )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="set folders under eval/, or inpi (default: all)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
    import django

    django.setup()
    from balcao.bot.engine import Bot
    from balcao.bot.evaluation import read_examples
    from balcao.bot.retrieval import Article

    print(
        "| set | use | in-scope questions answered right | still right in capitals | "
        "still right without accents | still right with typos |"
    )
    print("|---|---|---|" + "---|" * len(WAYS))
    pooled = {way: [0, 0] for way in WAYS}
    for name, kb, questions in sets(args.sets):
        with open(kb, encoding="utf-8") as handle:
            articles = [Article.from_dict(json.loads(line)) for line in handle if line.strip()]
        counts = held(Bot(articles), read_examples(questions))
        use = "tuning" if name in TUNING else "held out"
        cells = []
        for way in WAYS:
            right, asked = counts[way]
            cells.append(f"{right / asked:.1%} ({right}/{asked})" if asked else "—")
            if use == "held out":
                pooled[way][0] += right
                pooled[way][1] += asked
        print(f"| {name} | {use} | {counts[WAYS[0]][1]} | " + " | ".join(cells) + " |")
    if pooled[WAYS[0]][1]:
        print(
            "\nthe held-out sets pooled: "
            + "; ".join(f"{way} {r / a:.1%} ({r}/{a})" for way, (r, a) in pooled.items())
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
