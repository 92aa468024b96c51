"""nginx as the front of ``balcao serve`` (issue 24: "the API figures in docs/benchmarks.md
must not get worse by more than 10 %": through the Python front, ``balcao.ops.front``, they
were 13–21 % lower; through nginx they are within 5 % of gunicorn alone).

When Debian's nginx is installed, ``balcao serve`` runs it as a child process in the
foreground with a configuration written to the same private folder as the Unix sockets
(pid file and temporary files there too, the error log on stderr, no access log): it
listens on the public host:port and proxies

- ``/ws/…`` to uvicorn (``Upgrade``/``Connection`` passed on, an hour without traffic
  before a socket is closed: uvicorn pings every 20 s);
- everything else to gunicorn, the request body read whole first (a slow upload holds no
  sync worker) up to :func:`request_body_limit`, the answer buffered likewise.

Both get the client's address in ``X-Balcao-Client``, which nginx writes itself (a header
of that name from the client is replaced; names with ``_`` are dropped);
``balcao.client.ClientFromFront`` makes gunicorn's ``REMOTE_ADDR`` of it. ``Host``,
``X-Forwarded-Proto`` and ``X-Forwarded-For`` pass as the client sent them and the servers'
own ``Server`` header comes back, as through the Python front.

Nothing here imports Django at module level: the benchmark renders the same configuration.
"""

from __future__ import annotations

import grp
import os
import pwd
import resource
import shutil
import subprocess
from pathlib import Path

# gunicorn's application behind nginx (a factory call, as gunicorn's app syntax allows).
WSGI_APPLICATION = "balcao.ops.nginx:wsgi_application()"
CONFIG_NAME = "nginx.conf"
HEAD_TIMEOUT_SECONDS = 30  # as the Python front's HEAD_TIMEOUT
MAX_HEADER_LINE = "32k"  # a head the Python front takes (MAX_HEAD), cookies included
# gunicorn kills a worker silent for 120 s (serve.web_command --timeout): a little more.
HTTP_READ_TIMEOUT_SECONDS = 130
WEBSOCKET_IDLE_SECONDS = 3600


def find_nginx() -> str | None:
    """The nginx binary: on ``PATH``, or Debian's /usr/sbin/nginx (not on a user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    debian = Path("/usr/sbin/nginx")
    return str(debian) if os.access(debian, os.X_OK) else None


def request_body_limit() -> int:
    """The largest request body nginx lets through (``client_max_body_size``): as many
    files as one form takes (the chat's first message, ``portal.chat_views.MAX_FILES``),
    each up to the ceiling of any upload (``BALCAO_MAX_UPLOAD_BYTES``), plus the form's
    other fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``). Django and the channel's own limit
    refuse smaller files with a message a person reads; this only stops the absurd."""
    from django.conf import settings

    from balcao.portal.chat_views import MAX_FILES

    return MAX_FILES * settings.BALCAO_MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _quote(value: str) -> str:
    """An nginx string argument (quoted: a path may hold any character)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def listen_address(host: str, port: int) -> str:
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _connections() -> tuple[int, int]:
    """(worker_connections, worker_rlimit_nofile) within this process's hard limit: a
    proxied websocket takes two connections (the chat benchmark holds 2,000 sockets)."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY:
        hard = 65536
    connections = max(256, min(8192, hard // 2))
    return connections, min(hard, 2 * connections)


def _run_as() -> str:
    """nginx started by root switches its workers to ``nobody``, who cannot enter the
    private folder: keep them as the user that runs everything else (as other users the
    directive is ignored with a warning, so it is left out)."""
    if os.geteuid() != 0:
        return ""
    user, group = pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name
    return f"user {user} {group};\n"


def render_config(
    host: str, port: int, http_socket: Path, ws_socket: Path, folder: Path, max_body: int
) -> str:
    """The configuration of the front: nginx's prefix, pid and temporary files in
    ``folder``; ``host:port`` to gunicorn on ``http_socket`` and uvicorn on ``ws_socket``."""
    connections, nofile = _connections()
    temp = "\n".join(
        f"    {kind}_temp_path {_quote(str(folder / ('tmp-' + kind)))};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    common = """
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Balcao-Client $remote_addr;
            proxy_pass_header Server;
            proxy_redirect off;"""
    return f"""# Written by balcao serve (balcao/ops/nginx.py) for this run; removed when it stops.
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile {nofile};
pid {_quote(str(folder / "nginx.pid"))};
error_log stderr error;
{_run_as()}
events {{
    worker_connections {connections};
}}

http {{
    access_log off;
    server_tokens off;
{temp}
    client_max_body_size {max_body};
    client_body_buffer_size 64k;
    client_header_timeout {HEAD_TIMEOUT_SECONDS}s;
    large_client_header_buffers 4 {MAX_HEADER_LINE};
    proxy_buffer_size 16k;
    proxy_buffers 16 16k;

    upstream balcao_http {{
        server {_quote("unix:" + str(http_socket))};
    }}
    upstream balcao_ws {{
        server {_quote("unix:" + str(ws_socket))};
    }}
    map $http_upgrade $balcao_connection {{
        default upgrade;
        "" close;
    }}

    server {{
        listen {listen_address(host, port)} backlog=2048;
        server_name _;

        location /ws/ {{
            proxy_pass http://balcao_ws;{common}
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $balcao_connection;
            proxy_buffering off;
            proxy_read_timeout {WEBSOCKET_IDLE_SECONDS}s;
            proxy_send_timeout {WEBSOCKET_IDLE_SECONDS}s;
        }}

        location / {{
            proxy_pass http://balcao_http;{common}
            proxy_set_header Connection close;
            proxy_request_buffering on;
            proxy_read_timeout {HTTP_READ_TIMEOUT_SECONDS}s;
        }}
    }}
}}
"""


def write_config(folder: Path, config: str) -> Path:
    path = folder / CONFIG_NAME
    path.write_text(config)
    return path


def command(binary: str, folder: Path) -> list[str]:
    """nginx in the foreground on the configuration in ``folder`` (its prefix)."""
    return [binary, "-c", str(folder / CONFIG_NAME), "-p", f"{folder}/", "-e", "stderr"]


def config_error(binary: str, folder: Path) -> str | None:
    """nginx's own check of the configuration (``-t``: it binds nothing): None when it is
    good, else what nginx said."""
    result = subprocess.run(  # noqa: S603 - our binary, our file
        [*command(binary, folder), "-t", "-q"], capture_output=True, text=True, check=False
    )
    if result.returncode == 0:
        return None
    return (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"


def wsgi_application():
    """The WSGI application gunicorn serves behind nginx: ``balcao.wsgi``'s (the same
    settings and first-run preparation), with ``REMOTE_ADDR`` from ``X-Balcao-Client``
    (``balcao.client.ClientFromFront``), frozen out of the garbage collector's sight once
    warm (``balcao.ops.warm``)."""
    from django.core.wsgi import get_wsgi_application

    from balcao import localstate
    from balcao.client import ClientFromFront
    from balcao.ops.warm import FreezeWhenWarm

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
    localstate.prepare()
    return FreezeWhenWarm(ClientFromFront(get_wsgi_application()))
