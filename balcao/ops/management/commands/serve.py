"""``balcao serve``: the web server and the task worker, in the foreground.

HTTP is served by gunicorn's sync workers over WSGI, one process per core by default:
on the 2-core reference box that serves the 1 M-case list at ~350 requests/s with
p95 < 50 ms at 10 clients, where Django under uvicorn/ASGI managed ~120 — every
request there hops between the event loop and a worker thread, which costs more than
the query (docs/benchmarks.md). ``--asgi`` runs uvicorn on ``balcao.asgi`` instead,
for websockets (Channels) on the same port.

Ctrl-C stops both. In production run them separately (see docs/operator.md):
gunicorn behind a proxy for HTTP, ``uvicorn balcao.asgi:application`` for the proxy's
websocket paths, and M × ``balcao run_huey``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


def default_workers() -> int:
    """BALCAO_WEB_WORKERS, else one per core up to four (a laptop need not hold sixteen
    ~90 MB processes; a production box sets the number, docs/operator.md)."""
    return int(os.environ.get("BALCAO_WEB_WORKERS") or min(os.cpu_count() or 1, 4))


def web_command(host: str, port: int, workers: int, asgi: bool = False) -> list[str]:
    """The command line of the web server (shared with the benchmarks)."""
    if asgi:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "balcao.asgi:application",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "balcao.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        # Uploads are refused by size in Django; a slow one must not be killed first.
        "--timeout",
        "120",
        "--graceful-timeout",
        "20",
        "--log-level",
        "warning",
    ]


class Command(BaseCommand):
    help = "Start the web server and the background worker in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="web processes (default: BALCAO_WEB_WORKERS, else one per core up to 4)",
        )
        parser.add_argument(
            "--asgi", action="store_true", help="serve with uvicorn over ASGI (HTTP and websockets)"
        )
        parser.add_argument("--no-worker", action="store_true", help="web server only")

    def handle(self, *args, **options):
        # The shared cache's table (rate limits, throttles, login delays) when the cache is
        # the database: idempotent, and covers a site that moved off Redis after migrating.
        call_command("createcachetable", verbosity=0)
        bindir = os.path.dirname(sys.executable)
        balcao = os.path.join(bindir, "balcao")
        processes = []
        if not options["no_worker"]:
            processes.append(subprocess.Popen([balcao, "run_huey", "--quiet"]))  # noqa: S603
        web = subprocess.Popen(  # noqa: S603
            web_command(
                options["host"], options["port"], max(1, options["workers"]), asgi=options["asgi"]
            )
        )
        processes.append(web)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
