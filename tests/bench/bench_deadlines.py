"""Benchmark: due dates per second for a mix of policies over 10 years of calendar.

Run from the repository root (the engine's target: >= 200,000/s in one process):

    python tests/bench/bench_deadlines.py            # 200,000 requests, 5 rounds
    python tests/bench/bench_deadlines.py -n 50000 -r 3

Each request is one of the 10 built-in policies (round robin), a ``received`` ISO-8601 text
with an offset (São Paulo, Lisbon or UTC) drawn uniformly from 2020-01-01 to 2029-12-31, and
``extended`` true for every other request. A computation is ``compute(...)`` from the text
(parsing included); the "with JSON" figure adds ``to_json()``. The first pass builds the
calendar tables and is reported separately; the figures are the best of the rounds.
This is a script, not a test: tests never assert on wall-clock time.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from balcao.deadlines.policies import BUILTIN_POLICIES, compute  # noqa: E402

OFFSETS = [timezone(timedelta(hours=-3)), timezone(timedelta(hours=1)), UTC]


def make_requests(n: int, seed: int = 2025) -> list[tuple[object, str, bool]]:
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    span = int((datetime(2030, 1, 1, tzinfo=UTC) - start).total_seconds())
    policies = list(BUILTIN_POLICIES.values())
    requests = []
    for i in range(n):
        moment = start + timedelta(seconds=rng.randrange(span))
        received = moment.astimezone(rng.choice(OFFSETS)).isoformat()
        requests.append((policies[i % len(policies)], received, i % 2 == 0))
    return requests


def run(requests: list[tuple[object, str, bool]], with_json: bool) -> float:
    began = time.perf_counter()
    if with_json:
        for policy, received, extended in requests:
            compute(policy, received, extended).to_json()  # type: ignore[arg-type]
    else:
        for policy, received, extended in requests:
            compute(policy, received, extended)  # type: ignore[arg-type]
    return len(requests) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200_000, help="requests per round")
    parser.add_argument("-r", "--rounds", type=int, default=5)
    args = parser.parse_args()
    requests = make_requests(args.n)
    cold = run(requests[: min(len(requests), 20_000)], with_json=False)
    best = max(run(requests, with_json=False) for _ in range(args.rounds))
    best_json = max(run(requests, with_json=True) for _ in range(args.rounds))
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(f"policies: {len(BUILTIN_POLICIES)} built-in, received 2020-2029, n={args.n}")
    print(f"first pass (builds the calendar tables): {cold:,.0f} due dates/s")
    print(f"compute():            {best:,.0f} due dates/s  (best of {args.rounds})")
    print(f"compute().to_json():  {best_json:,.0f} due dates/s  (best of {args.rounds})")
    print("target: 200,000 due dates/s ->", "met" if best >= 200_000 else "NOT met")


if __name__ == "__main__":
    main()
