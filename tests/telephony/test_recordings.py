"""Call recordings (issue 23, "Recordings"; seed 003: gravadas e guardadas 90 dias; 13.2.1:
1 % das chamadas recebidas no mês, no máximo 20, para verificação): stored once in the
private storage, linked to their call whichever arrives first, purged with a record, sampled,
and played only by allowed roles with every play logged."""

from __future__ import annotations

import io
import logging
import wave
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from balcao.audit.models import PersonalDataAccess
from balcao.telephony import recordings, services
from balcao.telephony.models import Call, QueueLogSource, Recording
from balcao.telephony.recordings import (
    callid_from_filename,
    do_store_recording,
    purge_old_recordings,
    recording_for_listening,
    sample_month,
    sample_size,
)
from tests.telephony.weeks import Log, local

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def wav_bytes(seconds: float = 2.0, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(b"\0\0" * int(seconds * rate))
    return out.getvalue()


def pbx_dir(tmp_path, names):
    folder = tmp_path / "monitor"
    (folder / "2026" / "11").mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / "2026" / "11" / name).write_bytes(wav_bytes())
    return folder


def import_dir(folder, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command("telephony", "import-recordings", str(folder), "--min-age", "0", *extra,
                 stdout=out, stderr=err)  # fmt: skip
    return out.getvalue(), err.getvalue()


def source():
    return QueueLogSource.objects.create(head="h", digest="d", path="/x", time_zone="UTC")


def make_calls(count: int, day: date, *, src=None, recorded=True) -> list[Call]:
    src = src or source()
    base = int(local(day, 10).timestamp())
    calls = Call.objects.bulk_create(
        Call(callid=f"{base + i}.{i}", source=src, entered=base + i, last=base + i + 60)
        for i in range(count)
    )
    if recorded:
        for call in Call.objects.filter(pk__in=[c.pk for c in calls]):
            do_store_recording(call.callid, f"{call.callid}.wav", b"RIFF")
    return calls


@pytest.mark.parametrize(
    ("name", "callid"),
    [
        ("1764669600.42.wav", "1764669600.42"),
        ("q-sac-20261202-101500-1764669600.42.wav", "1764669600.42"),
        ("out-912345678-1764669600.7.WAV", "1764669600.7"),
        ("1764669600.42.gsm", "1764669600.42"),
        ("notas.txt", None),
        ("gravacao.wav", None),
        ("1764669600.42.wav.part", None),
    ],
)
def test_the_callid_comes_from_mixmonitors_file_name(name, callid):
    assert callid_from_filename(name) == callid


def test_import_is_idempotent_and_stores_in_the_private_storage(tmp_path, private_storage):
    folder = pbx_dir(tmp_path, ["1764669600.1.wav", "q-sac-1764669700.2.wav", "leia-me.wav"])
    out, err = import_dir(folder)
    assert "2 gravação(ões) nova(s)" in out
    assert "leia-me.wav" in err
    assert Recording.objects.count() == 2
    first = Recording.objects.get(callid="1764669600.1")
    assert first.filename == "1764669600.1.wav"
    assert first.duration == pytest.approx(2.0)
    assert first.size == len(wav_bytes())
    stored = private_storage / first.file.name
    assert stored.read_bytes() == wav_bytes()
    out, _ = import_dir(folder)  # again: nothing new
    assert "0 gravação(ões) nova(s), 2 já guardada(s)" in out
    assert Recording.objects.count() == 2
    assert len(list(private_storage.rglob("*.wav"))) == 2


def test_files_still_being_written_wait_for_the_next_run(tmp_path):
    folder = pbx_dir(tmp_path, ["1764669600.1.wav"])
    done = recordings.do_import_recordings(folder, min_age=60)
    assert (done.stored, done.recent) == (0, 1)
    assert not Recording.objects.exists()


def test_a_recording_links_to_a_call_imported_before(tmp_path):
    log = Log()
    callid = log.call(local(MONDAY, 10), answer=5, talk=90)
    services.do_import_queue_log(log.write(tmp_path / "queue_log"))
    recording, created = do_store_recording(callid, f"{callid}.wav", wav_bytes())
    assert created
    assert recording.call == Call.objects.get(callid=callid)


def test_a_recording_links_to_its_call_when_the_queue_log_comes_later(tmp_path):
    log = Log()
    callid = log.call(local(MONDAY, 10), answer=5, talk=90)
    other = log.call(local(MONDAY, 11), abandon=20)
    import_dir(pbx_dir(tmp_path, [f"q-sac-{callid}.wav"]))
    assert Recording.objects.get().call is None
    services.do_import_queue_log(log.write(tmp_path / "queue_log"))
    recording = Recording.objects.get()
    assert recording.call.callid == callid
    assert not Recording.objects.filter(call__callid=other).exists()


def test_purge_deletes_old_files_and_keeps_a_record(private_storage, settings, caplog):
    settings.BALCAO_RECORDING_DAYS = 90
    old, _ = do_store_recording("1764669600.1", "1764669600.1.wav", wav_bytes())
    young, _ = do_store_recording("1764669600.2", "1764669600.2.wav", wav_bytes())
    now = timezone.now()
    Recording.objects.filter(pk=old.pk).update(received_at=now - timedelta(days=91))
    Recording.objects.filter(pk=young.pk).update(received_at=now - timedelta(days=89))
    old_path = private_storage / old.file.name
    assert old_path.exists()
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        assert purge_old_recordings(now) == 1
    assert not old_path.exists()
    assert (private_storage / young.file.name).exists()
    old.refresh_from_db()
    assert old.purged_at == now and not old.file
    assert (old.callid, old.filename, old.size) == ("1764669600.1", "1764669600.1.wav",
                                                    len(wav_bytes()))  # fmt: skip
    audit = [r for r in caplog.records if r.name == "balcao.audit"]
    assert len(audit) == 1 and "1764669600.1" in audit[0].getMessage()
    assert purge_old_recordings(now) == 0  # done once
    # A purged recording is not stored again when the PBX still has its file.
    assert do_store_recording("1764669600.1", "1764669600.1.wav", b"x")[1] is False


def test_the_purge_runs_as_a_daily_periodic_task():
    from balcao.ops import tasks

    old, _ = do_store_recording("1764669600.1", "1764669600.1.wav", b"RIFF")
    Recording.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=100))
    assert tasks.purge_old_recordings.call_local() == 1
    task = tasks.purge_old_recordings.task_class()
    runs = [hour for hour in range(24) if task.validate_datetime(datetime(2026, 12, 4, hour, 40))]
    assert runs == [3]


@pytest.mark.parametrize(
    ("received", "size"),
    [(0, 0), (1, 1), (99, 1), (100, 1), (101, 2), (500, 5), (2000, 20), (3500, 20)],  # fmt: skip
)
def test_sample_size(received, size):
    assert sample_size(received) == size


def test_no_calls_no_sample():
    assert sample_month(2026, 11) == []


@pytest.mark.parametrize(("count", "expected"), [(1, 1), (30, 1), (250, 3)])
def test_a_months_sample_is_one_percent_and_deterministic(settings, count, expected):
    settings.TIME_ZONE = "Europe/Lisbon"
    make_calls(count, MONDAY)
    make_calls(5, date(2026, 12, 1))  # next month: never sampled for November
    chosen = sample_month(2026, 11)
    assert len(chosen) == expected
    marked = set(Recording.objects.filter(sampled_for="2026-11").values_list("pk", flat=True))
    assert marked == {r.pk for r in chosen}
    assert all(r.call.entered_at.month == 11 for r in chosen)
    assert {r.pk for r in sample_month(2026, 11)} == marked  # same data, same sample


def test_the_sample_is_capped_at_twenty(settings):
    settings.TIME_ZONE = "Europe/Lisbon"
    make_calls(2500, MONDAY, recorded=False)
    src = QueueLogSource.objects.get()
    for call in Call.objects.all()[:300]:
        do_store_recording(call.callid, f"{call.callid}.wav", b"RIFF")
    assert src.calls.count() == 2500
    assert len(sample_month(2026, 11)) == 20
    assert Recording.objects.filter(sampled_for="2026-11").count() == 20


def test_fewer_recordings_than_the_sample_asks_for(settings):
    settings.TIME_ZONE = "Europe/Lisbon"
    calls = make_calls(500, MONDAY, recorded=False)
    do_store_recording(calls[0].callid, "a.wav", b"RIFF")
    assert [r.callid for r in sample_month(2026, 11)] == [calls[0].callid]


@pytest.fixture
def heard(open_case):
    from balcao.cases.services import do_find_or_create_requester

    requester = do_find_or_create_requester(name="Maria", cpf="52998224725")
    call = make_calls(1, MONDAY, recorded=False)[0]
    Call.objects.filter(pk=call.pk).update(requester=requester)
    recording, _ = do_store_recording(call.callid, f"{call.callid}.wav", wav_bytes())
    return recording


@pytest.mark.parametrize("role", ["agent", "knowledge_manager"])
def test_listening_needs_the_reports_capability(heard, staff, role):
    with pytest.raises(PermissionDenied):
        recording_for_listening(heard, staff[role])
    assert not PersonalDataAccess.objects.exists()


def test_every_play_is_logged(heard, staff, caplog):
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        for _ in range(2):
            assert recording_for_listening(heard, staff["supervisor"], ip="10.0.0.5") == heard
    rows = PersonalDataAccess.objects.filter(user=staff["supervisor"])
    assert rows.count() == 2
    row = rows.first()
    assert row.requester == heard.call.requester
    assert row.where == f"telephony:recording:{heard.pk}"
    assert row.ip == "10.0.0.5"
    assert len([r for r in caplog.records if r.name == "balcao.audit"]) == 2


def test_an_unidentified_callers_recording_is_logged_to_the_audit_logger(staff, caplog):
    recording, _ = do_store_recording("1764669600.9", "1764669600.9.wav", wav_bytes())
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        recording_for_listening(recording, staff["quality_manager"])
    assert "1764669600.9" in caplog.records[-1].getMessage()


def test_a_purged_recording_cannot_be_played(heard, staff):
    Recording.objects.filter(pk=heard.pk).update(purged_at=datetime.now(UTC))
    heard.refresh_from_db()
    with pytest.raises(PermissionDenied):
        recording_for_listening(heard, staff["admin"])
