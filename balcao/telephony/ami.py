"""A small Asterisk Manager Interface client on panoramisk (asyncio; issue 23: "AMI live
feed … agent states, queue state and calls in real time; originate for click-to-call and
callbacks").

``AmiFeed`` logs in, asks QueueStatus for the state as it is, then folds every event into a
``balcao.telephony.live.LiveState``; after a lost connection panoramisk reconnects by itself
and the state is rebuilt the same way. ``originate`` places a call and waits for its
outcome (the OriginateResponse event). The caller passes the connection settings (``from_settings``
reads Django's ``BALCAO_AMI_*``), so it runs in tests against any peer; the secret comes
from the environment only, never from the database."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from panoramisk import Manager

from balcao.telephony.live import LiveState

log = logging.getLogger(__name__)

#: OriginateResponse's Reason codes (Asterisk's ``AST_CONTROL_*``).
REASONS = {
    "0": "no_such_destination",
    "1": "hung_up",
    "3": "no_answer",
    "4": "answered",
    "5": "busy",
    "8": "congestion",
}


@dataclass(frozen=True)
class OriginateOutcome:
    """What became of an Originate: ``success`` when the first leg answered and the call
    went on to the destination; ``reason`` a word of ``REASONS`` or the PBX's message."""

    success: bool
    reason: str
    uniqueid: str = ""


class AmiFeed:
    """One AMI connection and the live state it keeps."""

    def __init__(
        self,
        host: str,
        port: int = 5038,
        username: str = "",
        secret: str = "",
        *,
        reconnect_seconds: int = 2,
        ping_seconds: int = 20,
        clock=time.time,
    ):
        self.state = LiveState()
        self.clock = clock
        self.busy: set[str] = set()  # interfaces an Originate of ours is ringing
        self.logged_in = asyncio.Event()
        self.manager = Manager(
            host=host,
            port=port,
            username=username,
            secret=secret,
            ping_delay=ping_seconds,
            ping_interval=ping_seconds,
            reconnect_timeout=reconnect_seconds,
            on_login=self._on_login,
            on_disconnect=self._on_disconnect,
            log=log,
        )
        self.manager.register_event("*", self._on_event)
        self._refresh: asyncio.Task | None = None

    @classmethod
    def from_settings(cls, settings: Any, **kwargs) -> AmiFeed:
        return cls(
            settings.BALCAO_AMI_HOST,
            settings.BALCAO_AMI_PORT,
            settings.BALCAO_AMI_USER,
            settings.BALCAO_AMI_SECRET,
            **kwargs,
        )

    def start(self) -> None:
        """Open the connection once; panoramisk retries a refused or lost one by itself
        every ``reconnect_seconds``."""
        self.manager.loop = asyncio.get_running_loop()
        self.manager.connect()

    async def connect(self, timeout: float | None = None) -> None:
        """Start and wait until logged in and the state is read (``timeout`` seconds, or
        for ever)."""
        self.start()
        await asyncio.wait_for(self.logged_in.wait(), timeout)

    @property
    def connected(self) -> bool:
        return self.logged_in.is_set()

    def close(self) -> None:
        self.manager.connection_lost = lambda exc: None  # closing on purpose: no reconnect
        self.manager.close()
        self.logged_in.clear()

    def _on_event(self, manager, event) -> None:
        self.state.apply(dict(event), self.clock())

    def _on_login(self, manager) -> None:
        self._refresh = asyncio.ensure_future(self._read_state())

    def _on_disconnect(self, manager, exc) -> None:
        log.warning("AMI: connection lost (%s); reconnecting", exc)
        self.logged_in.clear()

    async def _read_state(self) -> None:
        """QueueStatus answers with the members and waiting callers as they are now."""
        try:
            answer = await self.manager.send_action({"Action": "QueueStatus"})
        except Exception:  # a dropped connection: the next login reads it again
            log.exception("AMI: QueueStatus failed")
            return
        self.state.reset()
        messages = answer if isinstance(answer, list) else [answer]
        self.state.apply_all((dict(m) for m in messages if "Event" in m), self.clock())
        self.logged_in.set()

    async def originate(
        self,
        *,
        channel: str,
        context: str,
        exten: str,
        caller_id: str,
        priority: int = 1,
        timeout_seconds: int = 30,
        variables: dict[str, str] | None = None,
    ) -> OriginateOutcome:
        """Ring ``channel`` (the agent); once answered, send the call to ``exten`` in
        ``context`` (the dialplan dials the person's number there). Waits for the
        OriginateResponse event, a little longer than the ring time."""
        action: dict[str, Any] = {
            "Action": "Originate",
            "Channel": channel,
            "Context": context,
            "Exten": exten,
            "Priority": str(priority),
            "CallerID": caller_id,
            "Timeout": str(timeout_seconds * 1000),
            "Async": "true",
        }
        if variables:
            action["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        self.busy.add(channel)
        try:
            answer = await asyncio.wait_for(self.manager.send_action(action), timeout_seconds + 15)
        except TimeoutError:
            return OriginateOutcome(False, "timeout")
        finally:
            self.busy.discard(channel)
        messages = answer if isinstance(answer, list) else [answer]
        last = messages[-1]
        response = str(last.get("Response", ""))
        if response.lower() == "success":
            return OriginateOutcome(True, "answered", str(last.get("Uniqueid", "")))
        reason = REASONS.get(str(last.get("Reason", "")), "") or str(
            last.get("Message", "") or "failure"
        )
        return OriginateOutcome(False, reason)
