"""A protocol-level Asterisk Manager Interface peer for the tests: an asyncio TCP server
that speaks AMI's text protocol (banner, Login, QueueStatus, Originate, Ping) and replays
event traces written as AMI sends them (``Header: value`` lines, a blank line between
events). It records every action it received, so tests check what Balcão asked the PBX."""

from __future__ import annotations

import asyncio
import time
from collections import deque

EOL = "\r\n"
SECRET = "s3cret"


def parse_trace(text: str) -> list[dict[str, str]]:
    """Events as AMI writes them, one block per event (a blank line between)."""
    events = []
    for block in text.strip().split("\n\n"):
        event: dict[str, str] = {}
        for line in block.strip().splitlines():
            key, _, value = line.partition(":")
            event[key.strip()] = value.strip()
        if event:
            events.append(event)
    return events


def render(message: dict[str, str]) -> bytes:
    return ("".join(f"{k}: {v}{EOL}" for k, v in message.items()) + EOL).encode()


class AmiPeer:
    """``status``: the events QueueStatus answers with; ``originate``: the outcomes of the
    next Originates, each ("Success"|"Failure", reason code) or ("Error", message)."""

    def __init__(self, *, secret: str = SECRET, status: list[dict] | None = None):
        self.secret = secret
        self.status = list(status or [])
        self.originate: deque[tuple[str, str]] = deque()
        self.actions: list[dict[str, object]] = []
        self.logins = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.base_events.Server | None = None
        self.port = 0

    async def start(self, port: int = 0) -> AmiPeer:
        """Listen on ``port`` (a free one by default; the same again: the PBX is back)."""
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.drop()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def drop(self) -> None:
        """Close every connection (the PBX restarting)."""
        for writer in self.writers:
            writer.close()
        self.writers.clear()

    def originated(self) -> list[dict[str, object]]:
        return [a for a in self.actions if str(a.get("Action")).lower() == "originate"]

    async def send(self, events: list[dict[str, str]]) -> None:
        for writer in self.writers:
            for event in events:
                writer.write(render(event))
            await writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.writers.append(writer)
        writer.write(f"Asterisk Call Manager/7.0.3{EOL}".encode())
        try:
            while True:
                block = await reader.readuntil(b"\r\n\r\n")
                action: dict[str, object] = {}
                for line in block.decode().split(EOL):
                    if ": " in line:
                        key, value = line.split(": ", 1)
                        if key in action:  # Variable: repeated
                            old = action[key]
                            action[key] = [*old, value] if isinstance(old, list) else [old, value]
                        else:
                            action[key] = value
                self.actions.append(action)
                for message in self._answer(action):
                    writer.write(render(message))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if writer in self.writers:
                self.writers.remove(writer)
            writer.close()

    def _answer(self, action: dict[str, object]) -> list[dict[str, str]]:
        name = str(action.get("Action", "")).lower()
        aid = str(action.get("ActionID", ""))
        if name == "login":
            if action.get("Secret") != self.secret:
                return [{"Response": "Error", "ActionID": aid, "Message": "Authentication failed"}]
            self.logins += 1
            return [
                {"Response": "Success", "ActionID": aid, "Message": "Authentication accepted"},
                {"Event": "FullyBooted", "Privilege": "system,all", "Status": "Fully Booted"},
            ]
        if name == "queuestatus":
            return [
                {
                    "Response": "Success",
                    "ActionID": aid,
                    "EventList": "start",
                    "Message": "Queue status will follow",
                },
                *({**event, "ActionID": aid} for event in self.status),
                {
                    "Event": "QueueStatusComplete",
                    "ActionID": aid,
                    "EventList": "Complete",
                    "ListItems": str(len(self.status)),
                },
            ]
        if name == "originate":
            response, reason = self.originate.popleft() if self.originate else ("Success", "4")
            if response == "Error":
                return [{"Response": "Error", "ActionID": aid, "Message": reason}]
            return [
                {
                    "Response": "Success",
                    "ActionID": aid,
                    "Message": "Originate successfully queued",
                },
                {
                    "Event": "OriginateResponse",
                    "ActionID": aid,
                    "Response": response,
                    "Channel": str(action.get("Channel", "")),
                    "Context": str(action.get("Context", "")),
                    "Exten": str(action.get("Exten", "")),
                    "Reason": reason,
                    "Uniqueid": f"{time.time():.1f}" if response == "Success" else "<null>",
                },
            ]
        if name == "ping":
            return [{"Response": "Success", "ActionID": aid, "Ping": "Pong"}]
        return [{"Response": "Error", "ActionID": aid, "Message": "Invalid/unknown command"}]


async def until(condition, timeout: float = 5.0) -> None:
    """Wait for ``condition()`` to hold (events travel through a socket)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the AMI feed")
        await asyncio.sleep(0.01)
