"""Benchmark of the contact centre's queue_log import and its monthly report, at ten times
the tender's volume (seed 003: about 3,500 calls a month → 35,000).

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/bench/bench_queuelog.py            # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python tests/bench/bench_queuelog.py --sqlite   # a SQLite file
    .venv/bin/python tests/bench/bench_queuelog.py --calls-per-month 3500 --profile

It writes a month of calls (``month_of_calls``) to a file, creates a fresh database
(PostgreSQL, dropped afterwards; or a SQLite file in a temporary folder), migrates it, and
times ``balcao.telephony.services.do_import_queue_log`` importing the file — then importing
it again (nothing new: the bookmark check alone) — and ``contact_centre_report`` for the
month. It also times the pure cores alone (parsing, indicators from events). Targets (issue
23): ≥ 50,000 lines/s imported, a month's report in < 1 s.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from balcao.telephony import indicators, queuelog  # noqa: E402

LISBON = ZoneInfo("Europe/Lisbon")


def month_of_calls(calls: int, seed: int, start: date) -> bytes:
    """A realistic month (about 8.5 lines a call, as FreePBX writes them: DID, ENTERQUEUE,
    members ringing unanswered, …): calls on working days 09:00–17:00 (a few outside), 80 % answered
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
        lines.append(f"{t0}|{callid}|sac|NONE|DID|213000000")
        lines.append(f"{t0}|{callid}|sac|NONE|ENTERQUEUE||9{rng.randrange(10**8):08d}|1")
        for ring in range(rng.choice((0, 1, 2, 3, 4))):  # members who let it ring (ms)
            lines.append(f"{t0 + 15 * ring}|{callid}|sac|{rng.choice(agents)}|RINGNOANSWER|15000")
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
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--profile", action="store_true", help="print where the import's time goes")
    args = parser.parse_args()
    start = date(2026, 3, 1)  # the month of the spring summer-time change
    data = month_of_calls(args.calls_per_month, args.seed, start)
    line_count = data.count(b"\n")
    print(
        f"a month of {args.calls_per_month:,} calls: {line_count:,} lines, {len(data) / 1e6:.1f} MB"
    )

    tmp = Path(tempfile.mkdtemp(prefix="bench_queuelog_"))
    (tmp / "var").mkdir()
    path = tmp / "queue_log"
    path.write_bytes(data)
    name = f"balcao_benchqueuelog_{datetime.now(UTC):%Y%m%d_%H%M%S}"
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)  # noqa: S603, S607
        os.environ["DATABASE_URL"] = f"{args.pg_url}/{name}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="balcao.settings",
        BALCAO_VAR_DIR=str(tmp / "var"),
        BALCAO_DEBUG="0",
        BALCAO_TIME_ZONE="Europe/Lisbon",
        SECRET_KEY="bench-" + "x" * 44,
        ALLOWED_HOSTS="127.0.0.1",
    )
    del data  # the import reads the file: what it holds is its own
    try:
        _database(path, line_count, start, profile=args.profile)
        _pure(path.read_bytes(), line_count, start)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.sqlite:
            from django.db import connections

            connections.close_all()
            subprocess.run(  # noqa: S603
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name],  # noqa: S607
                check=False,
            )


def _pure(data: bytes, line_count: int, start: date) -> None:
    """The pure cores alone: parsing every line, the indicators from the parsed events."""
    best_read = best_report = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        events = list(queuelog.read(io.BytesIO(data)))
        best_read = min(best_read, time.perf_counter() - t)
        t = time.perf_counter()
        indicators.compute(events, indicators.Period(start, date(2026, 3, 31), LISBON))
        best_report = min(best_report, time.perf_counter() - t)
    print(f"pure parse: {line_count / best_read:,.0f} lines/s; indicators from events: "
          f"{best_report * 1000:.0f} ms")  # fmt: skip


def _database(path: Path, line_count: int, start: date, *, profile: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from balcao.telephony import services
    from balcao.telephony.models import AgentInterval, Call

    print(f"database: {connection.vendor}")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            done = services.do_import_queue_log(path)
        elapsed = time.perf_counter() - t
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    else:
        done = services.do_import_queue_log(path)
        elapsed = time.perf_counter() - t
    print(
        f"import: {done.lines:,} lines in {elapsed:.2f} s = {done.lines / elapsed:,.0f} lines/s "
        f"(target ≥ 50,000/s); {Call.objects.count():,} calls, "
        f"{AgentInterval.objects.count():,} agent intervals, {done.bad} bad line(s)"
    )
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_before:.0f} MB before the import, {rss_after:.0f} MB after")
    t = time.perf_counter()
    again = services.do_import_queue_log(path)
    print(f"import again: {again.lines} new line(s) in {(time.perf_counter() - t) * 1000:.0f} ms")
    end = date(2026, 3, 31)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        report = services.contact_centre_report(start, end, time_zone="Europe/Lisbon")
        times.append(time.perf_counter() - t)
    print(
        f"month's report from the database: best {min(times) * 1000:.0f} ms, "
        f"first {times[0] * 1000:.0f} ms (target < 1 s)"
    )
    v = {key: item["value"] for key, item in report["indicators"].items()}
    print(
        f"check: a={v['a']:,} e={v['e']:,} l={v['l']:,} u={v['u']:.3f} z={v['z']} h "
        f"ee={v['ee'] / 3600:,.0f} h ff={v['ff'] / 3600:,.0f} h"
    )


if __name__ == "__main__":
    main()
