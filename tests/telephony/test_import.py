"""``balcao telephony import-queue-log``: every event stored, corrupt lines reported with
their line numbers, and idempotence — the same file twice, a file that grew, a copy at
another path (issue 23; ../shared/contracts/contact-centre-report.md, "The import")."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from balcao.telephony import services
from balcao.telephony.models import AgentInterval, Call, QueueLogSource
from tests.telephony.weeks import Log, local, simulated_week

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 2, 10)


def run_import(path, *extra) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("telephony", "import-queue-log", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> tuple[list, list]:
    """Everything the reports read, in a comparable form."""
    calls = sorted(
        Call.objects.values_list(*services.CALL_FIELDS), key=lambda row: (row[0], row[1] or 0)
    )
    intervals = sorted(AgentInterval.objects.values_list("kind", "agent", "key", "start", "end"))
    return calls, intervals


def test_every_event_type_is_stored(tmp_path):
    log = Log()
    log.session("101", local(MONDAY, 8), local(MONDAY, 17))
    log.session("107", local(MONDAY, 8, 30), local(MONDAY, 16), old=True)
    log.pause("101", local(MONDAY, 12), local(MONDAY, 13))
    log.lines.append(f"{int(local(MONDAY, 14).timestamp())}|NONE|sac|PJSIP/101|PAUSEALL|")
    log.lines.append(f"{int(local(MONDAY, 14, 10).timestamp())}|NONE|sac|PJSIP/101|UNPAUSEALL|")
    t0 = local(MONDAY, 10)
    answered = log.call(
        t0, answer=7, talk=200, hold=((30, 20),), wrapup=25, topic="Marcas|renovação"
    )
    log.line(int(t0.timestamp()) + 3, answered, "PJSIP/102", "RINGNOANSWER", 3000)
    log.line(int(t0.timestamp()), answered, "NONE", "DID", "+351210000000")
    caller_hung_up = log.call(local(MONDAY, 10, 5), answer=2, talk=50, completion="COMPLETECALLER")
    blind = log.call(local(MONDAY, 10, 10), answer=3, talk=70, completion="BLINDTRANSFER")
    plain = log.call(local(MONDAY, 10, 15), answer=3, talk=80, completion="TRANSFER")
    attended = log.call(local(MONDAY, 10, 20), answer=3, talk=90, completion="ATTENDEDTRANSFER")
    abandoned = log.call(local(MONDAY, 11), abandon=12, callback=True)
    timeout = log.call(local(MONDAY, 11, 5), exit_after=300)
    empty = log.call(local(MONDAY, 11, 10), exit_after=2, exit_event="EXITEMPTY")
    key = log.call(local(MONDAY, 11, 15), exit_after=9, exit_event="EXITWITHKEY")
    out, err = run_import(log.write(tmp_path / "queue_log"), "--tz", "Europe/Lisbon")
    assert "0 com erro" in out and err == ""
    assert "2025-02-10 08:00:00 WET" in out  # the first event, shown in --tz
    calls = {c.callid: c for c in Call.objects.all()}
    assert len(calls) == 9
    first = calls[answered]
    assert (first.entered, first.queue, first.caller) == (
        int(t0.timestamp()),
        "sac",
        "+351210000000",
    )
    assert (first.answered_wait, first.talk, first.hold, first.wrapup) == (7, 200, 20, 25)
    assert (first.agent, first.topic, first.hold_started) == ("PJSIP/101", "Marcas|renovação", None)
    assert calls[caller_hung_up].talk == 50
    assert [calls[c].talk for c in (blind, plain, attended)] == [70, 80, 90]
    assert (calls[abandoned].abandoned_wait, calls[abandoned].callback) == (12, True)
    assert calls[abandoned].answered_wait is None
    for callid in (timeout, empty, key):
        assert calls[callid].exited and calls[callid].answered_wait is None
        assert calls[callid].abandoned_wait is None
    sessions = AgentInterval.objects.filter(kind="session").order_by("start")
    assert [(s.agent, s.key, s.end - s.start) for s in sessions] == [
        ("PJSIP/101", "sac", 9 * 3600),
        ("Agent/107", "*login*", int(7.5 * 3600)),
    ]
    pauses = AgentInterval.objects.filter(kind="pause").order_by("start")
    assert [(p.agent, p.end - p.start) for p in pauses] == [("PJSIP/101", 3600), ("PJSIP/101", 600)]


CORRUPT = [
    b"17392710x0|1.9|sac|NONE|ENTERQUEUE||+351210000099|1",  # bad epoch
    b"1739271000|1.9|sac",  # missing fields
    b"1739271000|1.9|sac|NONE|ENTERQUEUE||+351\xff\xfe0099|1",  # not UTF-8
    b"\x00" * 4096,  # a NUL run, as a crash leaves it
    b"1739271000|1.9|sac|NONE|ENTERQUEUE||" + b"9" * 70_000 + b"|1",  # far too long
]


def test_corrupt_lines_are_counted_reported_with_their_numbers_and_skipped(tmp_path):
    log = Log()
    log.call(local(MONDAY, 10), answer=5, talk=100)
    log.call(local(MONDAY, 11), abandon=20)
    good = log.text().encode().splitlines(keepends=True)
    data = (
        good[0]
        + CORRUPT[0]
        + b"\n"
        + good[1]
        + b"\n".join(CORRUPT[1:])
        + b"\n"
        + b"".join(good[2:])
    )
    path = tmp_path / "queue_log"
    path.write_bytes(data)
    out, err = run_import(path)
    numbers = {1: 2, 2: 4, 3: 5, 4: 6, 5: 7}
    for index, number in numbers.items():
        assert f"linha {number}:" in err, index
    assert "5 com erro" in out and "5 linha(s) com erro" in err
    assert "epoch" in err and "UTF-8" in err and "NUL" in err and "mínimo" in err
    assert "longa" in err
    assert Call.objects.count() == 2
    assert Call.objects.get(abandoned_wait__isnull=False).abandoned_wait == 20
    source = QueueLogSource.objects.get()
    assert (source.lines, source.bad_lines, source.size) == (len(data.splitlines()), 5, len(data))


def test_the_same_file_twice_adds_nothing(tmp_path):
    path = simulated_week(MONDAY, seed=1, calls_per_day=40).write(tmp_path / "queue_log")
    run_import(path)
    before = snapshot()
    out, _ = run_import(path)
    assert "0 linha(s) nova(s)" in out
    assert snapshot() == before
    assert QueueLogSource.objects.count() == 1


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.93])
def test_a_file_that_grew_adds_only_what_is_new(tmp_path, cut):
    """Cut anywhere (calls, holds and agents' sessions open across the cut): importing the
    head, then the whole, stores what importing the whole at once stores."""
    data = simulated_week(MONDAY, seed=2, calls_per_day=40).text().encode()
    lines = data.splitlines(keepends=True)
    head = b"".join(lines[: int(len(lines) * cut)])
    whole = tmp_path / "whole"
    whole.write_bytes(data)
    run_import(whole)
    expected = snapshot()
    Call.objects.all().delete()
    AgentInterval.objects.all().delete()
    QueueLogSource.objects.all().delete()

    growing = tmp_path / "queue_log"
    growing.write_bytes(head)
    run_import(growing)
    with growing.open("ab") as handle:
        handle.write(data[len(head) :])
    out, _ = run_import(growing)
    assert f"{len(lines) - len(head.splitlines())} linha(s) nova(s)" in out
    assert snapshot() == expected
    run_import(growing)
    assert snapshot() == expected


def test_a_copy_at_another_path_adds_nothing_and_a_grown_copy_only_its_new_lines(tmp_path):
    week = simulated_week(MONDAY, seed=3, calls_per_day=30)
    data = week.text().encode()
    original = tmp_path / "queue_log"
    original.write_bytes(data)
    run_import(original)
    before = snapshot()
    (tmp_path / "rotated").mkdir()
    copy = tmp_path / "rotated" / "queue_log-20250217"
    copy.write_bytes(data)
    out, _ = run_import(copy)
    assert "0 linha(s) nova(s)" in out and snapshot() == before
    extra = Log()
    extra.call(local(MONDAY + timedelta(days=7), 10), answer=5)
    copy.write_bytes(data + extra.text().encode())
    out, _ = run_import(copy)
    assert "1 chamada(s) nova(s), 0 atualizada(s)" in out
    assert Call.objects.count() == len(before[0]) + 1
    assert QueueLogSource.objects.count() == 1
    assert QueueLogSource.objects.get().path == str(copy)


def test_another_file_with_the_same_first_line_is_another_source(tmp_path):
    first, second = Log(), Log()
    for log, talk in ((first, 100), (second, 200)):
        log.call(local(MONDAY, 9), answer=5, talk=talk, callid="1.1")
        log.call(local(MONDAY, 10), answer=5, talk=talk, callid=f"2.{talk}")
    run_import(first.write(tmp_path / "a"))
    run_import(second.write(tmp_path / "b"))
    assert QueueLogSource.objects.count() == 2
    assert sorted(Call.objects.values_list("callid", flat=True)) == ["1.1", "2.100", "2.200"]


def test_a_call_continues_across_chunks_and_imports(tmp_path):
    """A call's events span two writes (and two imports): the stored call is updated."""
    log = Log()
    callid = log.call(local(MONDAY, 10), answer=12, talk=300, hold=((30, 40),), wrapup=20)
    lines = log.text().encode().splitlines(keepends=True)
    path = tmp_path / "queue_log"
    path.write_bytes(b"".join(lines[:3]))  # ENTERQUEUE, CONNECT, HOLDSTART
    services.do_import_queue_log(path)
    call = Call.objects.get()
    assert (call.answered_wait, call.talk, call.hold_started) == (12, None, call.entered + 42)
    path.write_bytes(b"".join(lines))
    done = services.do_import_queue_log(path, chunk_lines=1)
    assert (done.calls_new, done.calls_updated) == (0, 3)
    call = Call.objects.get(callid=callid)
    assert (call.talk, call.hold, call.hold_started, call.wrapup) == (300, 40, None, 20)


def test_chunks_do_not_change_what_is_stored(tmp_path):
    path = simulated_week(MONDAY, seed=4, calls_per_day=30).write(tmp_path / "queue_log")
    services.do_import_queue_log(path)
    whole = snapshot()
    Call.objects.all().delete()
    AgentInterval.objects.all().delete()
    QueueLogSource.objects.all().delete()
    services.do_import_queue_log(path, chunk_lines=37)
    assert snapshot() == whole


def test_a_last_line_without_line_end(tmp_path):
    """Whole but unended (a hand-made file): imported, and not again once the file goes on.
    Cut in the middle (the PBX still writing it): left for the next import."""
    log = Log()
    log.call(local(MONDAY, 10), answer=5, talk=100, wrapup=30)
    log.call(local(MONDAY, 11), abandon=7)
    text = log.text().encode()
    path = tmp_path / "queue_log"
    path.write_bytes(text.rstrip(b"\n"))  # "\n".join(lines): no line end at the end
    services.do_import_queue_log(path)
    assert Call.objects.get(abandoned_wait__isnull=False).abandoned_wait == 7
    more = Log()
    more.call(local(MONDAY, 12), answer=1, talk=10)
    path.write_bytes(text + more.text().encode())
    done = services.do_import_queue_log(path)
    assert (done.lines, done.bad, done.calls_new) == (3, 0, 1)

    cut = more.text().encode()
    path.write_bytes(text + cut + b"1739188800|9.9|sa")
    done = services.do_import_queue_log(path)
    assert (done.lines, done.held_back, done.bad) == (0, 10, 0)
    path.write_bytes(text + cut + b"1739188800|9.9|sac|NONE|ENTERQUEUE||+351210000009|1\n")
    done = services.do_import_queue_log(path)
    assert (done.lines, done.bad, done.calls_new) == (1, 0, 1)
    assert Call.objects.count() == 4


def test_a_live_import_leaves_an_unended_line_for_later(tmp_path):
    path = tmp_path / "queue_log"
    path.write_bytes(
        b"1739181600|1.1|sac|NONE|ENTERQUEUE||+351210000000|1\n1739181610|1.1|sac|A|CONNECT|1"
    )
    done = services.do_import_queue_log(path, live=True)
    assert (done.lines, done.held_back) == (1, 2)
    assert Call.objects.get().answered_wait is None
    path.write_bytes(path.read_bytes() + b"0|x|3\n")
    services.do_import_queue_log(path, live=True)
    assert Call.objects.get().answered_wait == 10


def test_an_unended_line_that_went_on_is_reported(tmp_path):
    path = tmp_path / "queue_log"
    path.write_bytes(
        b"1739181600|1.1|sac|NONE|ENTERQUEUE||+351210000000|1\n1739181630|1.1|sac|NONE|ABANDON|1|1|3"
    )
    services.do_import_queue_log(path)
    path.write_bytes(path.read_bytes() + b"0\n1739181700|2.1|sac|NONE|ENTERQUEUE||+3512|1\n")
    done = services.do_import_queue_log(path)
    assert done.bad == 1 and done.examples[0].line == 2 and done.calls_new == 1


def test_agents_sessions_and_pauses_continue_across_imports(tmp_path):
    log = Log()
    log.session("101", local(MONDAY, 9), local(MONDAY, 17))
    log.pause("101", local(MONDAY, 12), local(MONDAY, 13))
    lines = log.text().encode().splitlines(keepends=True)
    path = tmp_path / "queue_log"
    path.write_bytes(b"".join(lines[:2]))  # ADDMEMBER, PAUSE
    services.do_import_queue_log(path)
    assert AgentInterval.objects.filter(end__isnull=True).count() == 2
    path.write_bytes(b"".join(lines))
    services.do_import_queue_log(path)
    assert sorted(AgentInterval.objects.values_list("kind", "start", "end")) == [
        ("pause", *(int(local(MONDAY, h).timestamp()) for h in (12, 13))),
        ("session", *(int(local(MONDAY, h).timestamp()) for h in (9, 17))),
    ]


def test_a_callid_used_again_days_later_is_another_call(tmp_path):
    log = Log()
    log.call(local(MONDAY, 10), answer=5, talk=100, callid="c1")
    log.call(local(MONDAY + timedelta(days=7), 10), abandon=9, callid="c1")
    run_import(log.write(tmp_path / "queue_log"))
    calls = Call.objects.order_by("entered")
    assert [(c.answered_wait, c.abandoned_wait) for c in calls] == [(5, None), (None, 9)]


def test_an_empty_or_missing_file(tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    out, _ = run_import(empty)
    assert "0 linha(s) nova(s)" in out and not QueueLogSource.objects.exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="não foi possível ler"):
        run_import(tmp_path / "nowhere")
    with pytest.raises(CommandError, match="fuso horário desconhecido"):
        run_import(empty, "--tz", "Europe/Atlantis")


def test_an_unended_line_going_on_without_its_end_keeps_the_file_known(tmp_path):
    path = tmp_path / "queue_log"
    path.write_bytes(
        b"1739181600|1.1|sac|NONE|ENTERQUEUE||+351210000000|1\n1739181630|1.1|sac|NONE|ABANDON|1|1|3"
    )
    services.do_import_queue_log(path)
    path.write_bytes(path.read_bytes() + b"0")  # still no line end
    services.do_import_queue_log(path)
    path.write_bytes(path.read_bytes() + b"\n1739181700|2.1|sac|NONE|ENTERQUEUE||+3512|1\n")
    services.do_import_queue_log(path)
    assert QueueLogSource.objects.count() == 1
    assert Call.objects.count() == 2


def test_follow_imports_what_is_appended_until_interrupted(tmp_path, monkeypatch):
    """``--follow`` (a live file): each round imports what was appended; a line the PBX is
    still writing waits for its end."""
    from balcao.telephony.management.commands import telephony

    path = tmp_path / "queue_log"
    path.write_bytes(
        b"1739181600|1.1|sac|NONE|ENTERQUEUE||+351210000000|1\n1739181610|1.1|sac|A|CONNECT|1"
    )
    appended = [b"0|x|3\n1739181700|2.1|sac|NONE|ENTERQUEUE||+3512|1\n"]

    def sleep(_seconds):
        if not appended:
            raise KeyboardInterrupt
        with path.open("ab") as handle:
            handle.write(appended.pop())

    monkeypatch.setattr(telephony.time, "sleep", sleep)
    out, _ = run_import(path, "--follow", "--interval", "0")
    assert "A linha 2 não termina" not in out
    assert Call.objects.count() == 2 and Call.objects.get(callid="1.1").answered_wait == 10


def test_two_imports_of_the_same_file_at_once_do_not_both_write(tmp_path, monkeypatch):
    """The second writer finds the bookmark moved under it and writes nothing."""
    data = simulated_week(MONDAY, seed=5, calls_per_day=10).text().encode()
    path = tmp_path / "queue_log"
    lines = data.splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:50]))
    services.do_import_queue_log(path)
    path.write_bytes(data)
    real_write = services._Importer._write
    raced = []

    def racing_write(importer):
        if not raced:  # another import gets there first
            raced.append(None)
            raced[0] = services.do_import_queue_log(path)
        return real_write(importer)

    monkeypatch.setattr(services._Importer, "_write", racing_write)
    with pytest.raises(services.ConcurrentImport):
        services.do_import_queue_log(path)
    monkeypatch.undo()
    assert raced[0].lines == len(lines) - 50
    before = snapshot()
    Call.objects.all().delete()
    AgentInterval.objects.all().delete()
    QueueLogSource.objects.all().delete()
    services.do_import_queue_log(path)
    assert snapshot() == before
