"""The contact centre as it is now, kept from Asterisk Manager Interface (AMI) events (pure:
no Django).

Issue 23: "agent states, queue state and calls in real time for the supervisor wallboard"
and callbacks "dialled when an agent is free". ``LiveState.apply`` folds one AMI event (its
headers as a dict) into the state; ``balcao.telephony.ami`` feeds it from the socket and
``balcao.telephony.services.dial_pending_callbacks`` asks it for a free agent.

Events read (Asterisk 12+ names, the older ones where they differ): QueueMember (the answer
to QueueStatus), QueueMemberAdded, QueueMemberRemoved, QueueMemberStatus, QueueMemberPaused
(QueueMemberPause), QueueEntry, QueueCallerJoin (Join), QueueCallerLeave (Leave),
AgentConnect, AgentComplete, Newchannel, Hangup. Anything else leaves the state alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Asterisk's device states (``AST_DEVICE_*``), as QueueMember* events number them.
DEVICE_STATES = {
    0: "unknown",
    1: "not_in_use",
    2: "in_use",
    3: "busy",
    4: "invalid",
    5: "unavailable",
    6: "ringing",
    7: "ringing",  # ringing while in use
    8: "on_hold",
}
#: A member in one of these device states can take a call (``unknown``: a Local channel
#: whose device Asterisk does not track).
TAKES_CALLS = frozenset({0, 1})


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _yes(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Member:
    """An agent's place in one queue (Asterisk's queue member)."""

    queue: str
    interface: str  # what the PBX dials to reach the agent: "PJSIP/201"
    name: str = ""
    status: int = 0
    paused: bool = False
    pause_reason: str = ""
    in_call: bool = False

    @property
    def state(self) -> str:
        """What the wallboard shows: free, paused, in a call, ringing or unavailable."""
        if self.paused:
            return "paused"
        if self.status in (4, 5):
            return "unavailable"
        if self.status in (6, 7):
            return "ringing"
        if self.in_call or self.status in (2, 3, 8):
            return "busy"
        return "free"

    @property
    def free(self) -> bool:
        return self.state == "free" and self.status in TAKES_CALLS


@dataclass
class Waiting:
    """A caller waiting in a queue."""

    queue: str
    uniqueid: str
    number: str = ""
    since: float = 0.0


@dataclass
class LiveCall:
    """A queue call an agent answered, until AgentComplete or its hangup."""

    uniqueid: str
    queue: str
    interface: str
    agent: str = ""
    number: str = ""
    hold_time: int = 0
    since: float = 0.0


@dataclass
class Channel:
    uniqueid: str
    name: str
    number: str = ""
    exten: str = ""
    since: float = 0.0


@dataclass
class LiveState:
    """Members by (queue, interface), waiting callers by queue and uniqueid, answered
    queue calls and open channels by uniqueid."""

    members: dict[tuple[str, str], Member] = field(default_factory=dict)
    waiting: dict[str, dict[str, Waiting]] = field(default_factory=dict)
    calls: dict[str, LiveCall] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    events: int = 0

    def reset(self) -> None:
        """Forget everything (after a reconnection, before QueueStatus tells it again)."""
        self.members.clear()
        self.waiting.clear()
        self.calls.clear()
        self.channels.clear()

    def apply_all(self, events: Iterable[Mapping[str, Any]], now: float = 0.0) -> None:
        for event in events:
            self.apply(event, now)

    def apply(self, event: Mapping[str, Any], now: float = 0.0) -> None:
        """Fold one AMI event (header → value; header names as Asterisk writes them)."""
        headers = {str(k).lower(): v for k, v in event.items()}
        name = str(headers.get("event", "")).lower()
        step = _STEPS.get(name)
        if step is not None:
            self.events += 1
            step(self, headers, now)

    # --- questions -------------------------------------------------------------------

    def free_member(self, queue: str = "", exclude: Iterable[str] = ()) -> Member | None:
        """A free agent of ``queue`` (any queue when empty) not in ``exclude``: the one
        whose name sorts first, so that the choice is the same on every run."""
        skip = set(exclude)
        candidates = [
            m
            for m in self.members.values()
            if m.free and m.interface not in skip and (not queue or m.queue == queue)
        ]
        return min(candidates, key=lambda m: (m.name, m.interface), default=None)

    def agents(self) -> dict[str, dict[str, Any]]:
        """Each agent (by interface) with its queues and the state the wallboard shows: busy
        in any queue makes the agent busy, and paused only when paused in all."""
        agents: dict[str, dict[str, Any]] = {}
        for member in sorted(self.members.values(), key=lambda m: (m.interface, m.queue)):
            agent = agents.setdefault(
                member.interface,
                {
                    "interface": member.interface,
                    "name": member.name,
                    "queues": [],
                    "states": [],
                    "pause_reason": "",
                },
            )
            agent["queues"].append(member.queue)
            agent["states"].append(member.state)
            if member.paused and member.pause_reason:
                agent["pause_reason"] = member.pause_reason
        order = ("busy", "ringing", "free", "paused", "unavailable")
        for agent in agents.values():
            states = agent.pop("states")
            agent["state"] = next(s for s in order if s in states)
        return agents

    def snapshot(self, now: float = 0.0) -> dict[str, Any]:
        """The wallboard's data: agents, queues (waiting, longest wait, free agents) and
        the calls in progress."""
        queues: dict[str, dict[str, Any]] = {}
        names = {m.queue for m in self.members.values()} | set(self.waiting)
        for queue in sorted(names):
            waiting = list(self.waiting.get(queue, {}).values())
            queues[queue] = {
                "waiting": len(waiting),
                "longest_wait": max((now - w.since for w in waiting), default=0.0),
                "free_agents": sum(1 for m in self.members.values() if m.queue == queue and m.free),
            }
        return {
            "agents": list(self.agents().values()),
            "queues": queues,
            "calls": [
                {
                    "uniqueid": c.uniqueid,
                    "queue": c.queue,
                    "agent": c.agent or c.interface,
                    "interface": c.interface,
                    "number": c.number,
                    "seconds": now - c.since,
                }
                for c in self.calls.values()
            ],
            "channels": len(self.channels),
        }


def _member_fields(headers: dict[str, Any]) -> tuple[str, str]:
    queue = str(headers.get("queue", ""))
    interface = str(
        headers.get("interface") or headers.get("location") or headers.get("stateinterface", "")
    )
    return queue, interface


def _member(state: LiveState, headers: dict[str, Any], now: float) -> None:
    queue, interface = _member_fields(headers)
    if not queue or not interface:
        return
    member = state.members.setdefault((queue, interface), Member(queue, interface))
    member.name = str(headers.get("membername") or headers.get("name") or member.name)
    if "status" in headers:
        member.status = _int(headers["status"])
    if "paused" in headers:
        member.paused = _yes(headers["paused"])
        member.pause_reason = str(headers.get("pausedreason", "")) if member.paused else ""
    if "incall" in headers:
        member.in_call = _yes(headers["incall"])


def _member_removed(state: LiveState, headers: dict[str, Any], now: float) -> None:
    state.members.pop(_member_fields(headers), None)


def _member_paused(state: LiveState, headers: dict[str, Any], now: float) -> None:
    member = state.members.get(_member_fields(headers))
    if member is None:
        _member(state, headers, now)
        return
    member.paused = _yes(headers.get("paused", "1"))
    reason = headers.get("pausedreason", headers.get("reason", ""))
    member.pause_reason = str(reason) if member.paused else ""


def _caller_join(state: LiveState, headers: dict[str, Any], now: float) -> None:
    queue, uniqueid = str(headers.get("queue", "")), str(headers.get("uniqueid", ""))
    if not queue or not uniqueid:
        return
    since = now - _int(headers.get("wait", 0))  # QueueEntry tells how long already
    number = str(headers.get("calleridnum", "") or headers.get("callerid", ""))
    state.waiting.setdefault(queue, {})[uniqueid] = Waiting(queue, uniqueid, number, since)


def _caller_leave(state: LiveState, headers: dict[str, Any], now: float) -> None:
    queue, uniqueid = str(headers.get("queue", "")), str(headers.get("uniqueid", ""))
    waiting = state.waiting.get(queue)
    if waiting is not None:
        waiting.pop(uniqueid, None)
        if not waiting:
            del state.waiting[queue]


def _agent_connect(state: LiveState, headers: dict[str, Any], now: float) -> None:
    queue, interface = _member_fields(headers)
    interface = interface or str(headers.get("member", ""))
    uniqueid = str(headers.get("uniqueid", ""))
    _caller_leave(state, headers, now)
    member = state.members.get((queue, interface))
    if member is not None:
        member.in_call = True
    state.calls[uniqueid] = LiveCall(
        uniqueid,
        queue,
        interface,
        agent=str(headers.get("membername", "")),
        number=str(headers.get("calleridnum", "")),
        hold_time=_int(headers.get("holdtime", 0)),
        since=now,
    )


def _agent_complete(state: LiveState, headers: dict[str, Any], now: float) -> None:
    call = state.calls.pop(str(headers.get("uniqueid", "")), None)
    queue, interface = _member_fields(headers)
    if call is not None:
        queue, interface = call.queue, call.interface
    member = state.members.get((queue, interface or str(headers.get("member", ""))))
    if member is not None:
        member.in_call = False


def _new_channel(state: LiveState, headers: dict[str, Any], now: float) -> None:
    uniqueid = str(headers.get("uniqueid", ""))
    if uniqueid:
        state.channels[uniqueid] = Channel(
            uniqueid,
            str(headers.get("channel", "")),
            str(headers.get("calleridnum", "")),
            str(headers.get("exten", "")),
            now,
        )


def _hangup(state: LiveState, headers: dict[str, Any], now: float) -> None:
    uniqueid = str(headers.get("uniqueid", ""))
    state.channels.pop(uniqueid, None)
    call = state.calls.pop(uniqueid, None)
    if call is not None:
        member = state.members.get((call.queue, call.interface))
        if member is not None:
            member.in_call = False
    for queue in [q for q, w in state.waiting.items() if uniqueid in w]:
        _caller_leave(state, {"queue": queue, "uniqueid": uniqueid}, now)


_STEPS = {
    "queuemember": _member,
    "queuememberadded": _member,
    "queuememberstatus": _member,
    "queuememberremoved": _member_removed,
    "queuememberpaused": _member_paused,
    "queuememberpause": _member_paused,
    "queueentry": _caller_join,
    "queuecallerjoin": _caller_join,
    "join": _caller_join,
    "queuecallerleave": _caller_leave,
    "leave": _caller_leave,
    "agentconnect": _agent_connect,
    "agentcomplete": _agent_complete,
    "newchannel": _new_channel,
    "hangup": _hangup,
}
