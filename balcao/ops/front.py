"""One port for HTTP and websockets (issue 24: "The chat must work from ``make run`` with
no flag, on the same origin as the portal, and the API figures in docs/benchmarks.md must
not get worse by more than 10 %").

``balcao serve`` keeps gunicorn's sync workers for HTTP (three times Django's ASGI
throughput on two cores, docs/benchmarks.md) and runs uvicorn beside it for the websocket
paths; this front, listening on the public port, reads each connection's request head and
splices the connection to one or the other:

- ``/ws/…`` goes to uvicorn, with the client's address in ``X-Balcao-Client`` (any such
  header the client sent is dropped);
- everything else goes to gunicorn, preceded by a PROXY protocol v1 line naming the client
  (gunicorn runs with ``--proxy-protocol v1``), so ``REMOTE_ADDR`` stays the client's and
  the per-address limits and the audit keep working; behind a proxy of the deployment's
  own, ``X-Forwarded-For`` passes untouched (``BALCAO_TRUSTED_PROXIES``).

The head is read whole before anything is sent upstream, so a client that sends it slowly
holds no web worker (the sync workers' weak spot); one that has not sent it within
``HEAD_TIMEOUT`` seconds, or sends more than ``MAX_HEAD`` bytes of it, is answered 408 / 431
and closed. After the head, bytes are copied both ways with each side's flow control. No
Django here: the front is plain asyncio (uvloop when installed) and costs a few MB.

Run by ``balcao serve`` with both servers on Unix sockets in a private folder; by hand:
``python -m balcao.ops.front --listen 0.0.0.0:8000 --http unix:/run/balcao/http.sock --ws
127.0.0.1:8002``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import os
import re
import signal

MAX_HEAD = 32 * 1024
HEAD_TIMEOUT = 30.0
#: How long a connection waits for an upstream that is not listening before it is refused
#: with 502 (a server starting or being restarted).
UPSTREAM_WAIT = 10.0
WS_PREFIX = b"/ws/"
CLIENT_HEADER = b"X-Balcao-Client"
_DROPPED = re.compile(rb"^x-balcao-client\s*:", re.IGNORECASE)


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def _upstream(text: str) -> tuple[str, int] | str:
    """``unix:/path`` (a Unix socket: cheaper to connect to than loopback TCP, and only this
    user's processes can) or ``host:port``."""
    return text[len("unix:") :] if text.startswith("unix:") else _host_port(text)


def proxy_line(peer, local) -> bytes:
    """The PROXY protocol v1 line for a connection from ``peer`` to ``local`` (socket
    addresses); ``PROXY UNKNOWN`` when they are not IP addresses."""
    try:
        source, target = ipaddress.ip_address(peer[0]), ipaddress.ip_address(local[0])
    except (TypeError, ValueError, IndexError):
        return b"PROXY UNKNOWN\r\n"
    if source.version != target.version:
        if source.version == 4:
            source = ipaddress.IPv6Address(f"::ffff:{source}")
        else:
            return b"PROXY UNKNOWN\r\n"
    family = "TCP4" if source.version == 4 else "TCP6"
    return f"PROXY {family} {source} {target} {peer[1]} {local[1]}\r\n".encode()


def websocket_head(head: bytes, client: str) -> bytes:
    """The request head for uvicorn: the client's own ``X-Balcao-Client`` dropped, ours
    added after the request line."""
    lines = head.split(b"\r\n")
    kept = [line for line in lines[1:] if not _DROPPED.match(line)]
    return b"\r\n".join([lines[0], CLIENT_HEADER + b": " + client.encode(), *kept])


def route(head: bytes) -> str:
    """``"ws"`` for a request to a websocket path, else ``"http"``."""
    request_line = head.split(b"\r\n", 1)[0]
    parts = request_line.split(b" ")
    path = parts[1] if len(parts) == 3 else b""
    return "ws" if path.startswith(WS_PREFIX) else "http"


class _Pipe(asyncio.Protocol):
    """One side of a spliced connection: what it receives is written to ``peer``'s
    transport; each side pauses the other's reading while its own buffer is full. Nothing
    is done to a transport that is closing (uvloop does not forgive it)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.peer: _Pipe | None = None

    def _other(self) -> asyncio.Transport | None:
        other = self.peer.transport if self.peer is not None else None
        return None if other is None or other.is_closing() else other

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        other = self._other()
        if other is not None:
            other.write(data)

    def eof_received(self):
        other = self._other()
        if other is not None and other.can_write_eof():
            other.write_eof()
            return True  # keep our side open for the answer
        return False

    def connection_lost(self, exc) -> None:
        other = self._other()
        if other is not None:
            other.close()

    def pause_writing(self) -> None:
        other = self._other()
        if other is not None:
            other.pause_reading()

    def resume_writing(self) -> None:
        other = self._other()
        if other is not None:
            other.resume_reading()


class _Client(_Pipe):
    """The browser's side: buffers until the request head is whole, then connects to the
    upstream the path asks for and becomes a plain pipe."""

    def __init__(self, front: Front) -> None:
        super().__init__()
        self.front = front
        self.buffer = bytearray()
        self.routed = False
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.timer = asyncio.get_running_loop().call_later(HEAD_TIMEOUT, self._too_slow)

    def _refuse(self, status: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(
                b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            self.transport.close()

    def _too_slow(self) -> None:
        if not self.routed:
            self._refuse(b"408 Request Timeout")

    def data_received(self, data: bytes) -> None:
        if self.routed:
            if self.peer is not None:
                super().data_received(data)
            else:  # still connecting upstream
                self.buffer += data
            return
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD:
                self._refuse(b"431 Request Header Fields Too Large")
            return
        self.routed = True
        if self.timer is not None:
            self.timer.cancel()
        head, rest = bytes(self.buffer[:end]), bytes(self.buffer[end:])
        self.buffer = bytearray()
        self.transport.pause_reading()
        peer = self.transport.get_extra_info("peername") or ("", 0)
        local = self.transport.get_extra_info("sockname") or ("", 0)
        if route(head) == "ws":
            target = self.front.ws
            prefix = websocket_head(head, str(peer[0]) if peer else "") + rest
        else:
            target = self.front.http
            prefix = proxy_line(peer, local) + head + rest
        asyncio.get_running_loop().create_task(self._connect(target, prefix))

    async def _connect(self, target: tuple[str, int] | str, prefix: bytes) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + UPSTREAM_WAIT
        while True:
            try:
                if isinstance(target, str):
                    _transport, upstream = await loop.create_unix_connection(_Pipe, target)
                else:
                    _transport, upstream = await loop.create_connection(_Pipe, *target)
                break
            except OSError:
                # Not listening yet (uvicorn still starting while gunicorn already answers,
                # CI: a websocket refused 502 right after start-up) or restarting: wait a
                # little, then refuse.
                if loop.time() >= deadline or self.transport is None:
                    self._refuse(b"502 Bad Gateway")
                    return
                await asyncio.sleep(0.2)
        if self.transport is None or self.transport.is_closing():
            upstream.transport.close()
            return
        upstream.peer, self.peer = self, upstream
        upstream.transport.write(prefix + bytes(self.buffer))
        self.buffer = bytearray()
        self.transport.resume_reading()

    def connection_lost(self, exc) -> None:
        if self.timer is not None:
            self.timer.cancel()
        super().connection_lost(exc)


class Front:
    def __init__(self, http: tuple[str, int] | str, ws: tuple[str, int] | str) -> None:
        self.http, self.ws = http, ws

    async def serve(self, host: str, port: int, *, ready=None) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: _Client(self), host, port, reuse_address=True, backlog=2048
        )
        if ready is not None:
            ready(server)
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        async with server:
            await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, metavar="HOST:PORT")
    parser.add_argument("--http", required=True, metavar="HOST:PORT|unix:PATH", help="gunicorn")
    parser.add_argument("--ws", required=True, metavar="HOST:PORT|unix:PATH", help="uvicorn (/ws/)")
    options = parser.parse_args(argv)
    uvloop = None
    if os.environ.get("BALCAO_FRONT_UVLOOP") == "1":
        import uvloop
    front = Front(_upstream(options.http), _upstream(options.ws))
    host, port = _host_port(options.listen)
    runner = uvloop.run if uvloop is not None else asyncio.run
    runner(front.serve(host, port))


if __name__ == "__main__":
    main()
