"""Benchmark of the public portal's home page under load.

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/bench/bench_portal.py                  # c=50, 20 s, 2 workers
    .venv/bin/python tests/bench/bench_portal.py --duration 30 --concurrency 10 50
    .venv/bin/python tests/bench/bench_portal.py --path /en/ --workers 1

What it does:

1. makes a fresh SQLite database in a temporary folder (``BALCAO_VAR_DIR``), runs
   ``balcao migrate``, ``balcao demo --cases 50`` and ``balcao collectstatic``;
2. starts the server as ``balcao serve`` does: gunicorn sync workers over WSGI,
   ``--workers N`` (``--server uvicorn``: ``balcao.asgi`` under uvicorn, as
   ``balcao serve --asgi`` does), with ``BALCAO_DEBUG=0``, ``SECRET_KEY``,
   ``ALLOWED_HOSTS=127.0.0.1``, ``BALCAO_SSL_REDIRECT=0``, on a free loopback port;
3. drives ``GET /`` (the home page: five levels, nine channel cards with "open now", the
   episodes) from a separate process — Debian's ``wrk`` (``apt-get install -y wrk``), or a
   Python thread client when wrk is missing — with C concurrent connections for the given
   duration, and prints requests/s, p50/p95/p99/max, errors and non-2xx responses, the load
   average and the share of CPU the whole box was busy (other work on the box shows there).

Closed-loop clients: at concurrency C the latency floor is about C / throughput, so p95 at
c=50 mostly measures throughput; c=1 shows the service time of one request.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

# Shared with the case benchmark: the server command line (as balcao serve), the load
# generator (wrk with its report script, or the Python fallback) and the box's CPU counters.
from bench_cases import WRK_LUA, cpu_times, drive, free_port, server_command

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"


def server_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "BALCAO_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'bench.sqlite3'}",
            "BALCAO_DEBUG": "0",
            "SECRET_KEY": "bench-portal-not-a-real-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "BALCAO_SSL_REDIRECT": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "BALCAO_LOG_LEVEL": "ERROR",
        }
    )
    return env


def prepare(env: dict[str, str], cases: int) -> None:
    for args in (
        ["migrate", "--noinput", "-v", "0"],
        ["demo", "--cases", str(cases)],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run(
            [str(BIN / "balcao"), *args],
            env=env,
            check=True,
            cwd=ROOT,  # noqa: S603
            stdout=subprocess.DEVNULL,
        )


def start_server(
    env: dict[str, str], port: int, workers: int, kind: str = "gunicorn"
) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        server_command(kind, port, workers), env=env, cwd=ROOT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default="/")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[50])
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--server",
        choices=["gunicorn", "uvicorn"],
        default="gunicorn",
        help="gunicorn (balcao serve) or uvicorn (balcao serve --asgi)",
    )
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="balcao-bench-portal-"))
    env = server_env(tmp)
    print(f"preparing a fresh SQLite database in {tmp} (demo --cases {args.cases}) …")
    prepare(env, args.cases)
    port = free_port()
    server = start_server(env, port, args.workers, args.server)
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    lua = None
    if use_wrk:
        lua = str(tmp / "report.lua")
        Path(lua).write_text(WRK_LUA)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{args.path}") as response:
            body = response.read().decode()
        assert response.status == 200 and body.count('class="br-card channel-card"') == 9, (
            "the home page did not render the nine channel cards"
        )
        drive(port, args.path, "", 4, 2, lua)  # warm-up: imports, calendars, template cache
        program, app = server_command(args.server, port, args.workers)[2:4]  # python -m X app
        print(
            f"server: {program} {app} "
            f"--workers {args.workers} "
            f"(BALCAO_DEBUG=0, SQLite); load generator: "
            f"{'wrk' if use_wrk else 'python threads'} (separate process), "
            f"{os.cpu_count()} CPUs"
        )
        print(
            f"{'path':<8}{'c':>4}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
            f"{'max ms':>9}{'errors':>8}{'non2xx':>8}{'load1':>7}{'box CPU':>9}"
        )
        for concurrency in args.concurrency:
            busy0, total0 = cpu_times()
            result = drive(port, args.path, "", concurrency, args.duration, lua)
            busy1, total1 = cpu_times()
            rps = result["requests"] / (result["duration_us"] / 1e6)
            print(
                f"{args.path:<8}{concurrency:>4}{rps:>10.1f}{result['p50'] / 1000:>9.1f}"
                f"{result['p95'] / 1000:>9.1f}{result['p99'] / 1000:>9.1f}"
                f"{result['max'] / 1000:>9.1f}{result['errors']:>8}{result['non2xx']:>8}"
                f"{os.getloadavg()[0]:>7.2f}"
                f"{100 * (busy1 - busy0) / max(1.0, total1 - total0):>8.0f}%"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
