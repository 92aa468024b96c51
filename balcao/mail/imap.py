"""Reading a mailbox over IMAP (issue 22): every message not yet taken becomes a record
through ``services.ingest`` (committed), and only then is it marked on the server with the
keyword ``BalcaoIngested`` — so a crash between the two reads it again, and ``ingest`` finds
its record and changes nothing. A batch of messages is taken in one transaction (each in its
own savepoint) and marked on the server once it committed, which spares a commit per message.
The person's own reading flags (\\Seen) are left alone: messages are fetched with
``BODY.PEEK[]``.

A backlog (more than ``BALCAO_MAIL_READ_AHEAD`` messages waiting, 100 by default) is read
by a second process as well: it parses the next messages (``parsing.read_completely``) while
this one writes the current one, so parsing, about a fifth of a message's time, runs on the
other core. It only reads: nothing is written or marked there, and if it fails or dies, each
message it did not read is read here as before.

Mail is taken every minute by the task queue (``ops.tasks.fetch_mailboxes``) and, when
``balcao mail watch`` runs (``balcao serve`` starts it), as soon as it arrives: the watcher
waits in IMAP IDLE (RFC 2177) on servers that offer it. One process at a time reads a mailbox
(``exclusive``); the other skips it."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import multiprocessing
import os
import re
import threading
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from balcao import workscope
from balcao.mail import parsing, secrets, services
from balcao.mail import reader as reader_process
from balcao.mail.models import Mailbox

KEYWORD = "BalcaoIngested"
# How long the watcher waits in one IDLE before it reads the mailbox's settings again and
# takes anything missed (RFC 2177 §3: re-issue IDLE at least every 29 minutes).
IDLE_SECONDS = 60
# After a failure (server down, wrong password), the watcher tries again after this long.
RETRY_SECONDS = 30
_UID = re.compile(rb"UID (\d+)")
log = logging.getLogger("balcao.mail")


@dataclass
class Fetched:
    """What one pass over a mailbox did."""

    read: int = 0
    new: int = 0  # records created in this pass (not found from an earlier one)
    skipped: bool = False  # another process was reading the mailbox


@contextlib.contextmanager
def exclusive(mailbox: Mailbox) -> Iterator[bool]:
    """Yield True while this process alone reads ``mailbox``, False when another one does
    (the watcher and the periodic task may both try; the second would only wait on the
    first's rows). PostgreSQL: a session advisory lock, released if the process dies; other
    databases: a lock file in the var directory (one machine)."""
    key = zlib.crc32(f"balcao.mail:{mailbox.pk}".encode())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            mine = cursor.fetchone()[0]
        try:
            yield mine
        finally:
            if mine:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    path = settings.VAR_DIR / f"mail-{mailbox.pk}.lock"
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def connect(mailbox: Mailbox):
    from imap_tools import MailBox, MailBoxUnencrypted

    box_class = MailBox if mailbox.imap_tls else MailBoxUnencrypted
    box = box_class(mailbox.imap_host, mailbox.imap_port)
    return box.login(
        mailbox.imap_user, secrets.unseal(mailbox.imap_secret), initial_folder=mailbox.folder
    )


def fetch_mailbox(mailbox: Mailbox, *, limit: int | None = None) -> Fetched:
    """Take every message of ``mailbox``'s folder that does not carry ``KEYWORD`` yet
    (nothing, ``skipped``, while another process reads the mailbox)."""
    with exclusive(mailbox) as mine:
        if not mine:
            return Fetched(skipped=True)
        try:
            done = _fetch(mailbox, limit)
        except Exception as exc:
            _record_failure(mailbox, exc)
            raise
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_read_at=timezone.now(), last_error="", last_error_at=None
        )
        return done


def _record_failure(mailbox: Mailbox, exc: Exception) -> None:
    """Keep why the mailbox could not be read, for its page in the console (the error is
    logged by the caller); a failure to write it never hides the first one."""
    from balcao.mail.services import connection_problem_text

    try:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_error=connection_problem_text(exc)[:1000], last_error_at=timezone.now()
        )
    except Exception:  # noqa: BLE001 — the database itself may be what failed
        log.exception("could not record the failure of mailbox %s", mailbox)


def _fetch(mailbox: Mailbox, limit: int | None) -> Fetched:
    from imap_tools import AND

    done = Fetched()
    with connect(mailbox) as box:
        status = box.folder.status(mailbox.folder, ["UIDVALIDITY"])
        uidvalidity = int(status["UIDVALIDITY"])
        uids = box.uids(AND(no_keyword=KEYWORD))
        if limit is not None:
            uids = uids[:limit]
        batch = max(1, settings.BALCAO_MAIL_BATCH)
        with reader(len(uids)) as pool:
            for start in range(0, len(uids), batch):
                chunk = uids[start : start + batch]
                result, data = box.client.uid("FETCH", ",".join(chunk), "(UID BODY.PEEK[])")
                if result != "OK":
                    continue
                items = []
                for item in data:
                    if not isinstance(item, tuple):
                        continue
                    found = _UID.search(item[0])
                    if found is not None:
                        items.append((int(found.group(1)), item[1]))
                taken = []
                with workscope.scope(), transaction.atomic():
                    shared = services.Batch(mailbox, uidvalidity, items)
                    readings = _readings(pool, items, uidvalidity)
                    for (uid, raw), reading in zip(items, readings, strict=True):
                        row = _ingest_one(mailbox, raw, uidvalidity, uid, shared, reading)
                        done.new += row.created_now
                        done.read += 1
                        taken.append(str(uid))
                if taken:
                    box.flag(taken, KEYWORD, True)
    return done


@contextlib.contextmanager
def reader(waiting: int) -> Iterator[Executor | None]:
    """A process that reads messages ahead of the ingest when more than
    ``BALCAO_MAIL_READ_AHEAD`` are waiting (0: never), else None. Started fresh ("spawn": it
    imports only the parser, and shares no database connection or lock with this process)
    and ended when the block ends."""
    threshold = settings.BALCAO_MAIL_READ_AHEAD
    if threshold <= 0 or waiting <= threshold:
        yield None
        return
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=reader_process.watch_parent,
        initargs=(os.getpid(),),
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _readings(
    pool: Executor | None, items: list[tuple[int, bytes]], uidvalidity: int
) -> Iterator[parsing.Reading]:
    """Each message of ``items`` read, in order: by the reader process when there is one
    (all of them handed to it at once, so it keeps ahead), else when the ingest asks."""
    names = [f"{uidvalidity}/{uid}" for uid, _raw in items]
    if pool is None:
        for (_uid, raw), name in zip(items, names, strict=True):
            yield parsing.Reading(raw, file=name)
        return
    futures = [
        pool.submit(reader_process.read_completely, raw, name)
        for (_uid, raw), name in zip(items, names, strict=True)
    ]
    for position, ((_uid, raw), name) in enumerate(zip(items, names, strict=True)):
        future, futures[position] = futures[position], None  # its files freed once used
        try:
            reading = future.result().with_raw(raw)
        except Exception:  # noqa: BLE001 — the reader died or failed: read it here
            log.exception("the reader process could not read message %s; reading it here", name)
            reading = parsing.Reading(raw, file=name)
        del future
        yield reading


def _ingest_one(
    mailbox: Mailbox,
    raw: bytes,
    uidvalidity: int,
    uid: int,
    batch: services.Batch,
    reading: parsing.Reading | None = None,
):
    """``services.ingest`` (which writes in a savepoint of its own); a failure nobody foresaw
    quarantines the message with the error rather than undoing the batch and stopping at it
    every minute."""
    try:
        return services.ingest(
            mailbox, raw, uidvalidity=uidvalidity, uid=uid, batch=batch, reading=reading
        )
    except Exception as exc:  # noqa: BLE001 — one message must not hold back the mailbox
        log.exception("message %s/%s of %s could not be ingested", uidvalidity, uid, mailbox)
        with transaction.atomic():
            row = services.do_quarantine_failed(
                mailbox, raw, uidvalidity=uidvalidity, uid=uid, error=exc
            )
        row.created_now = True
        batch.taken(row)
        return row


def watch(
    pk: int,
    stop: threading.Event,
    *,
    wait_seconds: float = IDLE_SECONDS,
    on_fetched: Callable[[Fetched, str], None] | None = None,
) -> None:
    """Keep the mailbox ``pk`` read as mail arrives, until ``stop`` is set or the mailbox
    is switched off: take what is there, then wait in IDLE until the server announces a
    message (``EXISTS``) or ``wait_seconds`` pass, and take again; on a server without IDLE,
    every ``wait_seconds``. A failure is logged and tried again later; it never raises.
    ``on_fetched(fetched, why)`` is told of each pass (why: "start", "idle", "waiting",
    "timeout")."""
    from balcao.mail.models import Mailbox

    why = "start"
    try:
        while not stop.is_set():
            close_old_connections()
            mailbox = Mailbox.objects.filter(pk=pk, active=True).exclude(imap_host="").first()
            if mailbox is None:
                return
            try:
                fetched = fetch_mailbox(mailbox)
                if on_fetched is not None:
                    on_fetched(fetched, why)
                why = _wait_for_mail(mailbox, stop, wait_seconds)
            except Exception:  # noqa: BLE001 — the watcher outlives a server that is down
                log.exception("mailbox %s could not be watched; trying again", mailbox)
                why = "start"
                stop.wait(RETRY_SECONDS)
    finally:
        connection.close()  # this thread's own connection


def _wait_for_mail(mailbox: Mailbox, stop: threading.Event, wait_seconds: float) -> str:
    """Wait until the server announces new mail ("idle") or the time is up ("timeout").

    IDLE announces only what arrives once it has begun: a message that came between the last
    pass and this connection would wait for the timeout (a minute). So the folder is looked
    at first, and a message not taken yet is taken at once ("waiting")."""
    from imap_tools import AND

    with connect(mailbox) as box:
        if box.uids(AND(no_keyword=KEYWORD)):
            return "waiting"
        if "IDLE" not in box.client.capabilities:
            stop.wait(wait_seconds)
            return "timeout"
        with box.idle as idle:
            waited = 0.0
            while not stop.is_set() and waited < wait_seconds:
                step = min(5.0, wait_seconds - waited)  # wakes to see ``stop``
                responses = idle.poll(timeout=step)
                if any(b"EXISTS" in line for line in responses):
                    return "idle"
                waited += step
    return "timeout"


def watch_all(stop: threading.Event, *, slug: str | None = None, every: float = 60) -> None:
    """``balcao mail watch``: one ``watch`` thread per active mailbox (or the one named
    ``slug``), mailboxes added or switched on later picked up within ``every`` seconds, until
    ``stop`` is set; then every thread is let finish. A database that cannot be read (down,
    not migrated yet) is tried again a round later; the watcher itself never stops on it."""
    from balcao.mail.models import Mailbox

    threads: dict[int, threading.Thread] = {}
    try:
        while not stop.is_set():
            close_old_connections()
            boxes = Mailbox.objects.filter(active=True).exclude(imap_host="")
            if slug:
                boxes = boxes.filter(slug=slug)
            try:
                pks = list(boxes.values_list("pk", flat=True))
            except DatabaseError:  # database down or not migrated yet: try again later
                log.exception("the mailboxes could not be read; trying again")
                pks = []
            for pk in pks:
                if pk not in threads or not threads[pk].is_alive():
                    threads[pk] = threading.Thread(
                        target=watch, args=(pk, stop), name=f"mail-watch-{pk}", daemon=True
                    )
                    threads[pk].start()
            stop.wait(every)
    finally:
        stop.set()
        for thread in threads.values():
            thread.join(timeout=10)
        connection.close()
