"""The front of ``balcao serve`` (``balcao.ops.front``): one port, the request head read
whole, ``/ws/…`` to uvicorn with the client's address in a header the client cannot forge,
everything else to gunicorn after a PROXY protocol v1 line; bodies copied intact both ways;
a head too big or too slow, or an upstream that is down, answered with a status and
closed. Real sockets on loopback; each test runs its event loop in a thread of its own."""

from __future__ import annotations

import asyncio

import pytest

from balcao.ops import front
from tests.loops import run


class Upstream:
    """A server that records everything a connection sent until the head's end (and the
    body of ``Content-Length``), then answers with ``reply`` and closes."""

    def __init__(self, reply: bytes):
        self.reply, self.received = reply, []

    async def handle(self, reader, writer):
        data = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in data.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            data += await reader.readexactly(length)
        self.received.append(data)
        writer.write(self.reply)
        await writer.drain()
        writer.close()

    async def start(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[:2]


async def _stack(http_reply=b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ws_reply=b"WS"):
    http, ws = Upstream(http_reply), Upstream(ws_reply)
    http_address, ws_address = await http.start(), await ws.start()
    proxy = front.Front(http_address, ws_address)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: front._Client(proxy), "127.0.0.1", 0)
    return http, ws, server, server.sockets[0].getsockname()[1]


async def _exchange(port: int, *chunks: bytes, pause: float = 0.0) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for chunk in chunks:
        writer.write(chunk)
        await writer.drain()
        if pause:
            await asyncio.sleep(pause)
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return answer


def test_http_goes_to_gunicorn_after_a_proxy_line_and_a_body_arrives_whole():
    body = bytes(range(256)) * 4096  # 1 MiB, every byte value

    async def scenario():
        http, ws, server, port = await _stack()
        head = f"POST /api/v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: {len(body)}\r\n\r\n"
        # the head in two pieces, as a slow client sends it
        answer = await _exchange(port, head[:10].encode(), head[10:].encode() + body, pause=0.05)
        server.close()
        return http.received, ws.received, answer

    received, ws_received, answer = run(scenario)
    assert answer.endswith(b"\r\n\r\nok") and ws_received == []
    proxy_line, rest = received[0].split(b"\r\n", 1)
    parts = proxy_line.split(b" ")
    assert parts[:4] == [b"PROXY", b"TCP4", b"127.0.0.1", b"127.0.0.1"], proxy_line
    assert rest.startswith(b"POST /api/v1/x HTTP/1.1\r\n") and rest.endswith(body)


def test_websocket_paths_go_to_uvicorn_with_an_address_the_client_cannot_forge():
    async def scenario():
        http, ws, server, port = await _stack()
        answer = await _exchange(
            port,
            b"GET /ws/chat/ HTTP/1.1\r\nHost: a\r\nX-Balcao-Client: 6.6.6.6\r\n"
            b"x-balcao-client:7.7.7.7\r\nUpgrade: websocket\r\n\r\n",
        )
        server.close()
        return http.received, ws.received, answer

    http_received, received, answer = run(scenario)
    assert answer == b"WS" and http_received == []
    lines = received[0].split(b"\r\n")
    assert lines[0] == b"GET /ws/chat/ HTTP/1.1"
    assert lines[1] == b"X-Balcao-Client: 127.0.0.1"
    assert b"6.6.6.6" not in received[0] and b"7.7.7.7" not in received[0]
    assert b"Upgrade: websocket" in lines
    assert front.route(b"GET /wsx HTTP/1.1") == "http"
    assert front.route(b"GET /api/ws/ HTTP/1.1") == "http"


def test_a_head_too_big_or_too_slow_and_an_upstream_down_get_a_status(monkeypatch):
    monkeypatch.setattr(front, "HEAD_TIMEOUT", 0.3)
    monkeypatch.setattr(front, "UPSTREAM_WAIT", 0.5)

    async def scenario():
        http, ws, server, port = await _stack()
        big = await _exchange(port, b"GET / HTTP/1.1\r\nX: " + b"a" * (front.MAX_HEAD + 10))
        slow = await _exchange(port, b"GET / HTTP/1.1\r\n")  # and then nothing
        http.server.close()
        await http.server.wait_closed()
        down = await _exchange(port, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        server.close()
        return big, slow, down, http.received

    big, slow, down, received = run(scenario)
    assert big.startswith(b"HTTP/1.1 431 ") and slow.startswith(b"HTTP/1.1 408 ")
    assert down.startswith(b"HTTP/1.1 502 ") and received == []


def test_an_upstream_still_starting_is_waited_for(monkeypatch):
    """A websocket opened while uvicorn is still starting (gunicorn already answers) goes
    through once it listens, instead of a 502 (CI: the chat's socket right after start-up)."""
    monkeypatch.setattr(front, "UPSTREAM_WAIT", 5.0)

    async def scenario():
        late = Upstream(b"WS")
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        address = probe.sockets[0].getsockname()[:2]
        probe.close()
        await probe.wait_closed()  # the port is free: nothing listens there yet
        http = Upstream(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        proxy = front.Front(await http.start(), address)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: front._Client(proxy), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]

        async def start_late():
            await asyncio.sleep(0.6)
            late.server = await asyncio.start_server(late.handle, *address)

        starting = asyncio.create_task(start_late())
        answer = await _exchange(port, b"GET /ws/health/ HTTP/1.1\r\nHost: a\r\n\r\n")
        await starting
        server.close()
        late.server.close()
        return answer, late.received

    answer, received = run(scenario)
    assert answer == b"WS" and len(received) == 1


@pytest.mark.parametrize(
    ("peer", "local", "line"),
    [
        (("10.0.0.7", 5123), ("10.0.0.1", 8000), b"PROXY TCP4 10.0.0.7 10.0.0.1 5123 8000\r\n"),
        (("::1", 5123, 0, 0), ("::1", 8000, 0, 0), b"PROXY TCP6 ::1 ::1 5123 8000\r\n"),
        (("10.0.0.7", 5), ("::1", 8000, 0, 0), b"PROXY TCP6 ::ffff:a00:7 ::1 5 8000\r\n"),
        ("/run/sock", "", b"PROXY UNKNOWN\r\n"),
    ],
)
def test_the_proxy_line(peer, local, line):
    assert front.proxy_line(peer, local) == line


def test_a_consumer_reads_the_address_the_front_wrote_only_behind_the_front(monkeypatch):
    from balcao.client import websocket_client_address

    scope = {"client": ["127.0.0.1", 5000], "headers": [(b"x-balcao-client", b"203.0.113.9")]}
    monkeypatch.delenv("BALCAO_BEHIND_FRONT", raising=False)
    assert websocket_client_address(scope) == "127.0.0.1"  # uvicorn alone: a client's header
    monkeypatch.setenv("BALCAO_BEHIND_FRONT", "1")
    assert websocket_client_address(scope) == "203.0.113.9"
    remote = {**scope, "client": ["198.51.100.4", 5000]}  # not through the front
    assert websocket_client_address(remote) == "198.51.100.4"
    # uvicorn on the front's Unix socket (balcao serve) gives no peer address at all
    assert websocket_client_address({**scope, "client": None}) == "203.0.113.9"
    monkeypatch.delenv("BALCAO_BEHIND_FRONT")
    assert websocket_client_address({**scope, "client": None}) == "unknown"
    assert websocket_client_address({"client": None, "headers": []}) == "unknown"
