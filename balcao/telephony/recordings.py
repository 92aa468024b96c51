"""Call recordings from the PBX (issue 23, "Recordings"; seed 003: chamadas gravadas e
guardadas 90 dias, 13.2.1: 1 % das chamadas recebidas do mês, no máximo 20, para
verificação do serviço).

Asterisk's MixMonitor names a recording after the call's ``uniqueid`` — the callid of the
queue_log — as ``<uniqueid>.wav`` or ``<anything>-<uniqueid>.wav``. A recording is stored
once (the same callid and file name again adds nothing), in the private storage that also
holds case attachments (``BALCAO_PRIVATE_ROOT``, never served by the web server), and
linked to its call now or, when its queue_log lines come later, by ``link_recordings``
at the end of that import.

Audit: Balcão's audit log (``balcao.audit``) records access to a requester's personal
data, so a play of a recording of an identified caller is written there (kind "export":
the audio leaves the server, and exports are never merged into one visit); every play and
every purge is also written to the ``balcao.audit`` logger, and a purged recording keeps
its row (call, file name, size, ``purged_at``) as the record of what was deleted and when.
"""

from __future__ import annotations

import logging
import math
import os
import random
import re
import time
import wave
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from balcao.accounts.roles import has_capability
from balcao.audit.models import PersonalDataAccess
from balcao.audit.services import record_access
from balcao.telephony.models import Call, Recording

audit_log = logging.getLogger("balcao.audit")

#: Sound files MixMonitor may write.
EXTENSIONS = frozenset({".wav", ".gsm", ".mp3", ".ogg", ".opus", ".wav49"})
#: ``<uniqueid>.wav`` or ``…-<uniqueid>.wav``; Asterisk's uniqueid is ``<epoch>.<sequence>``.
_UNIQUEID = re.compile(r"(?:^|-)(\d{6,}\.\d+)$")
#: Who may listen (nothing is added to the roles: supervisors, quality managers, the
#: ombudsman, managers and admins already read the contact centre's reports).
LISTEN_CAPABILITY = "reports.view"
SAMPLE_SHARE = 0.01
SAMPLE_MAX = 20


def callid_from_filename(name: str) -> str | None:
    """The Asterisk uniqueid a MixMonitor file is named after, or None for other files."""
    base = os.path.basename(name)
    stem, ext = os.path.splitext(base)
    if ext.lower() not in EXTENSIONS:
        return None
    found = _UNIQUEID.search(stem)
    return found.group(1) if found else None


def _call_for(callid: str) -> Call | None:
    # A callid can come back after a long gap (a PBX restart): the latest call is this one.
    return Call.objects.filter(callid=callid).order_by("-pk").first()


def do_store_recording(callid: str, filename: str, data, duration: float | None = None):
    """Store one recording of call ``callid`` (``data``: bytes or an open binary file) and
    link it to the call when it is already imported. Returns ``(recording, created)``:
    the same callid and file name again returns the stored one, even once purged."""
    filename = os.path.basename(filename)[:255]
    callid = callid[:150]
    known = Recording.objects.filter(callid=callid, filename=filename).first()
    if known is not None:
        return known, False
    content = ContentFile(data) if isinstance(data, bytes | bytearray) else File(data)
    recording = Recording(
        callid=callid,
        call=_call_for(callid),
        filename=filename,
        size=content.size or 0,
        duration=duration,
        received_at=timezone.now(),  # the storage path is built from it before saving
    )
    recording.file.save(filename, content, save=False)
    try:
        with transaction.atomic():
            recording.save()
    except Exception:
        recording.file.delete(save=False)
        raise
    return recording, True


def link_recordings() -> int:
    """Link recordings stored before their call was imported (called at the end of each
    queue_log import; a few queries however many wait, e.g. outbound calls that never
    enter a queue); returns how many were linked."""
    waiting: dict[str, list[int]] = {}
    rows = Recording.objects.filter(call__isnull=True).values_list("pk", "callid")
    for pk, callid in rows.iterator(chunk_size=5000):
        waiting.setdefault(callid, []).append(pk)
    linked = 0
    names = sorted(waiting)
    for i in range(0, len(names), 500):
        latest: dict[str, int] = {}
        calls = Call.objects.filter(callid__in=names[i : i + 500]).order_by("pk")
        for callid, pk in calls.values_list("callid", "pk"):
            latest[callid] = pk  # the latest call of a reused callid
        for callid, call_pk in latest.items():
            linked += Recording.objects.filter(pk__in=waiting[callid], call__isnull=True).update(
                call_id=call_pk
            )
    return linked


def wav_duration(path: Path) -> float | None:
    """Length in seconds of a WAV file (None for other formats or a damaged file)."""
    if path.suffix.lower() != ".wav":
        return None
    try:
        with wave.open(str(path), "rb") as sound:
            rate = sound.getframerate()
            return sound.getnframes() / rate if rate else None
    except (wave.Error, EOFError, OSError):
        return None


@dataclass
class RecordingImport:
    """What one ``import-recordings`` did."""

    stored: int = 0
    known: int = 0  # already stored before
    recent: int = 0  # modified too recently: MixMonitor may still be writing
    unnamed: list[str] = field(default_factory=list)  # not named after a uniqueid


def do_import_recordings(directory, *, min_age: float = 60, now: float | None = None):
    """Store every MixMonitor file under ``directory`` not stored yet (idempotent); files
    modified less than ``min_age`` seconds ago are left for the next run."""
    result = RecordingImport()
    now = time.time() if now is None else now
    for path in sorted(Path(directory).rglob("*")):
        if not path.is_file():
            continue
        callid = callid_from_filename(path.name)
        if callid is None:
            result.unnamed.append(str(path))
            continue
        if now - path.stat().st_mtime < min_age:
            result.recent += 1
            continue
        if Recording.objects.filter(callid=callid, filename=path.name[:255]).exists():
            result.known += 1
            continue
        with path.open("rb") as handle:
            _, created = do_store_recording(callid, path.name, handle, wav_duration(path))
        if created:
            result.stored += 1
        else:
            result.known += 1
    return result


def purge_old_recordings(now: datetime | None = None) -> int:
    """Delete the files of recordings older than ``BALCAO_RECORDING_DAYS`` (90; seed 003:
    gravações guardadas 90 dias). The row stays, with ``purged_at``, as the record of the
    deletion, and each deletion is written to the audit logger. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BALCAO_RECORDING_DAYS)
    old = Recording.objects.filter(received_at__lt=cutoff, purged_at__isnull=True)
    purged = 0
    for recording in old.iterator(chunk_size=500):
        name = recording.file.name
        if name:
            recording.file.storage.delete(name)
        Recording.objects.filter(pk=recording.pk).update(file="", purged_at=now)
        audit_log.info(
            "recording purged: id=%s callid=%s file=%s size=%s received_at=%s",
            recording.pk,
            recording.callid,
            name,
            recording.size,
            recording.received_at.isoformat(),
        )
        purged += 1
    return purged


def sample_size(received: int) -> int:
    """13.2.1: 1 % of the calls received (rounded up, so at least 1 when any), at most 20."""
    if received <= 0:
        return 0
    return min(SAMPLE_MAX, math.ceil(received * SAMPLE_SHARE))


def sample_month(year: int, month: int, *, time_zone: str | None = None) -> list[Recording]:
    """Mark for verification the recordings of 1 % of the calls received in the month
    (13.2.1; local dates of ``BALCAO_TIME_ZONE``), chosen at random with the month as seed:
    the same data gives the same sample, and running it again re-marks the same ones."""
    tz = ZoneInfo(time_zone or settings.TIME_ZONE)
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    lo = int(datetime.combine(first, datetime.min.time(), tz).timestamp())
    hi = int(datetime.combine(following, datetime.min.time(), tz).timestamp())
    label = f"{year:04d}-{month:02d}"
    received = Call.objects.filter(entered__gte=lo, entered__lt=hi).count()
    candidates = list(
        Recording.objects.filter(
            call__entered__gte=lo, call__entered__lt=hi, purged_at__isnull=True
        )
        .exclude(file="")
        .order_by("call_id", "pk")
        .distinct()
    )
    # One recording per call (a transferred call may have several: the first stands for it).
    by_call: dict[int, Recording] = {}
    for recording in candidates:
        by_call.setdefault(recording.call_id, recording)
    pool = list(by_call.values())
    wanted = min(sample_size(received), len(pool))
    chosen = random.Random(label).sample(pool, wanted)  # noqa: S311 (a sample, not a secret)
    with transaction.atomic():
        Recording.objects.filter(sampled_for=label).update(sampled_for="")
        Recording.objects.filter(pk__in=[r.pk for r in chosen]).update(sampled_for=label)
    for recording in chosen:
        recording.sampled_for = label
    return sorted(chosen, key=lambda r: r.pk)


#: The Content-Type a browser's player is given, by the file's extension.
AUDIO_TYPES = {
    ".wav": "audio/wav",
    ".wav49": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".gsm": "audio/x-gsm",
}


def audio_content_type(filename: str) -> str:
    """The Content-Type of a recording named ``filename``."""
    return AUDIO_TYPES.get(os.path.splitext(filename)[1].lower(), "application/octet-stream")


def check_may_listen(recording: Recording, user) -> None:
    """PermissionDenied unless ``user`` may listen (``reports.view``) and the file is still
    there. Logs nothing: a play goes through ``recording_for_listening``."""
    if user is None or not has_capability(user, LISTEN_CAPABILITY):
        raise PermissionDenied
    if recording.purged_at is not None or not recording.file:
        raise PermissionDenied


def recording_for_listening(recording: Recording, user, *, ip: str | None = None) -> Recording:
    """The recording ``user`` is about to play, once allowed (capability ``reports.view``:
    PermissionDenied otherwise, and for a purged recording) and the play is logged —
    in the personal-data audit log when the caller is identified, always in the audit
    logger (issue 23: listened to "only by allowed roles (every play logged)")."""
    check_may_listen(recording, user)
    requester = recording.call.requester if recording.call_id else None
    if requester is not None:
        record_access(
            requester,
            user=user,
            where=f"telephony:recording:{recording.pk}",
            purpose=f"Escuta da gravação da chamada {recording.callid}",
            kind=PersonalDataAccess.Kind.EXPORT,
            ip=ip,
        )
    audit_log.info(
        "recording played: id=%s callid=%s user=%s ip=%s",
        recording.pk,
        recording.callid,
        getattr(user, "pk", None),
        ip or "",
    )
    return recording
