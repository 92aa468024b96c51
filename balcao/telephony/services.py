"""The contact centre's actions: importing an Asterisk ``queue_log`` and computing the
tender's report (seed ``003_…txt``, item 13.1) from what was imported.

The rules are ``../shared/contracts/contact-centre-report.md``: importing the same file
twice, or a file that has grown since, adds nothing twice; a line that cannot be parsed is
counted and reported with its line number and the import goes on; a call belongs to the
period of the local date it entered the queue. The arithmetic lives in the pure cores
(``queuelog`` reads lines, ``indicators`` turns events into calls, agents' intervals and
figures); this module stores their results and reads them back.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from balcao.telephony import indicators, queuelog
from balcao.telephony.indicators import AgentLog, CallBook, Interval, Period
from balcao.telephony.models import AgentInterval, Call, CallbackRequest, Line, QueueLogSource

#: Lines parsed between two writes: each write is one transaction that also moves the
#: file's bookmark, so an interrupted import resumes exactly where its last write ended.
CHUNK_LINES = 50_000
MAX_EXAMPLES = 10
#: The stored fields of a call, named as ``indicators.Call`` names them.
CALL_FIELDS = (
    "callid",
    "entered",
    "last",
    "queue",
    "caller",
    "agent",
    "answered_wait",
    "abandoned_wait",
    "exited",
    "talk",
    "hold",
    "hold_started",
    "wrapup",
    "topic",
    "callback",
)
_LIMITS = {
    name: Call._meta.get_field(name).max_length
    for name in ("callid", "queue", "caller", "agent", "topic")
}


def _digest():
    return hashlib.blake2b(digest_size=16)


class ConcurrentImport(RuntimeError):
    """Another import of the same file moved its bookmark while this one read it."""


@dataclass
class ImportResult:
    """What one import did (``balcao telephony import-queue-log`` prints it)."""

    path: str
    source_id: int | None = None
    resumed_after: int = 0  # lines of this file imported before
    lines: int = 0  # lines read now
    events: int = 0
    blank: int = 0
    bad: int = 0
    examples: list[queuelog.BadLine] = field(default_factory=list)
    calls_new: int = 0
    calls_updated: int = 0
    intervals_new: int = 0
    held_back: int | None = None  # line number of an unfinished last line, left for later
    callbacks_new: int = 0  # callback requests made from CALLBACKREQUEST events
    first_epoch: int | None = None
    last_epoch: int | None = None

    def add_bad(self, bad: queuelog.BadLine) -> None:
        self.bad += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(bad)


def do_import_queue_log(
    path: str | os.PathLike,
    *,
    time_zone: str | None = None,
    live: bool = False,
    chunk_lines: int = CHUNK_LINES,
) -> ImportResult:
    """Import what ``path`` holds beyond what was imported of it before (issue 23: "It is
    idempotent (importing the same file twice, or a file that grew, adds nothing twice),
    streams (constant memory), tolerates and reports corrupt lines").

    The file is known by content, not by name: the stored source whose first ``size``
    bytes hash like this file's continues (a copy elsewhere, or the file grown); else the
    file is new. A last line without a line end is imported when it parses (a hand-made
    file) and left for the next import when it does not, or always when ``live`` (a line
    the PBX is still writing). Events are applied in time order within each chunk of
    ``chunk_lines``; calls and agents' sessions continue across chunks and imports."""
    result = ImportResult(path=str(path))
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        first = handle.readline(queuelog.MAX_LINE_BYTES + 1)
        if not first:
            return result
        head = queuelog.fingerprint(first)
        source, digest = _known_source(handle, head, size)
        if source is None:
            source = QueueLogSource(head=head, digest="", size=0, lines=0)
            digest = _digest()
            handle.seek(0)
        source.path = os.path.abspath(path)[:1000]
        source.time_zone = time_zone or settings.TIME_ZONE
        result.resumed_after = source.lines
        if source.size >= size:
            result.source_id = source.pk
            return result
        _Importer(source, digest, result, chunk_lines).run(handle, live)
    if result.events:
        # Callers to requesters, early recordings to their calls (issue 23).
        from balcao.telephony.linking import after_import

        after_import(result.first_epoch)
    return result


def _known_source(handle, head: str, size: int):
    """The stored source this file continues, with a digest of its first ``size`` bytes
    and the file positioned there; or (None, None)."""
    candidates = QueueLogSource.objects.filter(head=head, size__lte=size).order_by("-size", "-pk")
    for source in candidates:
        handle.seek(0)
        digest, left = _digest(), source.size
        while left:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            digest.update(block)
            left -= len(block)
        if not left and digest.hexdigest() == source.digest:
            return source, digest
    return None, None


class _Importer:
    """One import's reading loop and its writes (a chunk at a time, one transaction each)."""

    def __init__(self, source: QueueLogSource, digest, result: ImportResult, chunk: int):
        self.source, self.digest, self.result, self.chunk = source, digest, result, chunk
        self.agents = AgentLog(
            Interval(row.kind, row.agent, row.key, row.start, None, ref=row.pk)
            for row in AgentInterval.objects.filter(end__isnull=True)
        )
        self.events: list[queuelog.QueueEvent] = []
        self.bad_in_chunk = 0
        self.written_size = source.size  # the bookmark as stored (another import moves it)

    def run(self, handle, live: bool) -> None:
        source, result = self.source, self.result
        handle.seek(source.size)
        if source.open_tail:
            self._continue_open_tail(handle)
        for raw, size, ended in queuelog.raw_lines(handle, self.digest):
            number = source.lines + 1
            parsed = queuelog.parse_line(raw, number)
            if not ended:
                if live or isinstance(parsed, queuelog.BadLine):
                    result.held_back = number
                    break
                self.digest.update(raw)
            source.open_tail = not ended
            source.lines, source.size = number, source.size + size
            result.lines += 1
            if parsed is None:
                result.blank += 1
            elif isinstance(parsed, queuelog.BadLine):
                result.add_bad(parsed)
                self.bad_in_chunk += 1
            else:
                self.events.append(parsed)
                if len(self.events) >= self.chunk:
                    self._write()
        self._write()

    def _continue_open_tail(self, handle) -> None:
        """The last line imported before had no line end. If the file now ends it, that
        line was whole; if the line went on, what follows was not imported with it and is
        reported as a bad line (its number is that line's)."""
        source = self.source
        rest = next(queuelog.raw_lines(handle, self.digest), None)
        if rest is None:
            return
        raw, size, ended = rest
        if not ended:
            self.digest.update(raw)  # raw_lines leaves an unended line to its caller
        source.size += size
        source.open_tail = False
        if raw not in (b"\n", b"\r\n"):
            excerpt = raw.rstrip(b"\r\n")[:120].decode("utf-8", "replace")
            self.result.add_bad(
                queuelog.BadLine(
                    source.lines, "continuação de uma linha já importada sem fim de linha", excerpt
                )
            )
            self.bad_in_chunk += 1

    @transaction.atomic
    def _write(self) -> None:
        source, result = self.source, self.result
        if source.pk is None and not source.lines:
            return  # nothing read (an unfinished first line left for later)
        source.digest = self.digest.hexdigest()
        source.bad_lines += self.bad_in_chunk
        if source.pk is not None:
            # Another import of the same file (a second ``--follow``?) must not write the
            # same lines twice: the bookmark moves only from where this import found it.
            moved = QueueLogSource.objects.filter(pk=source.pk, size=self.written_size)
            if not moved.select_for_update().exists():
                raise ConcurrentImport(source.path)
        source.save()
        self.written_size = source.size
        result.source_id = source.pk
        events = sorted(self.events, key=lambda e: (e.epoch, e.line))
        self.events, self.bad_in_chunk = [], 0
        if not events:
            return
        result.events += len(events)
        epochs = (events[0].epoch, events[-1].epoch)
        result.first_epoch = min(epochs[0], result.first_epoch or epochs[0])
        result.last_epoch = max(epochs[1], result.last_epoch or epochs[1])
        self._write_calls(events)
        self._write_agents(events)
        self.result.callbacks_new += _callbacks_from_queue_log(events)

    def _write_calls(self, events: list[queuelog.QueueEvent]) -> None:
        book = CallBook(_stored_calls(events))
        touched: dict[int, indicators.Call] = {}
        for event in events:
            call = book.feed(event)
            if call is not None:
                touched[id(call)] = call
        new, old = [], []
        for call in touched.values():
            if call.ref is None:
                new.append((*_fields(call).values(), self.source.pk))
            else:
                old.append(Call(pk=call.ref, source=self.source, **_fields(call)))
        _insert_calls(new)
        Call.objects.bulk_update(old, CALL_FIELDS[1:], batch_size=500)
        self.result.calls_new += len(new)
        self.result.calls_updated += len(old)

    def _write_agents(self, events: list[queuelog.QueueEvent]) -> None:
        agents = self.agents
        for event in events:
            agents.feed(event)
        opened = agents.intervals
        rows = [
            AgentInterval(
                kind=i.kind,
                agent=i.agent[:200],
                key=i.key[:80],
                start=i.start,
                end=i.end,
                source=self.source,
            )
            for i in opened
        ]
        AgentInterval.objects.bulk_create(rows, batch_size=2000)
        written_now = {id(i) for i in opened}
        for interval, row in zip(opened, rows, strict=True):
            interval.ref = row.pk
        closed = [
            AgentInterval(pk=i.ref, end=i.end)
            for i in agents.closed
            if id(i) not in written_now and i.ref is not None
        ]
        AgentInterval.objects.bulk_update(closed, ["end"], batch_size=500)
        self.result.intervals_new += len(rows)
        # Written: what stays open lives on in agents.sessions and agents.pauses.
        agents.intervals.clear()
        agents.closed.clear()


def _stored_calls(events: list[queuelog.QueueEvent]) -> list[indicators.Call]:
    """The stored calls these events (in time order) may continue: of each of their callids,
    the latest call whose last event lies within ``REUSE_GAP`` of theirs (one range query
    on an index; a call's events never lie further apart: ``indicators.CallBook``)."""
    callids = {event.callid[: _LIMITS["callid"]] for event in events}
    gap = indicators.REUSE_GAP
    rows = Call.objects.filter(
        last__gte=events[0].epoch - gap, last__lte=events[-1].epoch + gap
    ).values("pk", *CALL_FIELDS)
    found: dict[str, indicators.Call] = {}
    for row in rows.iterator(chunk_size=5000):
        if row["callid"] in callids:
            pk = row.pop("pk")
            known = found.get(row["callid"])
            if known is None or known.ref < pk:  # type: ignore[operator]
                found[row["callid"]] = indicators.Call(**row, ref=pk)
    return list(found.values())


def _insert_calls(rows: list[tuple]) -> None:
    """New calls, as ``CALL_FIELDS`` + source id tuples, in one ``executemany`` per batch:
    ``bulk_create`` spends more time preparing model instances than the database spends
    storing them (tests/bench/bench_queuelog.py), and these values need no preparing
    (numbers, text, booleans, None)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [Call._meta.get_field(name).column for name in (*CALL_FIELDS, "source")]
    table, names = quote(Call._meta.db_table), ", ".join(quote(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 (the model's names)
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i : i + 5000])


def _fields(call: indicators.Call) -> dict:
    values = {name: getattr(call, name) for name in CALL_FIELDS}
    for name, limit in _LIMITS.items():
        if values[name] is not None:
            values[name] = values[name][:limit]
    return values


# --- the report --------------------------------------------------------------------------


class EmailFigures(Protocol):
    """What the contact centre's reports read of the e-mail channel (seed 003, 13.1 a')–e',
    12.2 ii, the surveys of 13.2 e). The mail app supplies it
    (``balcao.mail.contact_centre``, registered when the app is ready): telephony sits
    below mail and never imports it."""

    def active(self) -> bool:
        """Whether the agency reads e-mail (a mailbox is set up)."""

    def indicators(self, start: date, end: date) -> dict:
        """``{"a'": {"label", "value"}, …, "e'": …}`` for the local dates given."""

    def deadline(self, start: date, end: date) -> dict:
        """The 48-hour clock of the messages received in those days (the e-mail report's
        ``deadline`` block)."""

    def channel_ids(self):
        """The channels e-mail comes in on (a queryset of ids or a list)."""

    def default_channel(self):
        """The channel of the first active mailbox, or None."""


_email_figures: EmailFigures | None = None


def register_email_figures(provider: EmailFigures | None) -> None:
    global _email_figures
    _email_figures = provider


def email_figures() -> EmailFigures | None:
    """The e-mail channel's figures once the agency reads e-mail, else None."""
    if _email_figures is None or not _email_figures.active():
        return None
    return _email_figures


def email_indicators(start: date, end: date) -> dict:
    """13.1 a')–e' once the agency reads e-mail (issue 23: "and a'…e' for e-mail when the
    e-mail channel exists"); empty otherwise."""
    provider = email_figures()
    return provider.indicators(start, end) if provider is not None else {}


def contact_centre_report(start: date, end: date, *, time_zone: str | None = None) -> dict:
    """Seed 003 item 13.1's indicators a)…ii) for the calls that entered a queue on a local
    date from ``start`` to ``end`` (inclusive; the agency's time zone, ``BALCAO_TIME_ZONE``),
    and the agents' login and ready time inside those days. Two queries."""
    tz = ZoneInfo(time_zone or settings.TIME_ZONE)
    period = Period(start, end, tz)
    lo, hi = int(period.starts_at.timestamp()), int(period.ends_at.timestamp())
    calls = list(
        Call.objects.filter(entered__gte=lo, entered__lt=hi).values_list(
            "entered",
            "answered_wait",
            "abandoned_wait",
            "talk",
            "hold",
            "wrapup",
            "topic",
            "callback",
            named=True,
        )
    )
    intervals = [
        Interval(*row)
        for row in AgentInterval.objects.filter(start__lt=hi)
        .filter(Q(end__isnull=True) | Q(end__gt=lo))
        .values_list("kind", "agent", "key", "start", "end")
    ]
    figures = indicators.summarise(calls, intervals, period)
    figures.update(email_indicators(start, end))
    received = figures["a"]["value"]
    requested = indicators.callbacks(calls, period)
    return {
        "report": "contact-center",
        "period": {"from": start.isoformat(), "to": end.isoformat(), "time_zone": str(tz)},
        "generated_at": timezone.now().astimezone(tz).isoformat(timespec="seconds"),
        "indicators": figures,
        "callbacks": {
            "requested": requested,
            "share": requested / received if received else None,
        },
    }


def local_time(epoch: int | None, time_zone: str) -> str:
    """An epoch as the local time of ``time_zone`` (for people reading an import's summary)."""
    if epoch is None:
        return "—"
    return datetime.fromtimestamp(epoch, ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


# --- callbacks and click-to-call -----------------------------------------------------------

#: A callback is tried this many times, this far apart, then given up (issue 23: "retried
#: by policy, its outcome recorded").
CALLBACK_ATTEMPTS = 3
CALLBACK_RETRY = timedelta(minutes=5)
#: A CALLBACKREQUEST older than this when imported is only counted, not dialled.
CALLBACK_FRESH_SECONDS = 4 * 3600
#: Click-to-call requests: per client address and per number, ``(count, seconds)``.
CLICK_TO_CALL_PER_ADDRESS = (5, 3600)
CLICK_TO_CALL_PER_NUMBER = (3, 86400)
#: E.164 with or without its "+" or "00", or a national number: 8 to 15 digits; spaces,
#: dots, dashes and brackets between digits are dropped first.
_NUMBER = re.compile(r"^(?:\+|00)?[1-9]\d{7,14}$")
_NUMBER_NOISE = re.compile(r"[\s().\-/]")


class CallbackError(ValueError):
    """A callback request refused, with the reason for the person (pt-BR)."""

    def __init__(self, message: str, field: str = "number"):
        super().__init__(message)
        self.field = field


class CallbackRateLimited(CallbackError):
    pass


def check_callback_number(number: str) -> str:
    """The number as dialled (digits, "+" kept; "00" becomes "+"), or CallbackError: an
    E.164-ish number (ITU-T E.164: at most 15 digits) and no letters, so that nothing but
    a phone number ever reaches the PBX's dial string."""
    text = _NUMBER_NOISE.sub("", str(number or ""))
    if not _NUMBER.fullmatch(text):
        raise CallbackError(
            _(
                "Número de telefone inválido: use só algarismos, com o código do país (ex.: "
                "+351 212 345 678)."
            )
        )
    return "+" + text[2:] if text.startswith("00") else text


def do_request_callback(
    number: str,
    *,
    line: Line | None = None,
    queue: str = "",
    source: str,
    consent: bool,
    callid: str = "",
) -> tuple[CallbackRequest, bool]:
    """Record that ``number`` asked to be called back (seed 003: callback offered to everyone
    waiting past the 60-second voice guide; click-to-call from the website). A request
    still pending or being dialled for the same number is the one returned (``created`` is
    False), so that pressing the key twice or the form again calls once."""
    number = check_callback_number(number)
    if not consent:
        raise CallbackError(_("É preciso consentir que liguemos para este número."), "consent")
    queue = (queue or (line.queue if line else ""))[:80]
    with transaction.atomic():
        open_ = CallbackRequest.objects.select_for_update().filter(
            number=number,
            status__in=[CallbackRequest.Status.PENDING, CallbackRequest.Status.DIALLING],
        )
        existing = open_.first()
        if existing is not None:
            return existing, False
        request = CallbackRequest.objects.create(
            number=number,
            line=line,
            queue=queue,
            source=source,
            consent=True,
            callid=callid[:150],
        )
    return request, True


def _callbacks_from_queue_log(events: list[queuelog.QueueEvent]) -> int:
    """The CALLBACKREQUEST events the dialplan wrote (``QueueLog(queue,callid,NONE,
    CALLBACKREQUEST,number)``): each becomes a callback request (the caller chose it by
    key, which is their consent). A number that is not one is skipped, and so is a request
    older than ``CALLBACK_FRESH_SECONDS`` (an old file imported late must not ring people
    days after they called); the call keeps its mark for the report either way."""
    made, oldest = 0, time.time() - CALLBACK_FRESH_SECONDS
    for event in events:
        if event.event != "CALLBACKREQUEST" or event.epoch < oldest:
            continue
        number = event.data[0] if event.data else ""
        try:
            _request, created = do_request_callback(
                number,
                queue=event.queue if event.queue != "NONE" else "",
                source=CallbackRequest.Source.QUEUE,
                consent=True,
                callid=event.callid,
            )
        except CallbackError:
            continue
        made += created
    return made


def _check_window(key: str, limit: tuple[int, int]) -> None:
    count, window = limit
    if (cache.get(key) or 0) >= count:
        raise CallbackRateLimited(_("Muitos pedidos de chamada. Tente de novo mais tarde."), "rate")


def _count_window(key: str, limit: tuple[int, int]) -> None:
    if not cache.add(key, 1, limit[1]):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, limit[1])


def do_request_click_to_call(
    number: str, *, consent: bool, line_slug: str = "", address: str
) -> tuple[CallbackRequest, bool]:
    """The website's click-to-call (seed 003): a callback request from the web, dialled
    like any other when an agent is free; nothing dials during the request. Refused
    without consent, for an unknown line, and beyond ``CLICK_TO_CALL_PER_ADDRESS`` requests
    from one address or ``CLICK_TO_CALL_PER_NUMBER`` for one number."""
    if consent is not True:
        raise CallbackError(_("É preciso consentir que liguemos para este número."), "consent")
    dialled = check_callback_number(number)
    line = None
    if line_slug:
        line = Line.objects.filter(slug=line_slug, active=True).first()
        if line is None:
            raise CallbackError(_("Linha telefônica desconhecida."), "line")
    by_address = "telephony:c2c:ip:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    by_number = "telephony:c2c:n:" + hashlib.sha256(dialled.encode()).hexdigest()[:32]
    _check_window(by_address, CLICK_TO_CALL_PER_ADDRESS)
    _check_window(by_number, CLICK_TO_CALL_PER_NUMBER)
    request, created = do_request_callback(
        dialled, line=line, source=CallbackRequest.Source.WEB, consent=True
    )
    _count_window(by_address, CLICK_TO_CALL_PER_ADDRESS)
    _count_window(by_number, CLICK_TO_CALL_PER_NUMBER)
    return request, created


def requeue_interrupted_callbacks() -> int:
    """Requests left "dialling" by a feed that stopped mid-call go back to pending (their
    attempt counted)."""
    return CallbackRequest.objects.filter(status=CallbackRequest.Status.DIALLING).update(
        status=CallbackRequest.Status.PENDING
    )


def _claim_callbacks(state, busy: set[str]) -> list[tuple[CallbackRequest, str]]:
    """The due pending requests that a free agent of their queue can take now, each with
    its agent, marked dialling (one agent per request)."""
    now = timezone.now()
    taken = set(busy)
    claimed = []
    with transaction.atomic():
        due = (
            CallbackRequest.objects.select_for_update(of=("self",))  # not the nullable line
            .select_related("line")
            .filter(status=CallbackRequest.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("requested_at", "pk")
        )
        for request in due:
            queue = request.queue or (request.line.queue if request.line else "")
            member = state.free_member(queue, exclude=taken)
            if member is None:
                continue
            taken.add(member.interface)
            request.status = CallbackRequest.Status.DIALLING
            request.attempts += 1
            request.agent = (member.name or member.interface)[:200]
            request.save(update_fields=["status", "attempts", "agent"])
            claimed.append((request, member.interface))
    return claimed


_OUTCOMES = {
    "answered": gettext_lazy("atendida"),
    "no_answer": gettext_lazy("não atendeu"),
    "busy": gettext_lazy("ocupado"),
    "congestion": gettext_lazy("rede congestionada"),
    "hung_up": gettext_lazy("desligou"),
    "no_such_destination": gettext_lazy("destino inexistente"),
    "timeout": gettext_lazy("sem resposta do PBX"),
}


def _record_outcome(request: CallbackRequest, success: bool, reason: str) -> CallbackRequest:
    """Success closes the request; a failure waits ``CALLBACK_RETRY`` for the next attempt,
    and after ``CALLBACK_ATTEMPTS`` attempts the request is given up (FAILED)."""
    now = timezone.now()
    word = str(_OUTCOMES.get(reason, reason))
    line = _("%(when)s tentativa %(n)d (%(agent)s): %(outcome)s") % {
        "when": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        "n": request.attempts,
        "agent": request.agent,
        "outcome": word,
    }
    request.outcome = (request.outcome + "\n" + line).strip()
    if success:
        request.status = CallbackRequest.Status.DONE
        request.completed_at = now
    elif request.attempts >= CALLBACK_ATTEMPTS:
        request.status = CallbackRequest.Status.FAILED
        request.completed_at = now
    else:
        request.status = CallbackRequest.Status.PENDING
        request.next_attempt_at = now + CALLBACK_RETRY
    request.save(update_fields=["status", "completed_at", "next_attempt_at", "outcome"])
    return request


async def dial_pending_callbacks(client) -> list[CallbackRequest]:
    """One round of callbacks (issue 23: "dialled when an agent is free (AMI Originate),
    retried by policy, its outcome recorded"): each due request whose queue has a free
    agent in ``client.state`` is originated — the agent's phone rings first, showing the
    person's number, and the dialplan context ``BALCAO_AMI_CONTEXT`` then dials the
    person — and its outcome stored. ``client`` is a ``balcao.telephony.ami.AmiFeed``."""
    claimed = await sync_to_async(_claim_callbacks)(client.state, client.busy)
    client.busy.update(interface for _request, interface in claimed)  # until each outcome

    async def dial(request: CallbackRequest, interface: str) -> CallbackRequest:
        outcome = await client.originate(
            channel=interface,
            context=settings.BALCAO_AMI_CONTEXT,
            exten=request.number,
            caller_id=f'"{_caller_label(request)}" <{request.number}>',
            variables={"BALCAO_CALLBACK": str(request.pk)},
        )
        return await sync_to_async(_record_outcome)(request, outcome.success, outcome.reason)

    return list(await asyncio.gather(*(dial(r, i) for r, i in claimed)))


def _caller_label(request: CallbackRequest) -> str:
    source = "Web" if request.source == CallbackRequest.Source.WEB else "Retorno"
    queue = request.queue or (request.line.queue if request.line else "")
    return re.sub(r"[^\w .-]", "", f"{source} {queue}".strip())[:40]
