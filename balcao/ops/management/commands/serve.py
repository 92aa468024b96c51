"""``balcao serve``: the web server (ASGI, uvicorn) and the task worker, in the foreground.

Ctrl-C stops both. In production run them separately (see docs/operator.md):
N × ``uvicorn balcao.asgi:application`` behind a proxy and M × ``balcao run_huey``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server and the background worker in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="web server only")

    def handle(self, *args, **options):
        bindir = os.path.dirname(sys.executable)
        balcao = os.path.join(bindir, "balcao")
        processes = []
        if not options["no_worker"]:
            processes.append(subprocess.Popen([balcao, "run_huey", "--quiet"]))  # noqa: S603
        web = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "balcao.asgi:application",
             "--host", options["host"], "--port", str(options["port"]), "--no-access-log"]
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
