"""Events from the processes that hold no websocket to the one that holds them all.

``balcao serve`` (and so ``make run``) runs gunicorn's workers for HTTP, one uvicorn process
for the websockets and a task worker (serve.py). Without Redis each would have its own
in-memory channel layer, and what an agent does over HTTP (accept a chat, send a file) or a
task does would never reach the person's socket, held by uvicorn: issue 24 asks that "the
chat must work from ``make run`` with no flag". So, when no ``REDIS_URL`` is set, the
processes without websockets use :class:`RelayChannelLayer`, which hands each
``group_send`` to the uvicorn process over its private Unix socket (``RELAY_PATH``, with a
token made for this run); there the in-memory layer reaches every consumer, since all of
them live in that one process. With ``REDIS_URL`` every process shares Redis instead (and
several ``balcao serve`` can run side by side).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os

from channels.layers import BaseChannelLayer, get_channel_layer

#: The relay's path on uvicorn's Unix socket; the front never routes it (only ``/ws/``).
RELAY_PATH = "/_balcao/layer/"
#: The environment ``balcao serve`` gives its children: the socket and the run's token.
SOCKET_ENV, TOKEN_ENV = "BALCAO_LAYER_RELAY", "BALCAO_LAYER_TOKEN"
TIMEOUT = 5.0
MAX_BODY = 1024 * 1024


class RelayError(ConnectionError):
    """The websocket process did not take the event."""


class RelayChannelLayer(BaseChannelLayer):
    """Sends to groups through the websocket process; receives nothing (no consumer runs
    in a process that uses it)."""

    extensions = ["groups"]

    def __init__(self, socket: str = "", token: str = "", **kwargs):
        super().__init__(**kwargs)
        self.socket = socket or os.environ.get(SOCKET_ENV, "")
        self.token = token or os.environ.get(TOKEN_ENV, "")

    async def group_send(self, group: str, message: dict) -> None:
        self.require_valid_group_name(group)
        body = json.dumps({"group": group, "message": message}).encode()
        head = (
            f"POST {RELAY_PATH} HTTP/1.1\r\nHost: localhost\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-Balcao-Layer-Token: {self.token}\r\nConnection: close\r\n\r\n"
        ).encode()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_unix_connection(self.socket), TIMEOUT
            )
        except (OSError, TimeoutError) as exc:
            raise RelayError(f"the websocket process is not answering on {self.socket}") from exc
        try:
            writer.write(head + body)
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), TIMEOUT)
        finally:
            writer.close()
        if status.split(b" ")[1:2] != [b"204"]:
            raise RelayError(f"the websocket process refused the event: {status!r}")

    async def send(self, channel: str, message: dict) -> None:
        raise NotImplementedError("only groups are relayed to the websocket process")

    async def receive(self, channel: str) -> dict:
        raise NotImplementedError("consumers run in the websocket process")

    async def new_channel(self, prefix: str = "specific.") -> str:
        raise NotImplementedError("consumers run in the websocket process")

    async def group_add(self, group: str, channel: str) -> None:
        raise NotImplementedError("consumers run in the websocket process")

    async def group_discard(self, group: str, channel: str) -> None:
        raise NotImplementedError("consumers run in the websocket process")

    async def flush(self) -> None:
        return None


def relay_enabled() -> bool:
    """In the websocket process of ``balcao serve`` (it was given the run's token)."""
    return bool(os.environ.get(TOKEN_ENV))


async def relay_application(scope, receive, send) -> None:
    """The websocket process's side (``balcao.asgi``): a relayed ``group_send`` goes to this
    process's layer. Refused without the run's token (403), or malformed (400)."""

    async def answer(status: int) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    headers = dict(scope.get("headers") or [])
    token = os.environ.get(TOKEN_ENV, "").encode()
    if scope.get("method") != "POST" or not token:
        return await answer(404)
    if not hmac.compare_digest(headers.get(b"x-balcao-layer-token", b""), token):
        return await answer(403)
    body = b""
    while True:
        event = await receive()
        body += event.get("body", b"")
        if len(body) > MAX_BODY:
            return await answer(413)
        if not event.get("more_body"):
            break
    try:
        data = json.loads(body)
        group, message = data["group"], data["message"]
        if not isinstance(group, str) or not isinstance(message, dict):
            raise ValueError(group)
    except (ValueError, KeyError, TypeError):
        return await answer(400)
    await get_channel_layer().group_send(group, message)
    return await answer(204)
