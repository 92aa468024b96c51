"""The AMI live feed (issue 23): ``balcao.telephony.ami.AmiFeed`` against a protocol-level
AMI peer replaying a recorded-looking event trace, and the pure state reducer
(``balcao.telephony.live``)."""

from __future__ import annotations

import asyncio

import pytest

from balcao.telephony.ami import AmiFeed
from balcao.telephony.live import LiveState
from tests.telephony.amipeer import AmiPeer, parse_trace, until

# What a supervisor's morning looks like on the wire (Asterisk 18, queue "sac"): three
# agents join, one pauses for lunch, three callers queue, Ana answers the first, Bruno
# leaves the queue, the third caller gives up.
TRACE = parse_trace(
    """
Event: QueueMemberAdded
Privilege: agent,all
Queue: sac
MemberName: Ana
Interface: PJSIP/201
StateInterface: PJSIP/201
Membership: dynamic
Penalty: 0
CallsTaken: 0
Status: 1
Paused: 0
InCall: 0

Event: QueueMemberAdded
Queue: sac
MemberName: Bruno
Interface: PJSIP/202
Status: 1
Paused: 0

Event: QueueMemberAdded
Queue: sac
MemberName: Carla
Interface: PJSIP/203
Status: 1
Paused: 0

Event: QueueMemberPaused
Queue: sac
MemberName: Carla
Interface: PJSIP/203
Paused: 1
PausedReason: almoco

Event: Newchannel
Channel: PJSIP/trunk-00000001
ChannelState: 0
CallerIDNum: 912345678
Exten: 800
Context: from-trunk
Uniqueid: 1764842400.1

Event: QueueCallerJoin
Channel: PJSIP/trunk-00000001
CallerIDNum: 912345678
Queue: sac
Position: 1
Count: 1
Uniqueid: 1764842400.1

Event: Newchannel
Channel: PJSIP/trunk-00000002
CallerIDNum: 913000000
Exten: 800
Uniqueid: 1764842405.2

Event: QueueCallerJoin
Channel: PJSIP/trunk-00000002
CallerIDNum: 913000000
Queue: sac
Position: 2
Count: 2
Uniqueid: 1764842405.2

Event: AgentCalled
Queue: sac
Interface: PJSIP/201
MemberName: Ana
Uniqueid: 1764842400.1

Event: AgentConnect
Channel: PJSIP/trunk-00000001
CallerIDNum: 912345678
Uniqueid: 1764842400.1
DestChannel: PJSIP/201-00000003
Queue: sac
Interface: PJSIP/201
MemberName: Ana
HoldTime: 12
RingTime: 3

Event: QueueCallerLeave
Channel: PJSIP/trunk-00000001
Queue: sac
Count: 1
Position: 1
Uniqueid: 1764842400.1

Event: QueueMemberStatus
Queue: sac
MemberName: Ana
Interface: PJSIP/201
Status: 2
Paused: 0
InCall: 1

Event: QueueMemberRemoved
Queue: sac
MemberName: Bruno
Interface: PJSIP/202

Event: Newchannel
Channel: PJSIP/trunk-00000004
CallerIDNum: 914000000
Uniqueid: 1764842410.4

Event: QueueCallerJoin
Queue: sac
CallerIDNum: 914000000
Position: 2
Count: 2
Uniqueid: 1764842410.4

Event: QueueCallerAbandon
Queue: sac
Uniqueid: 1764842410.4
Position: 2
OriginalPosition: 2
HoldTime: 20

Event: Hangup
Channel: PJSIP/trunk-00000004
Uniqueid: 1764842410.4
Cause: 16
"""
)

CALL_ENDS = parse_trace(
    """
Event: AgentComplete
Queue: sac
Interface: PJSIP/201
MemberName: Ana
Uniqueid: 1764842400.1
HoldTime: 12
TalkTime: 180
Reason: caller

Event: QueueMemberStatus
Queue: sac
MemberName: Ana
Interface: PJSIP/201
Status: 1
Paused: 0
InCall: 0

Event: Hangup
Channel: PJSIP/trunk-00000001
Uniqueid: 1764842400.1
"""
)


def check_after_trace(state: LiveState) -> None:
    agents = state.agents()
    assert {i: a["state"] for i, a in agents.items()} == {
        "PJSIP/201": "busy",
        "PJSIP/203": "paused",
    }
    assert agents["PJSIP/201"]["name"] == "Ana"
    assert state.members[("sac", "PJSIP/203")].pause_reason == "almoco"
    assert list(state.waiting["sac"]) == ["1764842405.2"]
    assert state.waiting["sac"]["1764842405.2"].number == "913000000"
    (call,) = state.calls.values()
    assert (call.uniqueid, call.interface, call.number, call.hold_time) == (
        "1764842400.1",
        "PJSIP/201",
        "912345678",
        12,
    )
    assert set(state.channels) == {"1764842400.1", "1764842405.2"}
    assert state.free_member("sac") is None
    board = state.snapshot(now=0)
    assert board["queues"]["sac"]["waiting"] == 1 and board["queues"]["sac"]["free_agents"] == 0
    assert board["calls"][0]["agent"] == "Ana"


def test_the_reducer_folds_the_trace():
    state = LiveState()
    state.apply_all(TRACE)
    check_after_trace(state)
    state.apply_all(CALL_ENDS)
    assert state.calls == {} and state.free_member("sac").interface == "PJSIP/201"
    assert state.free_member("sac", exclude={"PJSIP/201"}) is None
    assert state.free_member("outra") is None


def test_the_reducer_ignores_what_it_does_not_know():
    state = LiveState()
    state.apply({"Event": "VarSet", "Variable": "X", "Value": "1"})
    state.apply({"Event": "QueueMemberAdded", "Queue": "sac"})  # no interface
    state.apply({"Response": "Success"})
    assert state.members == {} and state.events == 1


def test_old_event_names_are_read_too():
    state = LiveState()
    state.apply({"Event": "QueueMemberAdded", "Queue": "q", "Location": "SIP/9", "Status": "1"})
    state.apply({"Event": "QueueMemberPause", "Queue": "q", "Location": "SIP/9", "Paused": "1"})
    state.apply({"Event": "Join", "Queue": "q", "Uniqueid": "u1", "CallerIDNum": "9"})
    assert state.members[("q", "SIP/9")].state == "paused"
    state.apply({"Event": "Leave", "Queue": "q", "Uniqueid": "u1"})
    assert state.waiting == {}


def run(coroutine):
    """Run ``coroutine`` on a loop of its own, in a thread: the browser tests leave
    Playwright's loop running in this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coroutine, 20)).result()


def test_the_feed_keeps_the_state_from_the_socket():
    async def scenario():
        peer = await AmiPeer().start()
        feed = AmiFeed("127.0.0.1", peer.port, "balcao", "s3cret", reconnect_seconds=1)
        try:
            await feed.connect(timeout=5)
            login = peer.actions[0]
            assert login["Action"] == "Login" and login["Username"] == "balcao"
            assert [a["Action"] for a in peer.actions[1:]] == ["QueueStatus"]
            await peer.send(TRACE)
            await until(lambda: feed.state.events >= 15)
            check_after_trace(feed.state)
            await peer.send(CALL_ENDS)
            await until(lambda: not feed.state.calls)
            assert feed.state.free_member("sac").name == "Ana"
        finally:
            feed.close()
            await peer.stop()

    run(scenario())


def test_the_state_is_read_again_after_a_reconnection():
    """The PBX restarts: the feed logs in again and QueueStatus tells the state anew
    (nothing of the old connection's state survives)."""

    async def scenario():
        status = parse_trace(
            """
Event: QueueMember
Queue: sac
Name: Ana
Location: PJSIP/201
StateInterface: PJSIP/201
Status: 1
Paused: 0
InCall: 0

Event: QueueEntry
Queue: sac
Position: 1
Uniqueid: 1764842500.9
CallerIDNum: 915555555
Wait: 40
"""
        )
        peer = await AmiPeer(status=status).start()
        feed = AmiFeed("127.0.0.1", peer.port, "balcao", "s3cret", reconnect_seconds=1)
        feed.clock = lambda: 1000.0
        try:
            await feed.connect(timeout=5)
            assert feed.state.free_member("sac").interface == "PJSIP/201"
            assert feed.state.snapshot(1000.0)["queues"]["sac"]["longest_wait"] == 40
            peer.status = []
            await peer.send(TRACE[:1])
            peer.drop()
            await until(lambda: not feed.connected)
            await until(lambda: feed.connected and peer.logins == 2, timeout=10)
            assert feed.state.members == {} and feed.state.waiting == {}
        finally:
            feed.close()
            await peer.stop()

    run(scenario())


def test_a_wrong_secret_never_logs_in():
    async def scenario():
        peer = await AmiPeer().start()
        feed = AmiFeed("127.0.0.1", peer.port, "balcao", "errado", reconnect_seconds=1)
        try:
            with pytest.raises(TimeoutError):
                await feed.connect(timeout=1)
            assert peer.logins == 0 and not feed.connected
        finally:
            feed.close()
            await peer.stop()

    run(scenario())
