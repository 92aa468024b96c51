"""Benchmark of the contact-centre pure cores: queue_log lines read per second and one
month's indicators, at ten times the tender's volume (seed 003: about 3,500 calls a month).

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/bench/bench_queuelog.py [--calls-per-month 35000] [--seed 2026]

Targets (issue 23): ≥ 50,000 lines/s imported, a month's report in < 1 s. This measures the
parsing and the indicator formulas alone (no database); the importer's database writes are
measured when the telephony app exists.
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from balcao.telephony import indicators, queuelog

LISBON = ZoneInfo("Europe/Lisbon")


def month_of_calls(calls: int, seed: int, start: date) -> bytes:
    """A realistic month: calls on working days 09:00–17:00 (a few outside), 80 % answered
    (waits skewed short), 15 % abandoned, the rest timing out; talk, hold, wrap-up, topics,
    agents logging in and out and pausing."""
    rng = random.Random(seed)
    lines: list[str] = []
    days = [start + timedelta(days=n) for n in range(30)]
    working = [d for d in days if d.weekday() < 5]
    topics = ["Marcas", "Patentes", "Design", "Pagamentos", "Estado do pedido", "Outro"]
    agents = [f"PJSIP/{100 + n}" for n in range(12)]
    for day in working:
        for agent in agents:
            t = datetime(day.year, day.month, day.day, 8, 55, tzinfo=LISBON).timestamp()
            lines.append(f"{int(t)}|NONE|sac|{agent}|ADDMEMBER|")
            p = t + rng.randint(3, 4) * 3600
            lines.append(f"{int(p)}|NONE|sac|{agent}|PAUSE|almoço")
            lines.append(f"{int(p + 3600)}|NONE|sac|{agent}|UNPAUSE|")
            lines.append(f"{int(t + 8.2 * 3600)}|NONE|sac|{agent}|REMOVEMEMBER|")
    for n in range(calls):
        day = rng.choice(working)
        hour = rng.choices(range(7, 19), weights=[1, 2, 9, 12, 11, 8, 7, 10, 11, 9, 2, 1])[0]
        when = datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                        rng.randrange(60), tzinfo=LISBON)  # fmt: skip
        t0 = int(when.timestamp())
        callid = f"{t0}.{n}"
        agent = rng.choice(agents)
        lines.append(f"{t0}|{callid}|sac|NONE|ENTERQUEUE||9{rng.randrange(10**8):08d}|1")
        kind = rng.random()
        if kind < 0.80:
            wait = int(rng.expovariate(1 / 18))
            talk = int(rng.lognormvariate(5, 0.6))
            lines.append(f"{t0 + wait}|{callid}|sac|{agent}|CONNECT|{wait}|{callid}9|3")
            if rng.random() < 0.2:
                lines.append(f"{t0 + wait + 30}|{callid}|sac|{agent}|HOLDSTART")
                lines.append(f"{t0 + wait + 30 + rng.randint(10, 90)}|{callid}|sac|{agent}|HOLDEND")
            end = t0 + wait + talk
            lines.append(f"{end}|{callid}|sac|{agent}|COMPLETECALLER|{wait}|{talk}|1")
            lines.append(f"{end}|{callid}|sac|{agent}|TOPIC|{rng.choice(topics)}")
            lines.append(f"{end + 20}|{callid}|sac|{agent}|WRAPUPEND|{rng.randint(5, 60)}")
        elif kind < 0.95:
            wait = int(rng.expovariate(1 / 40))
            lines.append(f"{t0 + wait}|{callid}|sac|NONE|ABANDON|1|1|{wait}")
        else:
            lines.append(f"{t0 + 300}|{callid}|sac|NONE|EXITWITHTIMEOUT|1|1|300")
    rng.shuffle(lines)  # real files are ordered by writing time; order must not matter
    lines.sort(key=lambda line: int(line.split("|", 1)[0]))
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls-per-month", type=int, default=35_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    start = date(2026, 3, 1)  # the month of the spring summer-time change
    data = month_of_calls(args.calls_per_month, args.seed, start)
    line_count = data.count(b"\n")
    print(
        f"a month of {args.calls_per_month:,} calls: {line_count:,} lines, {len(data) / 1e6:.1f} MB"
    )
    best_read = best_report = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        report = queuelog.ReadReport()
        events = list(queuelog.read(io.BytesIO(data), report))
        best_read = min(best_read, time.perf_counter() - t)
        t = time.perf_counter()
        result = indicators.compute(events, indicators.Period(start, date(2026, 3, 30), LISBON))
        best_report = min(best_report, time.perf_counter() - t)
    rate = line_count / best_read
    print(f"read: {rate:,.0f} lines/s ({best_read * 1000:.0f} ms; target ≥ 50,000/s)")
    print(f"month's indicators: {best_report * 1000:.0f} ms (target < 1 s)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    v = {key: item["value"] for key, item in result.items()}
    print(f"check: a={v['a']:,} e={v['e']:,} l={v['l']:,} u={v['u']:.3f} z={v['z']} h")


if __name__ == "__main__":
    main()
