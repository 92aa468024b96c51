"""Closed-loop HTTP load from a separate process, for benchmarks when ``wrk`` is missing.

    python tests/bench/loadclient.py HOST PORT PATH CONCURRENCY SECONDS [TOKEN | "Name: value"]

Prints one line ``BENCH {"requests", "duration_us", "errors", "non2xx", "p50", "p95",
"p99", "max"}`` (latencies in microseconds). Used by bench_cases.py and bench_portal.py.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time


def run(host: str, port: int, path: str, concurrency: int, seconds: float, token: str = "") -> dict:
    if ": " in token:  # a whole header, e.g. "Cookie: sessionid=…"
        name, _, value = token.partition(": ")
        headers = {name: value}
    else:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    counts = {"errors": 0, "non2xx": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                with lock:
                    counts["errors"] += 1
                conn = http.client.HTTPConnection(host, port, timeout=30)
                continue
            if response.status != 200:
                with lock:
                    counts["non2xx"] += 1
            mine.append((time.perf_counter() - start) * 1e6)
        with lock:
            latencies.extend(mine)

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()

    def quantile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] if latencies else 0

    return {
        "requests": len(latencies),
        "duration_us": int((time.monotonic() - began) * 1e6),
        **counts,
        "p50": quantile(50),
        "p95": quantile(95),
        "p99": quantile(99),
        "max": latencies[-1] if latencies else 0,
    }


if __name__ == "__main__":
    host, port, path, conc, seconds = sys.argv[1:6]
    token = sys.argv[6] if len(sys.argv) > 6 else ""
    print("BENCH " + json.dumps(run(host, int(port), path, int(conc), float(seconds), token)))
