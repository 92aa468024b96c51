"""Callbacks and click-to-call (issue 23): requests from the queue (CALLBACKREQUEST in the
queue_log) and from the website, dialled through the AMI peer only when an agent of the
queue is free, retried 3 times 5 minutes apart, outcomes recorded."""

from __future__ import annotations

import asyncio
import io
import json
import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from balcao.telephony import services
from balcao.telephony.ami import AmiFeed
from balcao.telephony.models import Call, CallbackRequest, Line
from tests.telephony.amipeer import AmiPeer, parse_trace, until

pytestmark = pytest.mark.django_db

URL = "/api/v1/telephony/click-to-call"

MEMBERS = parse_trace(
    """
Event: QueueMember
Queue: sac
Name: Ana
Location: PJSIP/201
Status: 2
Paused: 0
InCall: 1

Event: QueueMember
Queue: sac
Name: Bruno
Location: PJSIP/202
Status: 1
Paused: 1
PausedReason: pausa

Event: QueueMember
Queue: marcas
Name: Dora
Location: PJSIP/301
Status: 1
Paused: 0
InCall: 0
"""
)
BRUNO_BACK = parse_trace(
    """
Event: QueueMemberPaused
Queue: sac
MemberName: Bruno
Interface: PJSIP/202
Paused: 0
"""
)


@pytest.fixture(autouse=True)
def _fresh_budgets():
    cache.clear()
    yield
    cache.clear()


def in_feed(scenario, *, status=MEMBERS, outcomes=()):
    """Run ``scenario(peer, feed)`` inside one event loop with a logged-in feed; database
    work inside goes through sync_to_async (back on the test's thread and transaction)."""

    async def main():
        peer = await AmiPeer(status=status).start()
        peer.originate.extend(outcomes)
        feed = AmiFeed("127.0.0.1", peer.port, "balcao", "s3cret", reconnect_seconds=1)
        try:
            await feed.connect(timeout=5)
            return await scenario(peer, feed)
        finally:
            feed.close()
            await peer.stop()

    async def bounded():
        return await asyncio.wait_for(main(), 30)

    return async_to_sync(bounded)()


# --- requests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "dialled"),
    [
        ("+351 212 345 678", "+351212345678"),
        ("00351-912-345-678", "+351912345678"),
        ("(21) 98765-4321", "21987654321"),
        ("912345678", "912345678"),
    ],
)
def test_numbers_are_normalised(typed, dialled):
    assert services.check_callback_number(typed) == dialled


@pytest.mark.parametrize(
    "typed", ["", "123", "+0351912345678", "91234567a", "912345678&Channel: x", "1" * 16, None]
)
def test_what_is_not_a_number_is_refused(typed):
    with pytest.raises(services.CallbackError, match="Número de telefone inválido"):
        services.check_callback_number(typed)


def test_a_pending_request_for_the_same_number_is_not_doubled():
    first, created = services.do_request_callback(
        "912 345 678", queue="sac", source="queue", consent=True
    )
    again, created_again = services.do_request_callback(
        "912345678", queue="marcas", source="web", consent=True
    )
    assert created and not created_again and again.pk == first.pk
    assert CallbackRequest.objects.count() == 1
    CallbackRequest.objects.filter(pk=first.pk).update(status="done")
    _third, created_third = services.do_request_callback("912345678", source="web", consent=True)
    assert created_third and CallbackRequest.objects.count() == 2


def test_no_consent_no_request():
    with pytest.raises(services.CallbackError):
        services.do_request_callback("912345678", source="web", consent=False)
    assert not CallbackRequest.objects.exists()


def test_a_callbackrequest_line_in_the_queue_log_makes_a_request(tmp_path):
    t = int(time.time()) - 600
    log = tmp_path / "queue_log"
    log.write_text(
        f"{t - 86400}|{t - 86400}.9|sac|NONE|ENTERQUEUE||915000000|1\n"
        f"{t - 86400 + 61}|{t - 86400}.9|sac|NONE|CALLBACKREQUEST|915000000\n"  # yesterday
        f"{t}|{t}.1|sac|NONE|ENTERQUEUE||912345678|1\n"
        f"{t + 61}|{t}.1|sac|NONE|CALLBACKREQUEST|912345678\n"
        f"{t + 62}|{t}.1|sac|NONE|EXITWITHKEY|1|1\n"
        f"{t + 100}|{t + 100}.2|sac|NONE|CALLBACKREQUEST|anonymous\n"
    )
    out = io.StringIO()
    call_command("telephony", "import-queue-log", str(log), stdout=out)
    (request,) = CallbackRequest.objects.all()
    assert (request.number, request.queue, request.source, request.callid, request.status) == (
        "912345678",
        "sac",
        "queue",
        f"{t}.1",
        "pending",
    )
    assert request.consent
    assert Call.objects.filter(callback=True).count() == 3  # the report counts all three
    with log.open("a") as more:
        more.write(f"{t + 200}|{t + 200}.3|sac|NONE|CALLBACKREQUEST|912345678\n")
    call_command("telephony", "import-queue-log", str(log), stdout=out)
    assert CallbackRequest.objects.count() == 1  # still pending: the same request


# --- dialling -------------------------------------------------------------------------------


def test_a_callback_is_dialled_only_when_an_agent_of_its_queue_is_free():
    request, _ = services.do_request_callback(
        "+351912345678", queue="sac", source="queue", consent=True, callid="1764842400.1"
    )

    async def scenario(peer, feed):
        # Ana is in a call, Bruno paused; Dora is free but in another queue.
        assert await services.dial_pending_callbacks(feed) == []
        assert peer.originated() == []
        await peer.send(BRUNO_BACK)
        await until(lambda: feed.state.free_member("sac") is not None)
        return await services.dial_pending_callbacks(feed), peer.originated()

    done, originated = in_feed(scenario)
    assert [r.pk for r in done] == [request.pk]
    (action,) = originated
    assert action["Channel"] == "PJSIP/202"
    assert (action["Context"], action["Exten"], action["Priority"]) == (
        "balcao-callback",
        "+351912345678",
        "1",
    )
    assert action["CallerID"] == '"Retorno sac" <+351912345678>'
    assert action["Async"] == "true"
    assert action["Variable"] == f"BALCAO_CALLBACK={request.pk}"
    request.refresh_from_db()
    assert (request.status, request.attempts, request.agent) == ("done", 1, "Bruno")
    assert request.completed_at is not None and "atendida" in request.outcome


def test_two_requests_never_get_the_same_agent():
    first, _ = services.do_request_callback("912000001", queue="marcas", source="web", consent=True)
    second, _ = services.do_request_callback(
        "912000002", queue="marcas", source="web", consent=True
    )

    async def scenario(peer, feed):
        await services.dial_pending_callbacks(feed)
        return peer.originated()

    originated = in_feed(scenario)
    assert [(a["Channel"], a["Exten"]) for a in originated] == [("PJSIP/301", "912000001")]
    assert CallbackRequest.objects.get(pk=second.pk).status == "pending"
    assert CallbackRequest.objects.get(pk=first.pk).status == "done"


def test_failures_are_retried_three_times_five_minutes_apart_then_given_up():
    request, _ = services.do_request_callback(
        "912345678", queue="marcas", source="queue", consent=True
    )

    def five_minutes_later():
        CallbackRequest.objects.filter(pk=request.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )

    async def scenario(peer, feed):
        seen = []
        await services.dial_pending_callbacks(feed)  # busy
        seen.append(await sync_to_async(CallbackRequest.objects.get)(pk=request.pk))
        await services.dial_pending_callbacks(feed)  # not due yet: nothing dialled
        seen.append(len(peer.originated()))
        await sync_to_async(five_minutes_later)()
        await services.dial_pending_callbacks(feed)  # no answer
        await sync_to_async(five_minutes_later)()
        await services.dial_pending_callbacks(feed)  # refused by the PBX
        await sync_to_async(five_minutes_later)()
        await services.dial_pending_callbacks(feed)  # given up: nothing more
        seen.append(len(peer.originated()))
        return seen

    first, not_yet, total = in_feed(
        scenario, outcomes=[("Failure", "5"), ("Failure", "3"), ("Error", "Extension not found")]
    )
    assert (first.status, first.attempts) == ("pending", 1)
    wait = first.next_attempt_at - timezone.now()
    assert timedelta(minutes=4) < wait <= timedelta(minutes=5)
    assert "ocupado" in first.outcome
    assert not_yet == 1 and total == 3
    request.refresh_from_db()
    assert (request.status, request.attempts) == ("failed", 3)
    assert request.completed_at is not None
    lines = request.outcome.splitlines()
    assert len(lines) == 3
    assert "ocupado" in lines[0] and "não atendeu" in lines[1]
    assert "Extension not found" in lines[2]


def test_a_request_left_dialling_by_a_stopped_feed_is_pending_again():
    request, _ = services.do_request_callback("912345678", source="web", consent=True)
    CallbackRequest.objects.filter(pk=request.pk).update(status="dialling", attempts=1)
    assert services.requeue_interrupted_callbacks() == 1
    request.refresh_from_db()
    assert (request.status, request.attempts) == ("pending", 1)


# --- click-to-call --------------------------------------------------------------------------


def post(client, data, address="198.51.100.7"):
    return client.post(URL, json.dumps(data), content_type="application/json", REMOTE_ADDR=address)


@pytest.fixture
def line():
    return Line.objects.create(slug="geral", name="Linha geral", queue="marcas")


def test_click_to_call_files_a_web_request_and_dials_nothing(client, line):
    response = post(client, {"number": "+351 912 345 678", "consent": True, "line": "geral"})
    assert response.status_code == 201, response.content
    request = CallbackRequest.objects.get()
    assert response.json() == {"id": request.pk, "status": "pending", "created": True}
    assert (request.number, request.source, request.line, request.queue, request.consent) == (
        "+351912345678",
        "web",
        line,
        "marcas",
        True,
    )
    assert request.attempts == 0  # dialled later by `balcao telephony ami`

    async def scenario(peer, feed):
        await services.dial_pending_callbacks(feed)
        return peer.originated()

    (action,) = in_feed(scenario)
    assert (action["Channel"], action["Exten"]) == ("PJSIP/301", "+351912345678")
    assert action["CallerID"] == '"Web marcas" <+351912345678>'


@pytest.mark.parametrize("consent", [None, False, "true", 1])
def test_click_to_call_without_consent_is_400(client, line, consent):
    data = {"number": "+351912345678", "line": "geral"}
    if consent is not None:
        data["consent"] = consent
    response = post(client, data)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "consent_required"
    assert not CallbackRequest.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"number": "12ab", "consent": True},
        {"number": 912345678, "consent": True},
        {"number": "+351912345678", "consent": True, "line": "nao-existe"},
    ],
)
def test_click_to_call_refuses_bad_numbers_and_lines(client, line, data):
    response = post(client, data)
    assert response.status_code == 422
    assert response.json()["error"]["fields"]
    assert not CallbackRequest.objects.exists()


def test_click_to_call_is_limited_per_address(client, line):
    limit = services.CLICK_TO_CALL_PER_ADDRESS[0]
    for n in range(limit):
        response = post(client, {"number": f"91234500{n}", "consent": True})
        assert response.status_code == 201
    response = post(client, {"number": "912345999", "consent": True})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert CallbackRequest.objects.count() == limit
    assert post(client, {"number": "912345999", "consent": True}, "198.51.100.8").status_code == 201


def test_click_to_call_is_limited_per_number(client, line):
    limit = services.CLICK_TO_CALL_PER_NUMBER[0]
    for n in range(limit):
        assert (
            post(client, {"number": "912345678", "consent": True}, f"198.51.100.{n}").status_code
            == 201
        )
    response = post(client, {"number": "+912345678", "consent": True}, "198.51.100.99")
    assert response.status_code == 201  # another number ("+" makes it international)
    response = post(client, {"number": "912 345 678", "consent": True}, "198.51.100.99")
    assert response.status_code == 429
    assert CallbackRequest.objects.filter(number="912345678").count() == 1  # de-duplicated


def test_the_ami_command_is_harmless_without_a_host(settings):
    settings.BALCAO_AMI_HOST = ""
    err = io.StringIO()
    call_command("telephony", "ami", stderr=err)
    assert "BALCAO_AMI_HOST" in err.getvalue()


def test_the_feed_loop_publishes_the_state_and_dials():
    """``balcao telephony ami``'s loop: a request left dialling is pending again, the
    wallboard state lands in the cache, the due request is originated."""
    from balcao.telephony import feed as ami_feed

    request, _ = services.do_request_callback(
        "912345678", queue="marcas", source="web", consent=True
    )
    CallbackRequest.objects.filter(pk=request.pk).update(status="dialling", attempts=1)

    async def main():
        peer = await AmiPeer(status=MEMBERS).start()
        client = AmiFeed("127.0.0.1", peer.port, "balcao", "s3cret", reconnect_seconds=1)
        stop = asyncio.Event()
        loop = asyncio.ensure_future(ami_feed.run(client, interval=0.05, stop=stop))
        try:
            await until(lambda: peer.originated(), timeout=10)
            board = await sync_to_async(cache.get)(ami_feed.LIVE_CACHE_KEY)
        finally:
            stop.set()
            await asyncio.wait_for(loop, 5)
            await peer.stop()
        return board, peer.originated()

    board, originated = async_to_sync(main)()
    assert [(a["Channel"], a["Exten"]) for a in originated] == [("PJSIP/301", "912345678")]
    assert {a["interface"]: a["state"] for a in board["agents"]} == {
        "PJSIP/201": "busy",
        "PJSIP/202": "paused",
        "PJSIP/301": "free",
    }
    request.refresh_from_db()
    assert (request.status, request.attempts) == ("done", 2)


def test_the_pbx_down_for_a_while_is_an_occurrence_closed_when_it_is_back(monkeypatch):
    """Seed 003, 13.2 d: the unavailability goes to the monthly report by itself — the feed
    out of touch with the PBX for DOWN_AFTER seconds opens one automatic occurrence (one,
    however long), and logging in again closes it."""
    from balcao.telephony import feed as ami_feed
    from balcao.telephony.models import Occurrence

    monkeypatch.setattr(ami_feed, "DOWN_AFTER", 0.3)

    def automatic():
        return list(Occurrence.objects.filter(automatic=True).values_list("scope", "ended_at"))

    async def main():
        peer = await AmiPeer(status=MEMBERS).start()
        port = peer.port
        client = AmiFeed("127.0.0.1", port, "balcao", "s3cret", reconnect_seconds=0.2)
        stop = asyncio.Event()
        loop = asyncio.ensure_future(ami_feed.run(client, interval=0.05, stop=stop))
        try:
            await until(lambda: client.connected, timeout=10)
            await peer.stop()  # the PBX goes away
            await until(lambda: not client.connected, timeout=10)
            await asyncio.sleep(1.0)  # several rounds past DOWN_AFTER
            down = await sync_to_async(automatic)()
            peer = await AmiPeer(status=MEMBERS).start(port)  # and comes back
            await until(lambda: client.connected, timeout=15)
            await asyncio.sleep(0.3)
            back = await sync_to_async(automatic)()
        finally:
            stop.set()
            await asyncio.wait_for(loop, 5)
            await peer.stop()
        return down, back

    down, back = async_to_sync(main)()
    assert down == [("phone", None)]
    assert len(back) == 1 and back[0][1] is not None
    assert Occurrence.objects.get().kind == "unavailable"
