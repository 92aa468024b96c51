#!/usr/bin/env python3
"""Issue 20's figures in one table: on every evaluation set under ``eval/``, the bot (overall,
in scope, out of scope refused), plain BM25 beside it, the bot's own forecast from its
calibration, and the triage — summary figures only, never a question, a need or a miss
(docs/quality.md: the held-out sets' misses are not read). ``make quality`` runs it.

Each figure comes from the commands a reader can run by hand, one set at a time::

    balcao bot eval eval/<set>/questions.jsonl --kb eval/<set>/kb.jsonl --baseline --json
    balcao triage --catalog eval/<set>/catalog.json --eval eval/<set>/triage.jsonl --json
    balcao triage --catalog eval/<set>/catalog.json --eval eval/<set>/triage.jsonl --folds 5 --json

The last is the triage of an agency that has labelled such needs in the console: each fifth of
the set's needs triaged with the other four fifths as labelled needs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BALCAO = [str(ROOT / ".venv" / "bin" / "balcao")]
#: The sets whose misses are read while tuning (docs/quality.md, "Sets"); the others are
#: held out and reported.
TUNING = {"detran-tuning", "imcm-pt-tuning", "previdencia"}
#: Issue 20's bar.
BAR = {"overall": 0.90, "in_scope": 0.90, "refused": 0.80, "triage": 0.85}
#: Folds of the triage with the set's own needs as labelled needs (``--folds``).
FOLDS = 5


def _json(args: list[str]) -> dict:
    done = subprocess.run(  # noqa: S603 - our own command, arguments from this script
        [*BALCAO, *args], capture_output=True, text=True, check=True, cwd=ROOT, timeout=1800
    )
    text = done.stdout
    return json.loads(text[text.index("{") : text.rindex("}") + 1])


def figures(folder: Path) -> dict[str, float]:
    bot = _json(
        [
            "bot",
            "eval",
            str(folder / "questions.jsonl"),
            "--kb",
            str(folder / "kb.jsonl"),
            "--baseline",
            "--json",
        ]
    )
    triage = _json(
        [
            "triage",
            "--catalog",
            str(folder / "catalog.json"),
            "--eval",
            str(folder / "triage.jsonl"),
            "--json",
        ]
    )
    labelled = _json(
        [
            "triage",
            "--catalog",
            str(folder / "catalog.json"),
            "--eval",
            str(folder / "triage.jsonl"),
            "--folds",
            str(FOLDS),
            "--json",
        ]
    )
    calibration = bot.get("calibration") or {}
    # The commands give rates to four places; the counts behind them are whole numbers.
    in_right = round(bot["in_scope_accuracy"] * bot["in_scope"])
    out_right = round(bot["out_of_scope_refusal"] * bot["out_of_scope"])
    asked = bot["in_scope"] + bot["out_of_scope"]
    return {
        "in_right": in_right,
        "in_total": bot["in_scope"],
        "out_right": out_right,
        "out_total": bot["out_of_scope"],
        "overall": (in_right + out_right) / asked if asked else 0.0,
        "in_scope": in_right / bot["in_scope"] if bot["in_scope"] else 0.0,
        "refused": out_right / bot["out_of_scope"] if bot["out_of_scope"] else 0.0,
        "bm25": bot["baseline_bm25"]["overall"],
        "forecast_in_scope": calibration.get("expected_in_scope", float("nan")),
        "forecast_refused": calibration.get("expected_refusal", float("nan")),
        "triage": triage["overall"]["hits"] / triage["overall"]["total"],
        "triage_hits": triage["overall"]["hits"],
        "triage_total": triage["overall"]["total"],
        "triage_labelled": labelled["overall"]["hits"] / labelled["overall"]["total"],
        "triage_labelled_hits": labelled["overall"]["hits"],
    }


def _pct(value: float) -> str:
    return f"{100 * value:.1f}"


def wilson(hits: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion: where the figure of another set of the
    same size, drawn from the same kind of questions, could fall by chance alone. With 80
    needs a set, 83.5 % reads as 74–90 %: one set cannot tell 83 % from the bar's 85 %."""
    if not total:
        return (0.0, 1.0)
    share = hits / total
    middle = share + z * z / (2 * total)
    spread = z * ((share * (1 - share) + z * z / (4 * total)) / total) ** 0.5
    scale = 1 + z * z / total
    return ((middle - spread) / scale, (middle + spread) / scale)


def _pooled(label: str, hits: int, total: int) -> str:
    low, high = wilson(hits, total)
    share = hits / total if total else 0.0
    return f"{label} {_pct(share)} % ({hits}/{total}; 95 % interval {_pct(low)}–{_pct(high)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="set folders under eval/ (default: all)")
    args = parser.parse_args(argv)
    names = args.sets or sorted(
        p.name for p in (ROOT / "eval").iterdir() if (p / "questions.jsonl").exists()
    )
    print(
        "| set | use | bot overall / in scope / refused % | plain BM25 % "
        "| bot's own forecast: in scope / refused % | triage % "
        f"| triage, its own needs labelled ({FOLDS} folds) % |"
    )
    print("|---|---|---|---|---|---|---|")
    below = []
    held_out = []
    for name in names:
        row = figures(ROOT / "eval" / name)
        use = "tuning" if name in TUNING else "held out"
        print(
            f"| {name} | {use} | {_pct(row['overall'])} / {_pct(row['in_scope'])} / "
            f"{_pct(row['refused'])} | {_pct(row['bm25'])} | {_pct(row['forecast_in_scope'])} / "
            f"{_pct(row['forecast_refused'])} | {_pct(row['triage'])} "
            f"({row['triage_hits']}/{row['triage_total']}) | {_pct(row['triage_labelled'])} "
            f"({row['triage_labelled_hits']}/{row['triage_total']}) |",
            flush=True,
        )
        if use == "held out":
            held_out.append(row)
            missed = [k.replace("_", " ") for k, line in BAR.items() if row[k] < line]
            if row["overall"] < row["bm25"]:
                missed.append("below plain BM25")
            if missed:
                below.append(f"{name} ({', '.join(missed)})")
    print(
        f"\nissue 20's bar (held-out sets): bot {_pct(BAR['overall'])} / {_pct(BAR['in_scope'])}"
        f" / {_pct(BAR['refused'])} %, never below plain BM25; triage {_pct(BAR['triage'])} %"
    )
    print("below the bar: " + ("; ".join(below) if below else "none"))
    if held_out:
        totals = {
            key: sum(row[key] for row in held_out)
            for key in ("in_right", "in_total", "out_right", "out_total")
        }
        triage = [sum(row[k] for row in held_out) for k in ("triage_hits", "triage_total")]
        print(
            f"\nthe {len(held_out)} held-out set(s) pooled: "
            + "; ".join(
                (
                    _pooled(
                        "bot overall",
                        totals["in_right"] + totals["out_right"],
                        totals["in_total"] + totals["out_total"],
                    ),
                    _pooled("in scope", totals["in_right"], totals["in_total"]),
                    _pooled("refused", totals["out_right"], totals["out_total"]),
                    _pooled("triage", *triage),
                )
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
