"""Incoming e-mail becomes cases and messages (issue 22), nothing lost and nothing twice.

``ingest`` takes one raw message from a mailbox, keyed by the server's UIDVALIDITY and UID,
and in one transaction stores the original and what it became:

- a **reply** on the case it continues — by a ``Message-ID`` Balcão sent (or received on the
  case) named in ``In-Reply-To``/``References``, else by a protocol in the subject with a valid
  check digit (balcao.mail.threads); a case waiting on the person goes back to the team;
- a **new case** on the mailbox's channel otherwise, the sender kept as an unverified contact
  (public input never takes over a record on file), with the automatic acknowledgement unless
  RFC 3834 says not to answer (balcao.mail.acknowledge);
- a **bounce** noted on its case when it names one, never a new case;
- a **duplicate** when the same ``Message-ID`` already came through this mailbox;
- **quarantine** when the message cannot be read at all: kept, with the reason, for a
  supervisor — never dropped;
- **advertising**, filed apart with no case, no acknowledgement and no clock, when a message
  that continues no case is judged advertising (balcao.mail.advertising); an agent's mark
  (``do_mark_inbound``) corrects it either way and teaches the filter.

Attachments go through the case core's checks one by one; a refused file is named in the
record's reason and stays in the original ``.eml``. The caller marks the server's copy as
processed only after ``ingest`` returned (the row is committed by then), so a crash between
the two reads the message again and finds its row.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao import languages, workscope
from balcao.accounts.permissions import SYSTEM, check_can
from balcao.cases import followup, intake
from balcao.cases import services as cases
from balcao.cases.attachments import AttachmentRefused, check_file
from balcao.cases.models import Case, Message, OutboundMail, State
from balcao.errors import Refused
from balcao.mail import acknowledge, advertising, parsing, threads
from balcao.mail import html as mail_html
from balcao.mail.models import AdvertisingFilter, InboundMail, Mailbox

SUBJECT_MAX = 250
ADVERTISING_FILTER = "default"

logger = logging.getLogger(__name__)


def ingest(
    mailbox: Mailbox,
    raw: bytes,
    *,
    uidvalidity: int,
    uid: int,
    now=None,
    batch: Batch | None = None,
    reading: parsing.Reading | None = None,
) -> InboundMail:
    """The record of the server's message ``uidvalidity``/``uid`` of ``mailbox``, creating
    what it becomes the first time (see the module's docstring); the same message again
    returns the same record and changes nothing (``created_now`` tells which). ``batch``:
    the reads this message shares with the others taken with it (``Batch``); ``reading``:
    the message already read (parsed), by a reader process (balcao.mail.imap)."""
    key = {"mailbox": mailbox, "uidvalidity": uidvalidity, "uid": uid}
    reading = reading or parsing.Reading(raw, file=f"{uidvalidity}/{uid}")
    parsed = reading.parsed
    message_id = (parsed.message_id or "")[:250]
    if batch is not None:
        existing, duplicate = batch.earlier(key, message_id)
    else:
        existing, duplicate = _earlier(key, message_id)
    if existing is not None:
        existing.created_now = False
        return existing
    now = now or timezone.now()
    recent = batch.recent(parsed, now) if batch is not None else None
    try:
        with transaction.atomic():
            row = _ingest(mailbox, reading, key, now, duplicate=duplicate, recent=recent)
    except IntegrityError:  # another worker took it in between
        row = InboundMail.objects.get(**key)
        row.created_now = False
        return row
    row.created_now = True
    if batch is not None:
        batch.taken(row)
    return row


def _earlier(key: dict, message_id: str) -> tuple[InboundMail | None, bool]:
    """In one read: the record of this very server message, if it was taken before, and
    whether another message of the mailbox already came with the same ``Message-ID`` (not
    counting quarantined ones)."""
    same = Q(uidvalidity=key["uidvalidity"], uid=key["uid"])
    if message_id:
        same |= Q(message_id=message_id) & ~Q(outcome=InboundMail.Outcome.QUARANTINE)
    existing, duplicate = None, False
    for row in InboundMail.objects.filter(same, mailbox=key["mailbox"]).order_by("pk")[:10]:
        if row.uidvalidity == key["uidvalidity"] and row.uid == key["uid"]:
            existing = row
        else:
            duplicate = True
    return existing, duplicate


def _ingest(mailbox, reading, key, now, *, duplicate: bool, recent=None) -> InboundMail:
    raw, parsed = reading.raw, reading.parsed
    row = InboundMail(
        **key,
        message_id=(parsed.message_id or "")[:250],
        sender=(parsed.from_addr or "").strip().lower()[:254],
        subject=(parsed.subject or "")[:300],
        size=len(raw),
    )
    row.raw.save(f"{key['uid']}.eml", ContentFile(raw), save=False)
    if parsed.error and not (parsed.from_addr or parsed.text or parsed.attachments):
        return _save(row, InboundMail.Outcome.QUARANTINE, reason=parsed.error)
    if row.message_id and duplicate:
        return _save(row, InboundMail.Outcome.DUPLICATE)
    from balcao.mail import forwarding  # a unit's answer: never a new case, never acknowledged

    forward = forwarding.unit_answer_for(parsed)
    if forward is not None:
        files = reading.files
        message = forwarding.do_record_unit_answer(forward, parsed, files, row)
        return _save(
            row, InboundMail.Outcome.UNIT_ANSWER, case=forward.case, message=message,
            reason=row.reason,
        )  # fmt: skip
    recent = recent or _SenderRecent(parsed, mailbox, now)
    case = _case_continued(parsed, mailbox, recent)
    if parsed.bounce:
        if case is not None:
            Message.objects.create(
                case=case,
                body=_("Aviso de não entrega recebido: %(subject)s") % {"subject": row.subject},
                author_kind=Message.Author.SYSTEM,
                internal=True,
            )
        return _save(row, InboundMail.Outcome.BOUNCE, case=case)
    if case is None:  # a reply to a case, open or closed, is never advertising
        verdict = _judge(mailbox, raw, parsed)
        if verdict is not None:
            row.advertising_score = verdict.score
            row.advertising_reason = _reason_text(verdict)
            if verdict.is_advertising:
                return _file_as_advertising(mailbox, row, parsed, now)
    files = reading.files
    if case is not None and case.is_open:
        message, refused = _add(
            case,
            parsed.text or "",
            files,
            external_id=parsed.message_id,
            formatted=reading.html,
        )
        followup.resume_after_reply(case)
        return _save(row, InboundMail.Outcome.REPLY, case=case, message=message, reason=refused)
    return _new_case(
        mailbox,
        row,
        parsed,
        files,
        now,
        earlier=case,
        formatted=reading.html,
        recent=recent,
        content_language=reading.content_language,
    )


def _save(row, outcome, *, case=None, message=None, reason="") -> InboundMail:
    row.outcome, row.case, row.case_message, row.reason = outcome, case, message, reason
    row.save()
    return row


def _case_continued(parsed, mailbox: Mailbox, recent: _SenderRecent) -> Case | None:
    """The case the message continues (balcao.mail.threads), or None."""
    found = threads.hints(
        parsed, pattern=settings.BALCAO_PROTOCOL_PATTERN, unit=settings.BALCAO_PROTOCOL_UNIT
    )
    by_id: dict[str, int] = {}
    if found.message_ids:
        by_id.update(
            OutboundMail.objects.filter(message_id__in=found.message_ids).values_list(
                "message_id", "case_id"
            )
        )
        by_id.update(
            InboundMail.objects.filter(
                message_id__in=found.message_ids, case__isnull=False
            ).values_list("message_id", "case_id")
        )
    by_protocol = (
        dict(Case.objects.filter(protocol__in=found.protocols).values_list("protocol", "pk"))
        if found.protocols
        else {}
    )
    pk = threads.resolve(found, case_by_message_id=by_id, case_by_protocol=by_protocol)
    if pk is None and parsed.from_addr and not parsed.bounce:
        pk = threads.same_conversation(parsed.subject or "", recent.subjects())
    return Case.objects.select_related("state", "channel").get(pk=pk) if pk else None


def _thread_days() -> int:
    return max(1, int(getattr(settings, "BALCAO_MAIL_THREAD_DAYS", 7)))


_RECENT_MAX = 100  # the sender's newest messages that thread a new one by its subject
_RECENT_FIELDS = ("subject", "case_id", "outcome", "acknowledged", "received_at")


class _SenderRecent:
    """The sender's messages in this mailbox over the last ``BALCAO_MAIL_THREAD_DAYS`` days
    (default 7), newest first and at most ``_RECENT_MAX``: what threads by subject, and when
    they were last acknowledged (never twice a day). Read once when first asked, unless a
    ``Batch`` read them already (``rows``)."""

    def __init__(self, parsed, mailbox: Mailbox, now, rows: list[tuple] | None = None):
        self.sender = (parsed.from_addr or "").strip().lower()[:254]
        self.mailbox, self.now = mailbox, now
        self._rows = rows

    def _read(self) -> list[tuple]:
        if self._rows is None:
            self._rows = list(
                InboundMail.objects.filter(
                    mailbox=self.mailbox,
                    sender=self.sender,
                    received_at__gte=self.now - timedelta(days=_thread_days()),
                )
                .order_by("-received_at", "-pk")
                .values_list(*_RECENT_FIELDS)[:_RECENT_MAX]
            )
        return self._rows

    def subjects(self) -> dict[str, int]:
        """Subject → case of the sender's messages that opened or continued one, newest
        first."""
        earlier: dict[str, int] = {}
        for subject, case_id, outcome, _ack, _at in self._read():
            if case_id is not None and outcome in (
                InboundMail.Outcome.NEW_CASE,
                InboundMail.Outcome.REPLY,
            ):
                earlier.setdefault(subject, case_id)
        return earlier

    def last_acknowledged(self):
        return next((at for *_rest, ack, at in self._read() if ack), None)


class Batch:
    """The reads a batch of one mailbox's messages shares (balcao.mail.imap takes up to
    ``BALCAO_MAIL_BATCH`` in one transaction), done in three statements for the batch instead
    of two for each message — issue 22's ingest rate: which of its server messages were
    taken before, which of its ``Message-ID``s the mailbox already holds (a duplicate), and
    each sender's recent messages (threading by subject, one acknowledgement a day). What the
    batch writes is added as it is written (``taken``), so its tenth message sees the first
    one's record as if it had been read afresh. The ids and senders are guessed from the raw
    headers before the messages are parsed (``parsing.header_hints``); a message whose parsed
    value differs from the guess is looked up on its own, as outside a batch."""

    def __init__(self, mailbox: Mailbox, uidvalidity: int, messages: list[tuple[int, bytes]]):
        self.mailbox, self.uidvalidity = mailbox, uidvalidity
        self._uids = {uid for uid, _raw in messages}
        hints = [parsing.header_hints(raw) for _uid, raw in messages]
        self._ids = {message_id[:250] for message_id, _sender in hints if message_id}
        self._senders = {sender[:254] for _id, sender in hints if sender}
        self._rows: dict[int, InboundMail] = {
            row.uid: row
            for row in InboundMail.objects.filter(
                mailbox=mailbox, uidvalidity=uidvalidity, uid__in=self._uids
            )
        }
        self._held_ids = set(
            InboundMail.objects.filter(mailbox=mailbox, message_id__in=self._ids)
            .exclude(outcome=InboundMail.Outcome.QUARANTINE)
            .values_list("message_id", flat=True)
        )
        self._since = timezone.now() - timedelta(days=_thread_days())
        self._recent: dict[str, list[tuple]] = {sender: [] for sender in self._senders}
        if self._senders:
            newest = Window(
                RowNumber(),
                partition_by=[F("sender")],
                order_by=[F("received_at").desc(), F("pk").desc()],
            )
            rows = (
                InboundMail.objects.filter(
                    mailbox=mailbox, sender__in=self._senders, received_at__gte=self._since
                )
                .annotate(newest=newest)
                .filter(newest__lte=_RECENT_MAX)
                .order_by("sender", "newest")
                .values_list("sender", *_RECENT_FIELDS)
            )
            for sender, *fields in rows:
                self._recent[sender].append(tuple(fields))

    def earlier(self, key: dict, message_id: str) -> tuple[InboundMail | None, bool]:
        """``_earlier`` from what the batch read."""
        if message_id and message_id not in self._ids:
            return _earlier(key, message_id)
        if key["uidvalidity"] != self.uidvalidity or key["uid"] not in self._uids:
            return _earlier(key, message_id)
        return self._rows.get(key["uid"]), bool(message_id) and message_id in self._held_ids

    def recent(self, parsed, now) -> _SenderRecent | None:
        """The sender's recent messages from what the batch read (None: not read)."""
        sender = (parsed.from_addr or "").strip().lower()[:254]
        rows = self._recent.get(sender)
        if rows is None:
            return None
        since = now - timedelta(days=_thread_days())
        return _SenderRecent(
            parsed, self.mailbox, now, rows=[row for row in rows if row[-1] >= since]
        )

    def taken(self, row: InboundMail) -> None:
        """``row`` was just written: the batch's next messages see it."""
        if row.uidvalidity == self.uidvalidity:
            self._rows[row.uid] = row
        if row.message_id and row.outcome != InboundMail.Outcome.QUARANTINE:
            self._held_ids.add(row.message_id)
        rows = self._recent.get(row.sender)
        if rows is not None:
            rows.insert(0, tuple(getattr(row, name) for name in _RECENT_FIELDS))
            del rows[_RECENT_MAX:]


def _add(
    case: Case,
    text: str,
    files,
    *,
    always: bool = True,
    external_id: str | None = None,
    formatted: parsing.HtmlBody | None = None,
) -> tuple[Message | None, str]:
    """The person's message and its files on ``case``: each file checked on its own, the
    refused ones named in the returned reason (they stay in the original). With the e-mail's
    HTML (``formatted``), the message keeps it sanitised (balcao.mail.html), showing the
    inline images that were accepted as its files (issue 22: "keep text and HTML (sanitised
    for display), inline images and attachments")."""
    accepted, refused, kept = [], [], {}
    channel = case.channel
    for position, (name, data) in enumerate(files):
        upload = SimpleUploadedFile(name or "anexo", data)
        try:
            check_file(
                upload,
                upload.name,
                max_bytes=channel.max_attachment_bytes,
                allowed_types=channel.allowed_attachment_types or None,
            )
        except AttachmentRefused as exc:
            refused.append(f"{name}: {exc}")
            continue
        upload.seek(0)
        accepted.append(upload)
        kept[position] = data
    html = formatted.html if formatted is not None else ""
    if not always and not accepted and not mail_html.sanitise(html):
        return None, "; ".join(refused)
    body = text.strip() or (_("(mensagem sem texto)") if always and not accepted else "")
    if body or accepted:
        message = cases.do_add_message(
            case, body, author_kind=Message.Author.REQUESTER, files=accepted
        )
    else:  # a new case's formatted e-mail alone: its text is the case's description
        message = Message.objects.create(case=case, body="", author_kind=Message.Author.REQUESTER)
    if external_id:
        Message.objects.filter(pk=message.pk).update(external_id=external_id[:250])
        message.external_id = external_id[:250]
    if formatted is not None and html.strip():
        stored = dict(zip(kept, message.attachments.order_by("pk"), strict=False))
        images = mail_html.inline_sources(
            (cid, stored[position].content_type, kept[position])
            for cid, position in formatted.inline.items()
            if position in stored
        )
        message.html = mail_html.sanitise(html, images=images)
        Message.objects.filter(pk=message.pk).update(html=message.html)
    return message, "; ".join(refused)


def _new_case(
    mailbox,
    row,
    parsed,
    files,
    now,
    *,
    earlier: Case | None,
    received_at=None,
    formatted=None,
    recent: _SenderRecent | None = None,
    content_language: str = "",
) -> InboundMail:
    """A new case from ``parsed`` (``received_at``: when the message came in, if that was
    before this moment — see ``do_mark_inbound``). The text is the case's description; the
    e-mail's files and its formatted HTML (``formatted``: ``parsing.html_body``) go on one
    message of the person's, as a reply's do."""
    sender = (parsed.from_addr or "").strip().lower()
    contact = (
        intake.do_record_public_contact(
            name=parsed.from_name or sender,
            email=sender,
            preferred_language=languages.django_code(
                acknowledge.sender_language(
                    content_language,
                    parsed.text or "",
                    default=languages.normalise_or_default(settings.LANGUAGE_CODE),
                )
            ),
        )
        if sender and "@" in sender
        else None
    )
    last = (recent or _SenderRecent(parsed, mailbox, now)).last_acknowledged()
    refusal = acknowledge.acknowledgement_refusal(
        parsed,
        opens_case=True,
        own_addresses=[mailbox.address],
        last_acknowledged=last,
        now=now,
    )
    description = parsed.text or ""
    if earlier is not None:
        description = (
            _("Continua o atendimento %(protocol)s, já concluído.") % {"protocol": earlier.protocol}
            + "\n\n"
            + description
        )
    case = cases.do_open_case(
        channel=mailbox.channel,
        subject=(parsed.subject or "").strip()[:SUBJECT_MAX] or _("(sem assunto)"),
        description=description,
        requester=contact,
        team=mailbox.team,
        actor=SYSTEM,
        acknowledge=refusal is None and contact is not None,
        # the acknowledgement answers the person's e-mail (their mail program threads it)
        in_reply_to=parsed.message_id or "",
        opened_at=received_at,
    )
    message, refused = (None, "")
    if files or formatted is not None:
        message, refused = _add(
            case, "", files, always=False, external_id=parsed.message_id, formatted=formatted
        )
    row.acknowledged = refusal is None and contact is not None
    reasons = [r for r in (refused, f"sem confirmação: {refusal}" if refusal else "") if r]
    return _save(
        row, InboundMail.Outcome.NEW_CASE, case=case, message=message, reason="; ".join(reasons)
    )


# --- advertising ----------------------------------------------------------------------------
# Issue 22: "advertising is filed apart, does not start the 48-hour clock, and is counted in
# the reports"; the filter "learns from agents' 'this is advertising' / 'not advertising'
# marks" (balcao.mail.advertising).

_filter_cache: dict[str, tuple[tuple, dict]] = {}


def _filter_state() -> dict:
    """What the filter learnt, read again only after a mark changed it (one small query per
    message instead of the whole vocabulary; once per batch of mail: balcao.workscope)."""
    return workscope.remember("mail.advertising-filter", _read_filter_state)


def _read_filter_state() -> dict:
    stamp = (
        AdvertisingFilter.objects.filter(name=ADVERTISING_FILTER)
        .values_list("pk", "updated_at")
        .first()
    )
    if stamp is None:
        return {}
    cached = _filter_cache.get(ADVERTISING_FILTER)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    state = AdvertisingFilter.objects.values_list("state", flat=True).get(pk=stamp[0])
    _filter_cache[ADVERTISING_FILTER] = (stamp, state)
    return state


def _judge(mailbox: Mailbox, raw: bytes, parsed) -> advertising.Verdict | None:
    """The filter's verdict on a message that continues no case, or None when it is not
    judged: a machine's answer (out-of-office, read receipt) is never advertising, nor what
    our own address sent. A failing filter never stops the ingest: the message then opens
    its case as any other."""
    if parsed.auto_reply and not parsed.list:
        return None
    sender = (parsed.from_addr or "").strip().lower()
    if sender and sender == mailbox.address.strip().lower():
        return None
    try:
        return advertising.verdict(
            raw,
            sender=sender,
            subject=parsed.subject or "",
            text=parsed.text or "",
            state=_filter_state(),
            use_spamc=getattr(settings, "BALCAO_MAIL_SPAMC", True),
        )
    except Exception:  # noqa: BLE001 — the filter must not lose the message
        logger.exception("advertising filter failed on message %s", parsed.file)
        return None


def _reason_text(verdict: advertising.Verdict) -> str:
    """What decided, for the record and the console (at most 200 characters)."""
    detail = verdict.reason
    if verdict.source == "rule":
        text = _("cabeçalho %(detail)s") % {"detail": detail}
    elif verdict.source == "spamassassin":
        text = _("SpamAssassin %(detail)s") % {"detail": detail}
    elif verdict.source == "sender":
        text = _("remetente marcado como não publicidade")
    elif verdict.source == "bayes" and detail:
        text = _("classificador: %(detail)s") % {"detail": detail}
    elif verdict.source == "bayes":
        text = _("classificador")
    else:
        text = ""
    return text[:200]


def _file_as_advertising(mailbox, row, parsed, now) -> InboundMail:
    """Advertising is kept, with no case, no acknowledgement and no clock."""
    refusal = acknowledge.acknowledgement_refusal(
        parsed, opens_case=True, own_addresses=[mailbox.address], last_acknowledged=None, now=now
    )
    why = refusal or _("publicidade")
    return _save(
        row, InboundMail.Outcome.ADVERTISING, reason=_("sem confirmação: %(why)s") % {"why": why}
    )


def filed_advertising():
    """The messages filed as advertising (for supervisors, who may take one back)."""
    return InboundMail.objects.filter(outcome=InboundMail.Outcome.ADVERTISING).select_related(
        "mailbox", "marked_by"
    )


_MAIL_CHANNELS_KEY = "balcao.mail.channels-with-mailboxes"
MAIL_CHANNELS_TTL = 30  # seconds another process may take to see a new mailbox's channel


def mail_channel_ids() -> frozenset[int]:
    """The channels a mailbox feeds (remembered per process for ``MAIL_CHANNELS_TTL``
    seconds; a mailbox saved or deleted in this process forgets it at once): the case page
    of any other channel asks nothing about e-mail."""
    local = caches["local"]
    found = local.get(_MAIL_CHANNELS_KEY)
    if found is None:
        found = frozenset(Mailbox.objects.values_list("channel_id", flat=True))
        local.set(_MAIL_CHANNELS_KEY, found, MAIL_CHANNELS_TTL)
    return found


def _forget_mail_channels(**kwargs) -> None:
    caches["local"].delete(_MAIL_CHANNELS_KEY)


post_save.connect(_forget_mail_channels, sender=Mailbox, dispatch_uid="balcao.mail.box.save")
post_delete.connect(_forget_mail_channels, sender=Mailbox, dispatch_uid="balcao.mail.box.del")


def case_opening_mail(case: Case) -> InboundMail | None:
    """The e-mail that opened ``case`` (or that was filed as advertising after opening it),
    or None for a case opened otherwise."""
    if case.channel_id not in mail_channel_ids():
        return None
    return (
        InboundMail.objects.filter(
            case=case,
            outcome__in=[InboundMail.Outcome.NEW_CASE, InboundMail.Outcome.ADVERTISING],
        )
        .select_related("marked_by")
        .order_by("pk")
        .first()
    )


_LABELS = {
    InboundMail.Mark.ADVERTISING: advertising.AD,
    InboundMail.Mark.NOT_ADVERTISING: advertising.HAM,
}


@transaction.atomic
def do_mark_inbound(row: InboundMail, mark: str, *, actor) -> InboundMail:
    """Record an agent's mark on an incoming e-mail, act on it and teach the filter with it
    (issue 22: a classifier "that learns from agents' 'this is advertising' / 'not
    advertising' marks"):

    - "not advertising" on a message filed as advertising opens its case now, by the same
      path as any new message (the acknowledgement rules included); when its case had been
      closed as advertising, the new case names it. The case is dated from the message's
      reception, and so is its 48-hour clock (seed 003, 13.1 ii: "48 (quarenta e oito)
      horas seguidas, a contar da hora da receção do e-mail").
    - "advertising" on the message that opened a case closes the case along its workflow (to
      the first closing state it may move to: "Cancelado" from a new case) with no e-mail to
      the sender, and files the message as advertising.

    The same mark again changes nothing; a changed mark is counted once by the filter."""
    if mark not in _LABELS:
        raise Refused(_("Marca desconhecida."))
    Outcome = InboundMail.Outcome
    check_can(
        actor, "cases.change_state" if mark == InboundMail.Mark.ADVERTISING else "queues.manage"
    )
    row = InboundMail.objects.select_for_update().select_related("mailbox").get(pk=row.pk)
    if row.mark == mark:
        return row
    if mark == InboundMail.Mark.ADVERTISING and row.outcome not in (
        Outcome.NEW_CASE,
        Outcome.ADVERTISING,
    ):
        raise Refused(
            _("Só a mensagem que abriu um atendimento pode ser marcada como publicidade.")
        )
    with row.raw.open("rb") as handle:
        raw = handle.read()
    parsed = parsing.parse_bytes(raw, file=f"{row.uidvalidity}/{row.uid}")
    previous = row.mark
    if mark == InboundMail.Mark.ADVERTISING and row.outcome == Outcome.NEW_CASE:
        if row.case_id is not None:
            _close_as_advertising(row.case_id, actor)
        row.outcome = Outcome.ADVERTISING
    elif mark == InboundMail.Mark.NOT_ADVERTISING and row.outcome == Outcome.ADVERTISING:
        earlier = row.case
        row.case = row.case_message = None
        _new_case(
            row.mailbox,
            row,
            parsed,
            parsing.attachment_files(raw),
            timezone.now(),
            earlier=earlier,
            received_at=row.received_at,
            formatted=parsing.html_body(raw),
            content_language=parsing.header_text(raw, "Content-Language"),
        )
        Message.objects.create(
            case=row.case,
            body=_(
                "E-mail recebido em %(at)s e arquivado como publicidade; %(who)s marcou que não "
                "é publicidade e o atendimento foi aberto, com o prazo contado da recepção."
            )
            % {"at": timezone.localtime(row.received_at).strftime("%d/%m/%Y %H:%M"), "who": actor},
            author_kind=Message.Author.SYSTEM,
            internal=True,
        )
    row.mark, row.marked_by, row.marked_at = mark, _user(actor), timezone.now()
    row.save()
    sample = advertising.read(
        raw, sender=parsed.from_addr or "", subject=parsed.subject or "", text=parsed.text or ""
    )
    store, _created = AdvertisingFilter.objects.select_for_update().get_or_create(
        name=ADVERTISING_FILTER
    )
    store.state = advertising.learn(
        store.state, sample, _LABELS[mark], forget=_LABELS.get(previous)
    )
    store.save()
    return row


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _close_as_advertising(case_pk: int, actor) -> None:
    """Close a case opened by advertising along its workflow, with no e-mail to the sender."""
    case = Case.objects.select_related("state").get(pk=case_pk)
    if not case.is_open:
        return
    target = next(
        (
            move.target
            for move in cases.allowed_transitions(case)
            if move.target.category == State.Category.CLOSED
        ),
        None,
    )
    if target is None:
        raise Refused(
            _("Este atendimento não pode ser encerrado a partir da situação “%(state)s”.")
            % {"state": case.state.name}
        )
    cases.do_change_state(
        case,
        target,
        actor=actor,
        reason=_("Publicidade: encerrado sem resposta ao remetente."),
        tell_requester=False,
    )


def quarantined():
    """The messages that could not be read, newest first (for supervisors)."""
    return InboundMail.objects.filter(outcome=InboundMail.Outcome.QUARANTINE).select_related(
        "mailbox"
    )


def reprocess(row: InboundMail) -> InboundMail:
    """Read a quarantined message again (after a fix in the parser, say): its record is
    replaced by what the message becomes now — quarantined again, with the reason, if it
    still cannot be read."""
    if row.outcome != InboundMail.Outcome.QUARANTINE:
        return row
    with row.raw.open("rb") as handle:
        raw = handle.read()
    mailbox, uidvalidity, uid = row.mailbox, row.uidvalidity, row.uid
    with transaction.atomic():
        row.delete()
        return ingest(mailbox, raw, uidvalidity=uidvalidity, uid=uid)


def do_save_mailbox(form, *, secret: str = "") -> Mailbox:
    """Save a mailbox from the console's form; a typed secret replaces the stored one,
    encrypted (balcao.mail.secrets); a blank one keeps it."""
    from balcao.mail import secrets

    mailbox = form.save(commit=False)
    if secret:
        mailbox.imap_secret = secrets.seal(secret)
    mailbox.save()
    return mailbox


def connection_problem(mailbox: Mailbox) -> str | None:
    """Why the mailbox's IMAP server cannot be read now (a message for the person setting it
    up), or None when the login and the folder work."""
    from balcao.mail import imap

    if not mailbox.imap_host:
        return _("Informe o servidor IMAP.")
    try:
        with imap.connect(mailbox) as box:
            box.folder.status(mailbox.folder, ["MESSAGES"])
    except Exception as exc:  # noqa: BLE001 — any failure is reported, never raised
        return connection_problem_text(exc)
    return None


def connection_problem_text(exc: BaseException) -> str:
    """What a person reads about a mailbox that could not be read."""
    from balcao.mail import secrets

    if isinstance(exc, secrets.SecretUnreadable):
        return str(exc)
    return _("Não foi possível ler a caixa: %(error)s") % {"error": exc}


def do_quarantine_failed(
    mailbox: Mailbox, raw: bytes, *, uidvalidity: int, uid: int, error: BaseException
) -> InboundMail:
    """Keep a message whose ingest failed unexpectedly (a bug, not a bad message) in the
    quarantine with the error, so that it neither blocks the messages after it nor is lost;
    a supervisor reads it again once the fault is fixed (``reprocess``)."""
    key = {"mailbox": mailbox, "uidvalidity": uidvalidity, "uid": uid}
    existing = InboundMail.objects.filter(**key).first()
    if existing is not None:
        return existing
    parsed = parsing.parse_bytes(raw, file=f"{uidvalidity}/{uid}")
    row = InboundMail(
        **key,
        message_id=(parsed.message_id or "")[:250],
        sender=(parsed.from_addr or "").strip().lower()[:254],
        subject=(parsed.subject or "")[:300],
        size=len(raw),
    )
    row.raw.save(f"{uid}.eml", ContentFile(raw), save=False)
    reason = _("Erro interno ao processar a mensagem: %(error)s") % {
        "error": f"{type(error).__name__}: {error}"[:500]
    }
    return _save(row, InboundMail.Outcome.QUARANTINE, reason=reason)
