"""The supervisors' wallboard (issue 23; seed 003, Parte II 9.1 and 10.9: the calls followed
"em tempo real"): queues, agents and calls in progress from the AMI feed's snapshot in the
cache, caller numbers masked, and today's figures from the imported queue_log against the
75 % target (12.1 i); without a snapshot it says the feed is off and still shows today."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from balcao.telephony import screenpop, services
from balcao.telephony.feed import LIVE_CACHE_KEY
from balcao.telephony.live import LiveState
from balcao.telephony.models import AgentPhone
from tests.telephony.weeks import Log, local

BOARD = "/console/telefonia/painel/"
FRAGMENT = "/console/telefonia/painel/ao-vivo/"
NOW = 1_764_842_500.0

#: Ana (PJSIP/201) answers a caller, Bruno (PJSIP/202) is paused, Carla (PJSIP/203) is
#: free, and one caller waits in "sac" since 45 s ago.
EVENTS = [
    {"Event": "QueueMember", "Queue": "sac", "Name": "Ana", "Location": "PJSIP/201",
     "Status": "1", "Paused": "0", "InCall": "0"},
    {"Event": "QueueMember", "Queue": "sac", "Name": "Bruno", "Location": "PJSIP/202",
     "Status": "1", "Paused": "1", "PausedReason": "almoco"},
    {"Event": "QueueMember", "Queue": "sac", "Name": "Carla", "Location": "PJSIP/203",
     "Status": "1", "Paused": "0"},
    {"Event": "QueueMember", "Queue": "marcas", "Name": "Carla", "Location": "PJSIP/203",
     "Status": "1", "Paused": "0"},
    {"Event": "QueueCallerJoin", "Queue": "sac", "Uniqueid": "1764842400.1",
     "CallerIDNum": "+351912345678"},
    {"Event": "AgentConnect", "Queue": "sac", "Interface": "PJSIP/201", "MemberName": "Ana",
     "Uniqueid": "1764842400.1", "CallerIDNum": "+351912345678", "HoldTime": "12"},
    {"Event": "QueueMemberStatus", "Queue": "sac", "Interface": "PJSIP/201",
     "MemberName": "Ana", "Status": "2", "InCall": "1"},
]  # fmt: skip
WAITING = {"Event": "QueueCallerJoin", "Queue": "sac", "Uniqueid": "1764842455.2",
           "CallerIDNum": "213000111", "Wait": "0"}  # fmt: skip


def live_state() -> LiveState:
    state = LiveState()
    state.apply_all(EVENTS, now=NOW - 95)  # Ana's call began 95 s ago
    state.apply(WAITING, now=NOW - 45)
    return state


def publish(state: LiveState, **extra) -> dict:
    snapshot = state.snapshot(NOW)
    for agent in snapshot["agents"]:
        agent.update(extra.get(agent["interface"], {}))
    cache.set(LIVE_CACHE_KEY, snapshot, 60)
    return snapshot


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def row(html: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is ``first_cell``."""
    match = re.search(rf"<tr[^>]*><t[hd][^>]*>{re.escape(first_cell)}</t[hd]>(.*?)</tr>", html)
    assert match, first_cell
    cells = re.findall(r"<td>(.*?)</td>", match.group(1))
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


@pytest.fixture(autouse=True)
def _lisbon(settings):
    settings.TIME_ZONE = "Europe/Lisbon"


@pytest.fixture
def today_calls(db, tmp_path):
    """Today: three calls answered (after 8, 20 and 70 s) and one abandoned after 12 s."""
    today = timezone.localdate()
    log = Log(queue="sac")
    log.call(local(today, 0, 10), answer=8, talk=60)
    log.call(local(today, 0, 20), answer=20, talk=60)
    log.call(local(today, 0, 30), answer=70, talk=60)
    log.call(local(today, 0, 40), abandon=12)
    services.do_import_queue_log(log.write(tmp_path / "queue_log"), time_zone="Europe/Lisbon")


def test_the_board_shows_queues_agents_and_calls_with_numbers_masked(
    today_calls, staff, verified_client
):
    AgentPhone.objects.create(user=staff["agent"], interface="PJSIP/201")
    staff["agent"].first_name, staff["agent"].last_name = "Ana", "Lima"
    staff["agent"].save()
    publish(live_state())
    web = verified_client(staff["supervisor"])
    response = web.get(BOARD)
    assert response.status_code == 200
    html = text(response)
    assert "Sem dados ao vivo" not in html
    # the fragment polls itself, with no inline script (CSP)
    assert f'hx-get="{FRAGMENT}" hx-trigger="every 3s" hx-swap="outerHTML"' in html
    assert "<script>" not in html
    # queues: "sac" has one caller waiting for 45 s and one free agent (Carla)
    assert row(html, "sac") == ["1", "0:45", "1"]
    assert row(html, "marcas") == ["0", "0:00", "1"]
    # agents: the member of staff's name where an interface is theirs; state; call time
    assert row(html, "Ana Lima") == ["PJSIP/201", "em chamada", "—", "1:35", "sac"]
    assert row(html, "Bruno") == ["PJSIP/202", "em pausa", "almoco", "—", "sac"]
    assert row(html, "Carla") == ["PJSIP/203", "livre", "—", "—", "marcas, sac"]
    # the call in progress: the caller's number masked to its last four digits
    assert "•••5678" in html and "912345678" not in html and "213000111" not in html
    assert row(html, "sac</td><td>Ana Lima") == ["•••5678", "1:35"]
    # today, from the queue_log: a = 4, e = 3, l = 1, u = 2/3 (under the 75 % target)
    assert re.search(r'id="today-received">4<', html)
    assert re.search(r'id="today-answered">3<', html)
    assert re.search(r'id="today-abandoned">1<', html)
    assert re.search(r'id="today-level">66,7 % — abaixo da meta de 75 %<', html)


def test_a_pause_without_a_reason_shows_a_dash(db, staff, verified_client):
    publish(live_state(), **{"PJSIP/202": {"pause_reason": ""}})
    html = text(verified_client(staff["manager"]).get(FRAGMENT))
    assert row(html, "Bruno") == ["PJSIP/202", "em pausa", "—", "—", "sac"]


def test_without_a_snapshot_it_says_the_feed_is_off_and_shows_today(
    today_calls, staff, verified_client
):
    cache.delete(LIVE_CACHE_KEY)
    web = verified_client(staff["supervisor"])
    for url in (BOARD, FRAGMENT):
        response = web.get(url)
        assert response.status_code == 200
        html = text(response)
        assert "Sem dados ao vivo do PBX: o serviço balcao telephony ami não está ligado" in html
        assert "Operadores livres" not in html
        assert re.search(r'id="today-received">4<', html)
        assert re.search(r'id="today-level">66,7 %', html)


def test_the_fragment_alone_is_the_polled_part(db, staff, verified_client):
    publish(live_state())
    html = text(verified_client(staff["admin"]).get(FRAGMENT))
    assert html.startswith('<div id="wallboard"')
    assert "console-nav" not in html
    assert row(html, "sac")[0] == "1"


def test_today_meets_the_target_and_no_calls_show_a_dash(db, staff, verified_client):
    web = verified_client(staff["supervisor"])
    assert re.search(r'id="today-level">—<', text(web.get(FRAGMENT)))
    assert screenpop.today_figures()["received"] == 0


@pytest.mark.parametrize("role", ["agent", "quality_manager", "ombudsman", "knowledge_manager"])
def test_only_supervisors_and_up_see_the_board(db, staff, verified_client, role):
    web = verified_client(staff[role])
    assert web.get(BOARD).status_code == 403
    assert web.get(FRAGMENT).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(FRAGMENT)
    assert response.status_code == 302
    assert response["Location"].startswith("/conta/entrar/?next=")


@pytest.mark.parametrize(
    ("number", "masked"),
    [("+351 912 345 678", "•••5678"), ("1234", "1234"), ("", "—"), ("anonymous", "—")],
)
def test_mask_number(number, masked):
    assert screenpop.mask_number(number) == masked


def test_clock():
    clocks = [screenpop.clock(s) for s in (None, 5, 95, 3725.9)]
    assert clocks == ["0:00", "0:05", "1:35", "1:02:05"]


def test_the_polled_fragment_reads_the_same_queries_however_many_agents(
    db, staff, verified_client, make_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    web = verified_client(staff["supervisor"])

    def queries_with(agents: int) -> int:
        state = LiveState()
        for n in range(agents):
            interface = f"PJSIP/{agents}{n:03d}"
            AgentPhone.objects.create(
                user=make_user("agent", username=f"a{agents}-{n}"), interface=interface
            )
            state.apply({"Event": "QueueMember", "Queue": "sac", "Location": interface})
        publish(state)
        web.get(FRAGMENT)  # today's figures are read once, then kept for a while
        with CaptureQueriesContext(connection) as queries:
            assert web.get(FRAGMENT).status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(20)
