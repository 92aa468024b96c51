"""nginx as the front of ``balcao serve`` (``balcao.ops.nginx``; issue 24's 10 % budget):
the configuration it writes, a real nginx on it in front of servers that record what
reaches them (the client's address in a header the client cannot forge, ``Host`` and the
forwarding headers as sent, websockets upgraded, bodies read whole and capped), and a real
``balcao serve`` answering HTTP and a websocket through nginx on one port, the app seeing
the client's own address. Real processes and sockets; the event loops run in threads of
their own. Skipped, with the reason, only where Debian's nginx is not installed."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from websockets.sync.client import connect

from balcao.client import NGINX_FRONT, ClientFromFront, websocket_client_address
from balcao.ops import nginx
from balcao.ops.management.commands import serve
from tests.loops import run

NGINX = nginx.find_nginx()
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="Debian's nginx is not installed (scripts/ensure-nginx.sh)"
)
BALCAO = [sys.executable, "-m", "balcao.cli"]
CLIENT_IP = "127.0.0.7"  # a loopback address of its own: not nginx's, not the servers'
FORGED = "203.0.113.66"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the configuration --------------------------------------------------------------


def test_the_configuration_keeps_everything_in_the_private_folder(tmp_path):
    config = nginx.render_config(
        "::1", 8123, tmp_path / "http.sock", tmp_path / "ws.sock", tmp_path, max_body=31457280
    )
    assert "daemon off;" in config and "access_log off;" in config
    assert "error_log stderr error;" in config
    assert f'pid "{tmp_path}/nginx.pid";' in config
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        assert f'{kind}_temp_path "{tmp_path}/tmp-{kind}";' in config
    assert "listen [::1]:8123 backlog=2048;" in config
    assert f'server "unix:{tmp_path}/http.sock";' in config
    assert f'server "unix:{tmp_path}/ws.sock";' in config
    assert "client_max_body_size 31457280;" in config
    ws, http = config.split("location /ws/ {")[1].split("location / {")
    for block in (ws, http):  # each location sets its own headers (nginx does not merge)
        assert "proxy_set_header X-Balcao-Client $remote_addr;" in block
        assert "proxy_set_header Host $http_host;" in block
    assert "proxy_pass http://balcao_ws;" in ws and "Upgrade $http_upgrade" in ws
    assert "proxy_read_timeout 3600s;" in ws
    assert "proxy_pass http://balcao_http;" in http and "proxy_request_buffering on;" in http
    assert nginx.listen_address("10.0.0.1", 80) == "10.0.0.1:80"
    assert nginx.listen_address("[::]", 80) == "[::]:80"


def test_a_path_with_quotes_stays_one_argument(tmp_path):
    odd = tmp_path / 'a "b" \\c'
    config = nginx.render_config(
        "127.0.0.1", 1, odd / "http.sock", odd / "ws.sock", odd, max_body=1
    )
    assert 'pid "' + str(odd).replace("\\", "\\\\").replace('"', '\\"') + '/nginx.pid";' in config


def test_workers_run_as_the_user_that_runs_serve(tmp_path, monkeypatch):
    """As root, nginx would hand its workers to ``nobody``, who cannot enter the folder."""
    args = ("127.0.0.1", 1, tmp_path / "h", tmp_path / "w", tmp_path)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert re.search(r"^user root \S+;$", nginx.render_config(*args, max_body=1), re.M)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "\nuser " not in nginx.render_config(*args, max_body=1)


def test_the_body_limit_follows_the_upload_limits(settings):
    from balcao.portal.chat_views import MAX_FILES

    settings.BALCAO_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    assert nginx.request_body_limit() == MAX_FILES * 10 * 1024 * 1024 + 1024 * 1024


def test_the_command_lines_of_each_front(tmp_path):
    with_nginx = serve.web_commands("127.0.0.1", 8000, 2, tmp_path, "/usr/sbin/nginx")
    gunicorn, uvicorn, front = with_nginx
    assert nginx.WSGI_APPLICATION in gunicorn and "--proxy-protocol" not in gunicorn
    assert front == nginx.command("/usr/sbin/nginx", tmp_path)
    assert front[:3] == ["/usr/sbin/nginx", "-c", str(tmp_path / "nginx.conf")]
    assert uvicorn[uvicorn.index("--uds") + 1] == str(tmp_path / "ws.sock")
    gunicorn, _uvicorn, front = serve.web_commands("127.0.0.1", 8000, 2, tmp_path)
    assert serve.WSGI_APPLICATION in gunicorn and "--proxy-protocol" in gunicorn
    assert "balcao.ops.front" in front


def test_the_front_asked_for(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr(nginx, "find_nginx", lambda: None)
    assert serve.choose_front("auto") is None and serve.choose_front("python") is None
    with pytest.raises(CommandError, match="nginx não está instalado"):
        serve.choose_front("nginx")
    monkeypatch.setattr(nginx, "find_nginx", lambda: "/opt/nginx")
    assert serve.choose_front("auto") == "/opt/nginx"
    assert serve.choose_front("python") is None


def test_gunicorn_behind_nginx_takes_the_address_only_from_its_unix_socket():
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return [b""]

    wrapped = ClientFromFront(app)
    wrapped({"REMOTE_ADDR": "", "HTTP_X_BALCAO_CLIENT": "198.51.100.4"}, None)
    assert seen["REMOTE_ADDR"] == "198.51.100.4" and "HTTP_X_BALCAO_CLIENT" not in seen
    seen.clear()
    wrapped({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_BALCAO_CLIENT": FORGED}, None)  # over TCP
    assert seen["REMOTE_ADDR"] == "192.0.2.1"


def test_a_port_taken_is_refused_in_words():
    from django.core.management.base import CommandError

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"porta {port} em 127.0.0.1 já está em uso"):
            serve.check_port("127.0.0.1", port)
    with pytest.raises(CommandError, match="não é desta máquina"):
        serve.check_port("192.0.2.77", free_port())  # TEST-NET-1: on no interface here


# --- a real nginx in front of recording servers ----------------------------------------


class Recorder:
    """A server on a Unix socket that records each request (head and ``Content-Length``
    body); a websocket handshake is answered 101 and the tunnel echoed, anything else 200."""

    def __init__(self, path: Path):
        self.path, self.received = path, []

    async def handle(self, reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        body = await reader.readexactly(int(length.group(1))) if length else b""
        self.received.append((head, body))
        if re.search(rb"\r\nupgrade: *websocket", head, re.I):
            writer.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\n\r\n"
            )
            writer.write(await reader.readexactly(4))  # the tunnel: echo
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nServer: recorder\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    async def start(self):
        self.server = await asyncio.start_unix_server(self.handle, str(self.path))


async def _exchange(port: int, request: bytes, then: bytes = b"") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(CLIENT_IP, 0))
    writer.write(request)
    await writer.drain()
    answer = b""
    if then:
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        writer.write(then)
        await writer.drain()
    answer += await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return answer


async def _nginx_up(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode(errors="replace")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    pytest.fail("nginx did not listen within 20 s")


@needs_nginx
def test_nginx_writes_the_address_and_passes_the_rest_as_sent(tmp_path, monkeypatch):
    folder = tmp_path / "front"
    folder.mkdir(mode=0o700)
    port = free_port()
    config = nginx.render_config(
        "127.0.0.1", port, folder / "http.sock", folder / "ws.sock", folder, max_body=100_000
    )
    nginx.write_config(folder, config)
    assert nginx.config_error(NGINX, folder) is None
    http, ws = Recorder(folder / "http.sock"), Recorder(folder / "ws.sock")
    body = bytes(range(256)) * 256  # 64 KiB, every byte value: more than nginx's buffer

    async def scenario():
        await http.start()
        await ws.start()
        process = subprocess.Popen(nginx.command(NGINX, folder), stderr=subprocess.PIPE)  # noqa: S603
        try:
            await _nginx_up(process, port)
            plain = await _exchange(
                port,
                f"GET /api/v1/cases?q=a HTTP/1.1\r\nHost: balcao.example:{port}\r\n"
                f"X-Balcao-Client: {FORGED}\r\nx-balcao-client: {FORGED}\r\n"
                f"X_Balcao_Client: {FORGED}\r\nX-Forwarded-Proto: https\r\n"
                f"X-Forwarded-For: 192.0.2.9\r\nConnection: close\r\n\r\n".encode(),
            )
            chunks = b"".join(
                f"{len(part):x}\r\n".encode() + part + b"\r\n"
                for part in (body[:1000], body[1000:])
            )
            upload = await _exchange(
                port,
                b"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                b"Connection: close\r\n\r\n" + chunks + b"0\r\n\r\n",
            )
            too_big = await _exchange(
                port,
                b"POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100001\r\n"
                b"Connection: close\r\n\r\n",
            )
            tunnel = await _exchange(
                port,
                f"GET /ws/chat/ HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nX-Balcao-Client: {FORGED}\r\n\r\n".encode(),
                then=b"ping",
            )
        finally:
            process.terminate()
            process.wait(10)
        return plain, upload, too_big, tunnel

    plain, upload, too_big, tunnel = run(scenario, timeout=90)

    assert plain.startswith(b"HTTP/1.1 200 ") and plain.endswith(b"\r\n\r\nok")
    assert b"\r\nServer: recorder\r\n" in plain  # the server's own, as through the Python front
    (head, _), (upload_head, upload_body) = http.received
    lines = head.decode().split("\r\n")
    assert lines[0] == "GET /api/v1/cases?q=a HTTP/1.1"
    headers = [line.lower() for line in lines[1:]]
    assert f"x-balcao-client: {CLIENT_IP}" in headers
    assert FORGED not in head.decode() and "x_balcao_client" not in head.decode().lower()
    assert f"host: balcao.example:{port}" in headers
    assert "x-forwarded-proto: https" in headers and "x-forwarded-for: 192.0.2.9" in headers

    assert upload.startswith(b"HTTP/1.1 200 ")
    assert upload_body == body  # read whole by nginx, then sent with a length
    assert f"content-length: {len(body)}" in upload_head.decode().lower()
    assert too_big.startswith(b"HTTP/1.1 413 ") and len(http.received) == 2

    assert tunnel.startswith(b"HTTP/1.1 101 ") and tunnel.endswith(b"ping")
    ((ws_head, _),) = ws.received
    ws_headers = [line.lower() for line in ws_head.decode().split("\r\n")[1:]]
    assert "upgrade: websocket" in ws_headers and "connection: upgrade" in ws_headers
    assert f"x-balcao-client: {CLIENT_IP}" in ws_headers and FORGED not in ws_head.decode()
    # what a consumer then reads: uvicorn on a Unix socket has no peer address
    pairs = [line.split(": ", 1) for line in ws_headers if ": " in line]
    scope = {"client": None, "headers": [(name.encode(), value.encode()) for name, value in pairs]}
    monkeypatch.setenv("BALCAO_BEHIND_FRONT", NGINX_FRONT)
    assert websocket_client_address(scope) == CLIENT_IP


# --- a real balcao serve ---------------------------------------------------------------


def _post_login(port: int, extra_headers: dict[str, str]) -> int:
    """A failed staff login from ``CLIENT_IP`` (CSRF cookie and token first): the app keeps
    the address it saw in ``LoginFailure.ip``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(CLIENT_IP, 0))
    conn.request("GET", "/conta/entrar/")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "nobody", "password": "x", "token": "123456"}
    )
    conn.request(
        "POST",
        "/conta/entrar/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            **extra_headers,
        },
    )
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer.status


@needs_nginx
def test_serve_behind_nginx_answers_http_and_websockets_and_sees_the_client(
    tmp_path, balcao_serve, migrated_sqlite
):
    database = tmp_path / "serve.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "BALCAO_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "balcao.settings",
    }
    env.pop("BALCAO_FRONT", None)  # the default: nginx, since it is installed
    migrated_sqlite(database)
    server = balcao_serve("--no-worker", "--workers", "1", env=env)
    answer = server.get_json("/api/v1/health")
    with connect(f"ws://127.0.0.1:{server.port}/ws/health/", open_timeout=20) as websocket:
        said = json.loads(websocket.recv(timeout=10))
    commands = " ".join(
        Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        for pid in Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        .read_text()
        .split()
    )
    forged = {"X-Balcao-Client": FORGED, "X-Forwarded-For": FORGED}
    status = _post_login(server.port, forged)
    server.stop()

    assert answer["status"] == 200 and answer["body"] == {"status": "ok"}
    assert said == {"status": "ok"}
    assert "nginx" in commands and "balcao.ops.front" not in commands
    assert status == 200  # the login page again, with the one generic error
    with sqlite3.connect(database) as db:
        seen = db.execute("SELECT ip FROM accounts_loginfailure").fetchall()
    assert seen == [(CLIENT_IP,)]
