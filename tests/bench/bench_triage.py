"""Benchmark of the triage (pure recommender, no database): the latency of one need, and the
time to check an agency's labelled needs against each other (issue 20).

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/bench/bench_triage.py
    .venv/bin/python tests/bench/bench_triage.py --rounds 3 --sizes 40 311

It triages the 150 needs of ``tests/catalog/data/triage-needs-fresh.jsonl`` on the demo
catalogue, without labelled needs and with the first N of ``triage-needs.jsonl``, and prints
for each N: how long :func:`recommender.calibrate_examples` took (what the first process to
meet those needs spends; ``balcao.catalog.services.example_weight`` then shares it), the weight
it chose, and the latency p50 / p95 / max of one need once the weight is known. ``--no-cues``
uses the shipped rules without the demo's channel cues, as another agency's catalogue is
triaged.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from balcao import embeddings  # noqa: E402
from balcao.catalog import recommender  # noqa: E402

DATA = ROOT / "tests" / "catalog" / "data"


def _needs(name: str) -> list[tuple[str, str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [(r["text"], r.get("language") or "pt-BR", r["expect"]) for r in rows]


def _forget() -> None:
    """Every need as if seen for the first time: the memos of its sentence vector and of its
    rule scores are emptied (the check just before triaged the labelled needs, not these, but
    an earlier size may have left these in them)."""
    embeddings._memo.clear()
    recommender._scores.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--sizes", type=int, nargs="*", default=[0, 40, 80, 160, 311])
    parser.add_argument("--no-cues", action="store_true")
    args = parser.parse_args(argv)
    channels = recommender.channels_from_catalog(recommender.load_catalog(), "pt-BR")
    rules = recommender.general_rules() if args.no_cues else recommender.default_rules()
    labelled, fresh = _needs("triage-needs.jsonl"), _needs("triage-needs-fresh.jsonl")
    recommender.recommend("bom dia", "pt-BR", None, channels, rules=rules)  # load the encoder
    print(f"rules: {'without the demo cues' if args.no_cues else 'shipped'}; {len(fresh)} needs")
    print("labelled | check (s) | weight | right | p50 / p95 / max (ms)")
    for size in args.sizes:
        examples = tuple(labelled[:size])
        recommender._example_weights.clear()
        started = time.perf_counter()
        weight = recommender.calibrate_examples(examples, channels, rules)
        checked = time.perf_counter() - started
        times, right = [], 0
        for _round in range(args.rounds):
            _forget()
            for text, language, expect in fresh:
                started = time.perf_counter()
                found = recommender.recommend(
                    text, language, None, channels, rules=rules, examples=examples
                )
                times.append(1000 * (time.perf_counter() - started))
                right += found.channel == expect
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"{size:>8} | {checked:9.1f} | {weight:6.1f} | {right // args.rounds:>5} | "
            f"{statistics.median(times):.1f} / {p95:.1f} / {times[-1]:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
