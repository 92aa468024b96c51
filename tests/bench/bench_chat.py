"""Benchmark of the live chat's websockets (issue 24: "concurrent open conversations on one
server process with a loopback WebSocket load script (target 2,000 connections, message
round-trip p99 < 100 ms), memory per connection").

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/bench/bench_chat.py                         # 2,000 people, PostgreSQL
    .venv/bin/python tests/bench/bench_chat.py --connections 200 --rate 10 --seconds 10

It creates a fresh database (PostgreSQL on 127.0.0.1:5432, dropped afterwards), N people each
with a conversation waiting in the queue (``livechat.services.do_start_chat``) and a browser
session that proved their e-mail, starts ``balcao serve`` as ``make run`` does (gunicorn and
one uvicorn behind ``balcao.ops.front`` on one port; no task worker), opens every person's
socket (``/ws/chat/<token>/``) through the front, then for ``--seconds`` sends ``--rate``
messages a second from people chosen at random and times each one until the server's
"message" event for it comes back on the same socket — the message stored on the case (a
``Message`` row, history, the case touched) and fanned out through the channel layer. It
prints the round-trip percentiles, errors, the websocket process's RSS before and after the
connections (memory per connection) and the CPU it used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

SECRET = "bench-chat-secret-key-not-for-production-0123456789abcdef"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> dict[int, str]:
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if ppid == parent and int(entry.name) not in found:
                found[int(entry.name)] = cmdline
                frontier.append(int(entry.name))
    return found


def prepare(count: int) -> list[tuple[str, str]]:
    """Migrate, and make ``count`` people waiting in the chat with a proven e-mail each:
    ``[(socket token, session key)]``."""
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from balcao.cases.followup import EMAIL_SESSION_KEY
    from balcao.cases.models import Requester, Workflow
    from balcao.catalog.models import Channel
    from balcao.livechat import services

    call_command("migrate", verbosity=0)
    channel = Channel.objects.create(
        slug="chat-bench",
        name="Chat",
        kind="chat",
        hours=Channel.Hours.ALWAYS,
        workflow=Workflow.objects.get(slug="chat"),
    )
    people = []
    now = int(time.time())
    for n in range(count):
        email = f"pessoa{n}@example.org"
        person = Requester.objects.create(name=f"Pessoa {n}", email=email, phone="4735311500")
        session = services.do_start_chat(person, channel, reason=f"Dúvida {n}")
        store = SessionStore()
        store[EMAIL_SESSION_KEY] = {"email": email, "at": now}
        store.create()
        people.append((session.token, store.session_key))
    return people


async def drive(port: int, people, ramp: int) -> tuple:
    from websockets.asyncio.client import connect

    origin = f"http://127.0.0.1:{port}"
    sockets: list = [None] * len(people)
    waiting: dict[str, asyncio.Future] = {}
    errors = {"connect": 0, "closed": 0, "timeout": 0}

    async def reader(i: int, ws) -> None:
        try:
            async for raw in ws:
                event = json.loads(raw)
                if event.get("event") == "message":
                    text = (event.get("message") or {}).get("text") or ""
                    future = waiting.pop(text, None)
                    if future is not None and not future.done():
                        future.set_result(time.perf_counter())
        except Exception:  # noqa: BLE001 - counted below
            errors["closed"] += 1

    async def open_one(i: int) -> None:
        token, key = people[i]
        try:
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/chat/{token}/",
                origin=origin,
                additional_headers={"Cookie": f"sessionid={key}"},
                open_timeout=60,
                max_queue=None,
            )
            await asyncio.wait_for(ws.recv(), 30)  # the snapshot
        except Exception:  # noqa: BLE001 - counted
            errors["connect"] += 1
            return
        sockets[i] = ws
        asyncio.get_running_loop().create_task(reader(i, ws))

    started = time.perf_counter()
    for first in range(0, len(people), ramp):
        await asyncio.gather(*(open_one(i) for i in range(first, min(first + ramp, len(people)))))
    connected = sum(1 for s in sockets if s is not None)
    opening = time.perf_counter() - started
    return {"connected": connected, "opening_s": opening}, sockets, waiting, errors


async def measure(sockets, waiting, errors, rate: float, seconds: float) -> list[float]:
    live = [i for i, s in enumerate(sockets) if s is not None]
    rtts: list[float] = []
    pending = []

    async def one(n: int) -> None:
        i = random.choice(live)
        text = f"bench message {n} {i}"
        future = asyncio.get_running_loop().create_future()
        waiting[text] = future
        sent = time.perf_counter()
        await sockets[i].send(json.dumps({"type": "message", "text": text}))
        try:
            received = await asyncio.wait_for(future, 10)
        except TimeoutError:
            errors["timeout"] += 1
            waiting.pop(text, None)
            return
        rtts.append((received - sent) * 1000)

    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        pending.append(asyncio.get_running_loop().create_task(one(n)))
        n += 1
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*pending)
    return rtts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=20, help="messages per second")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--ramp", type=int, default=100, help="sockets opened at a time")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--front", choices=("auto", "nginx", "python"), default="auto", help="balcao serve --front"
    )
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it
    name = f"balcao_bench_chat_{datetime.now(UTC):%Y%m%d_%H%M%S}"
    base = args.pg_url.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)  # noqa: S607
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        BALCAO_DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="balcao.settings",
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    os.environ.pop("REDIS_URL", None)
    server = None
    try:
        print(
            f"Balcão chat benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M UTC}, "
            f"{os.cpu_count()} CPUs, open files {hard}, load {os.getloadavg()[0]:.2f}"
        )
        t0 = time.perf_counter()
        people = prepare(args.connections)
        print(f"{len(people)} people waiting in the chat, in {time.perf_counter() - t0:.1f} s")
        port = _free_port()
        balcao = str(Path(sys.executable).with_name("balcao"))
        server = subprocess.Popen(  # noqa: S603
            [balcao, "serve", "--no-worker", "--workers", "1", "--port", str(port)]
            + ["--front", args.front],
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.3)
        children = _descendants(server.pid)
        (ws_pid,) = [p for p, cmd in children.items() if "uvicorn" in cmd and "--uds" in cmd]
        # the front: balcao.ops.front, or nginx's master and workers (balcao serve --front)
        fronts = [p for p, cmd in children.items() if "balcao.ops.front" in cmd or "nginx" in cmd]
        assert fronts, "no front process under balcao serve"

        def front_rss() -> float:
            return sum(_rss_mb(pid) for pid in fronts)

        def front_cpu() -> float:
            return sum(_cpu_seconds(pid) for pid in fronts)

        rss0, front0 = _rss_mb(ws_pid), front_rss()

        async def run() -> tuple:
            opened, sockets, waiting, errors = await drive(port, people, args.ramp)
            rss1 = _rss_mb(ws_pid)
            cpu0 = _cpu_seconds(ws_pid) + front_cpu()
            rtts = await measure(sockets, waiting, errors, args.rate, args.seconds)
            cpu = _cpu_seconds(ws_pid) + front_cpu() - cpu0
            for ws in sockets:
                if ws is not None:
                    await ws.close()
            return opened, rss1, rtts, errors, cpu

        opened, rss1, rtts, errors, cpu = asyncio.run(run())
        print(
            f"connections open: {opened['connected']} of {len(people)} "
            f"(in {opened['opening_s']:.1f} s); errors {errors}"
        )
        print(
            f"websocket process RSS {rss0:.0f} MB → {rss1:.0f} MB: "
            f"{(rss1 - rss0) * 1024 / max(1, opened['connected']):.1f} KB per connection; "
            f"front ({args.front}) {front0:.0f} → {front_rss():.0f} MB"
        )
        if rtts:
            print(
                f"round trips: {len(rtts)} messages at {args.rate:g}/s for {args.seconds:g} s — "
                f"p50 {percentile(rtts, 0.5):.1f} ms, p95 {percentile(rtts, 0.95):.1f} ms, "
                f"p99 {percentile(rtts, 0.99):.1f} ms, max {max(rtts):.1f} ms, "
                f"mean {statistics.mean(rtts):.1f} ms (target p99 < 100 ms); "
                f"CPU of uvicorn + front {cpu:.1f} s"
            )
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, 2)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            subprocess.run(  # noqa: S603
                ["dropdb", "--force", "-h", "127.0.0.1", "-U", "postgres", name],  # noqa: S607
                check=False,
            )


if __name__ == "__main__":
    main()
