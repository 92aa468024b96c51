"""``balcao serve``: the web server, the task worker and the mail watcher (``balcao mail
watch``: IMAP IDLE), in the foreground.

HTTP is served by gunicorn's sync workers over WSGI, one process per core by default:
on the 2-core reference box that serves the 1 M-case list at ~350 requests/s with
p95 < 50 ms at 10 clients, where Django under uvicorn/ASGI managed ~120 — every
request there hops between the event loop and a worker thread, which costs more than
the query (docs/benchmarks.md). Websockets (the live chat, issue 24) are served by one
uvicorn process on ``balcao.asgi`` beside it, and both sit behind one port: the front
sends ``/ws/…`` to uvicorn and everything else to gunicorn. The front is Debian's nginx
when it is installed (``balcao.ops.nginx``; within a few per cent of gunicorn alone), else
``balcao.ops.front`` in Python (13–21 % fewer requests/s); ``--front nginx|python`` or
``BALCAO_FRONT`` chooses. ``--asgi`` runs uvicorn alone on the port instead (HTTP and
websockets).

Ctrl-C (SIGINT) or SIGTERM stops every process it started: each child runs in its own
process group, gets the signal forwarded (SIGTERM to the web server, SIGINT to the worker
so it finishes the task at hand), and whatever is still running after
``STOP_TIMEOUT_SECONDS`` is killed with its group. If one of them exits on its own, the
others are stopped too. Debug is off unless ``--debug`` (or ``BALCAO_DEBUG=1``).

In production run them separately (see docs/operator.md):
gunicorn behind a proxy for HTTP, ``uvicorn balcao.asgi:application`` for the proxy's
websocket paths, M × ``balcao run_huey`` and one ``balcao mail watch``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from balcao.client import NGINX_FRONT, PYTHON_FRONT
from balcao.ops import layers, nginx

FRONTS = ("auto", "nginx", "python")
WSGI_APPLICATION = "balcao.wsgi:application"


def default_workers() -> int:
    """BALCAO_WEB_WORKERS, else one per core up to four (a laptop need not hold sixteen
    ~90 MB processes; a production box sets the number, docs/operator.md)."""
    return int(os.environ.get("BALCAO_WEB_WORKERS") or min(os.cpu_count() or 1, 4))


def web_commands(
    host: str, port: int, workers: int, sockets: Path, nginx_binary: str | None = None
) -> list[list[str]]:
    """The default web stack on one port (issue 24): the front on ``host:port`` — nginx
    (``nginx_binary``; its configuration is written to ``sockets`` by ``handle``) or
    ``balcao.ops.front`` — and gunicorn for HTTP and one uvicorn for the websocket paths on
    Unix sockets in ``sockets`` (a folder only this user can enter: nobody else can speak
    to them, and they are cheaper to connect to than loopback TCP)."""
    http, ws = sockets / "http.sock", sockets / "ws.sock"
    gunicorn = web_command("127.0.0.1", 0, workers)
    gunicorn[gunicorn.index("--bind") + 1] = f"unix:{http}"
    # One process: the in-memory channel layer is per process (REDIS_URL shares it).
    uvicorn = web_command("127.0.0.1", 0, 1, asgi=True)
    at = uvicorn.index("--host")
    uvicorn[at : at + 4] = ["--uds", str(ws)]
    if nginx_binary:
        # the client's address comes in nginx's X-Balcao-Client (balcao.client)
        gunicorn[gunicorn.index(WSGI_APPLICATION)] = nginx.WSGI_APPLICATION
        front = nginx.command(nginx_binary, sockets)
    else:
        gunicorn += ["--proxy-protocol", "v1"]
        front = [sys.executable, "-m", "balcao.ops.front", "--listen", f"{host}:{port}"]
        front += ["--http", f"unix:{http}", "--ws", f"unix:{ws}"]
    return [gunicorn, uvicorn, front]


def choose_front(requested: str) -> str | None:
    """The nginx binary when the front is to be nginx, None for the Python front:
    ``auto`` takes nginx when it is installed; ``nginx`` without it is refused."""
    if requested == "python":
        return None
    binary = nginx.find_nginx()
    if binary is None and requested == "nginx":
        raise CommandError(
            _(
                "--front nginx: o nginx não está instalado (apt-get install nginx, ou "
                "scripts/ensure-nginx.sh). Sem ele, --front python."
            )
        )
    return binary


def check_port(host: str, port: int) -> None:
    """Refuse, in words, an address the server could not listen on (taken, privileged,
    not on this machine) before anything starts; the servers' own errors are terse."""
    try:
        probe = socket.create_server((host.strip("[]"), port), backlog=1)
    except socket.gaierror as exc:
        raise CommandError(
            _("--host %(host)s: endereço desconhecido (%(error)s).")
            % {"host": host, "error": exc.strerror}
        ) from None
    except OSError as exc:
        where = {"host": host, "port": port}
        if exc.errno == errno.EADDRINUSE:
            message = _(
                "A porta %(port)s em %(host)s já está em uso (outro programa, ou outro "
                "balcao serve). Pare-o ou escolha outra porta com --port."
            )
        elif exc.errno == errno.EACCES:
            message = _(
                "Sem permissão para escutar na porta %(port)s em %(host)s: portas abaixo de "
                "1024 pedem privilégios. Use --port 8000 (e um proxy na 80/443)."
            )
        elif exc.errno == errno.EADDRNOTAVAIL:
            message = _(
                "O endereço %(host)s não é desta máquina: use --host 127.0.0.1, 0.0.0.0 ou "
                "um endereço de uma das suas interfaces."
            )
        else:
            message = _("Não foi possível escutar em %(host)s:%(port)s: %(error)s.")
            where["error"] = exc.strerror
        raise CommandError(message % where) from None
    probe.close()


def web_command(host: str, port: int, workers: int, asgi: bool = False) -> list[str]:
    """The command line of one web server (shared with the benchmarks)."""
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
            "--log-level",
            "warning",
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        WSGI_APPLICATION,
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


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# gunicorn stops gracefully within its --graceful-timeout (20 s); then anything left is killed.
STOP_TIMEOUT_SECONDS = 25


def child_environment(debug: bool) -> dict[str, str]:
    """The environment of the processes ``serve`` starts: ours, plus ``BALCAO_DEBUG=1``
    with ``--debug``."""
    env = dict(os.environ)
    if debug:
        env["BALCAO_DEBUG"] = "1"
    return env


def stop_children(
    children: list[tuple[subprocess.Popen, int]], timeout: float = STOP_TIMEOUT_SECONDS
) -> None:
    """Send each running child its stop signal (SIGINT to the task worker: it finishes the
    task at hand; SIGTERM to the web server: gunicorn and uvicorn finish the requests in
    flight), wait up to ``timeout`` seconds, then SIGKILL the process group of any child
    still running (a master and its workers: each child leads its own group)."""
    for process, stop_signal in children:
        if process.poll() is None:
            _signal_group(process, stop_signal)
    deadline = time.monotonic() + timeout
    for process, _stop_signal in children:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # Not reaped yet, so its group id cannot have been reused: kill the group.
            _signal_group(process, signal.SIGKILL)
            process.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def telephony_commands(balcao: str) -> list[list[str]]:
    """The contact centre's long-running readers, when configured (issue 23): the AMI live
    feed (wallboard, screen-pop, callbacks) with ``BALCAO_AMI_HOST``, and the tail of the
    PBX's queue_log with ``BALCAO_QUEUE_LOG``."""
    commands = []
    if settings.BALCAO_AMI_HOST:
        commands.append([balcao, "telephony", "ami"])
    if settings.BALCAO_QUEUE_LOG:
        commands.append(
            [balcao, "telephony", "import-queue-log", settings.BALCAO_QUEUE_LOG, "--follow"]
        )
    return commands


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
        parser.add_argument(
            "--front",
            choices=FRONTS,
            default=os.environ.get("BALCAO_FRONT") or "auto",
            help="what listens on the port in front of gunicorn and uvicorn: nginx, "
            "python (balcao.ops.front) or auto, nginx when installed (default: "
            "BALCAO_FRONT, else auto)",
        )
        parser.add_argument("--no-worker", action="store_true", help="web server only")
        parser.add_argument(
            "--debug",
            action="store_true",
            help="debug on (BALCAO_DEBUG=1 for the server and the worker): Django's "
            "technical error pages. Never on an address others can reach.",
        )

    def handle(self, *args, **options):
        if settings.BALCAO_LOCAL_RUN and options["host"] not in LOOPBACK_HOSTS:
            self.stderr.write(
                f"Warning: a local run (no SECRET_KEY / ALLOWED_HOSTS set) on {options['host']}: "
                "plain http, cookies not secure-only. A deployment sets SECRET_KEY and "
                "ALLOWED_HOSTS (docs/operator.md)."
            )
        # The shared cache's table (rate limits, throttles, login delays) when the cache is
        # the database: idempotent, and covers a site that moved off Redis after migrating.
        call_command("createcachetable", verbosity=0)
        if options["front"] not in FRONTS:  # from BALCAO_FRONT
            raise CommandError(
                _("BALCAO_FRONT=%(value)s: use nginx, python ou auto.")
                % {"value": options["front"]}
            )
        nginx_binary = None if options["asgi"] else choose_front(options["front"])
        check_port(options["host"], options["port"])
        bindir = os.path.dirname(sys.executable)
        balcao = os.path.join(bindir, "balcao")
        env = child_environment(options["debug"])
        # SIGTERM (a supervisor, `kill`) and SIGINT (Ctrl-C) both stop everything. Each
        # child runs in its own process group, so a signal reaches it only through here.
        received: list[int] = []
        previous = {
            signum: signal.signal(signum, lambda signum, _frame: received.append(signum))
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        }
        children: list[tuple[subprocess.Popen, int]] = []
        cleanup: list = []
        try:
            workers = max(1, options["workers"])
            web_env = env
            ws_env: dict[str, str] = {}
            if options["asgi"]:
                commands = [web_command(options["host"], options["port"], workers, asgi=True)]
            else:
                sockets = Path(tempfile.mkdtemp(prefix="balcao-serve-"))  # mode 700
                cleanup.append(lambda: shutil.rmtree(sockets, ignore_errors=True))
                commands = web_commands(
                    options["host"], options["port"], workers, sockets, nginx_binary
                )
                if nginx_binary:
                    self._prepare_nginx(nginx_binary, options["host"], options["port"], sockets)
                front = NGINX_FRONT if nginx_binary else PYTHON_FRONT
                web_env = {**env, "BALCAO_BEHIND_FRONT": front}
                if not settings.REDIS_URL:
                    # One websocket process holds every socket: the web workers and the task
                    # worker relay their events to it (balcao.ops.layers); with REDIS_URL
                    # every process shares Redis instead.
                    token = secrets.token_urlsafe(32)
                    ws_env = {**web_env, layers.TOKEN_ENV: token}
                    relay = {layers.SOCKET_ENV: str(sockets / "ws.sock"), layers.TOKEN_ENV: token}
                    env, web_env = {**env, **relay}, {**web_env, **relay}
            if not options["no_worker"]:
                worker = subprocess.Popen(  # noqa: S603
                    [balcao, "run_huey", "--quiet"], env=env, process_group=0
                )
                children.append((worker, signal.SIGINT))
                # new e-mail as soon as the server announces it (IMAP IDLE); the worker's
                # periodic fetch covers the minute in between (balcao.mail.imap)
                watcher = subprocess.Popen(  # noqa: S603
                    [balcao, "mail", "watch"], env=env, process_group=0
                )
                children.append((watcher, signal.SIGTERM))
                children.extend(
                    (subprocess.Popen(line, env=env, process_group=0), signal.SIGTERM)  # noqa: S603
                    for line in telephony_commands(balcao)
                )
            for command in commands:
                command_env = ws_env if ws_env and "--uds" in command else web_env
                web = subprocess.Popen(command, env=command_env, process_group=0)  # noqa: S603
                children.append((web, signal.SIGTERM))
            while not received and all(process.poll() is None for process, _sig in children):
                time.sleep(0.2)
        finally:
            stop_children(children)
            for step in cleanup:
                step()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        failed = [process for process, _sig in children if process.returncode != 0]
        if not received and failed:
            args = failed[0].args
            name = "nginx" if args[0] == nginx_binary else " ".join(args[:4])
            raise CommandError(
                f"{name} exited with {failed[0].returncode}; the other processes were stopped."
            )

    def _prepare_nginx(self, binary: str, host: str, port: int, folder: Path) -> None:
        """Write nginx's configuration in ``folder`` and have nginx check it."""
        config = nginx.render_config(
            host,
            port,
            folder / "http.sock",
            folder / "ws.sock",
            folder,
            max_body=nginx.request_body_limit(),
        )
        nginx.write_config(folder, config)
        error = nginx.config_error(binary, folder)
        if error:
            raise CommandError(
                _("O nginx recusou a configuração gerada (%(path)s): %(error)s")
                % {"path": folder / nginx.CONFIG_NAME, "error": error}
            )
