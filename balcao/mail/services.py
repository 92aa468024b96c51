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
  supervisor — never dropped.

Attachments go through the case core's checks one by one; a refused file is named in the
record's reason and stays in the original ``.eml``. The caller marks the server's copy as
processed only after ``ingest`` returned (the row is committed by then), so a crash between
the two reads the message again and finds its row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.permissions import SYSTEM
from balcao.cases import followup, intake
from balcao.cases import services as cases
from balcao.cases.attachments import AttachmentRefused, check_file
from balcao.cases.models import Case, Message, OutboundMail
from balcao.mail import acknowledge, parsing, threads
from balcao.mail.models import InboundMail, Mailbox

SUBJECT_MAX = 250


def ingest(mailbox: Mailbox, raw: bytes, *, uidvalidity: int, uid: int, now=None) -> InboundMail:
    """The record of the server's message ``uidvalidity``/``uid`` of ``mailbox``, creating
    what it becomes the first time (see the module's docstring); the same message again
    returns the same record and changes nothing (``created_now`` tells which)."""
    key = {"mailbox": mailbox, "uidvalidity": uidvalidity, "uid": uid}
    existing = InboundMail.objects.filter(**key).first()
    if existing is not None:
        existing.created_now = False
        return existing
    parsed = parsing.parse_bytes(raw, file=f"{uidvalidity}/{uid}")
    try:
        with transaction.atomic():
            row = _ingest(mailbox, raw, parsed, key, now or timezone.now())
    except IntegrityError:  # another worker took it in between
        row = InboundMail.objects.get(**key)
        row.created_now = False
        return row
    row.created_now = True
    return row


def _ingest(mailbox, raw, parsed, key, now) -> InboundMail:
    row = InboundMail(
        **key,
        message_id=(parsed.message_id or "")[:250],
        sender=(parsed.from_addr or "")[:254],
        subject=(parsed.subject or "")[:300],
        size=len(raw),
    )
    row.raw.save(f"{key['uid']}.eml", ContentFile(raw), save=False)
    if parsed.error and not (parsed.from_addr or parsed.text or parsed.attachments):
        return _save(row, InboundMail.Outcome.QUARANTINE, reason=parsed.error)
    if (
        row.message_id
        and InboundMail.objects.filter(mailbox=mailbox, message_id=row.message_id)
        .exclude(outcome=InboundMail.Outcome.QUARANTINE)
        .exists()
    ):
        return _save(row, InboundMail.Outcome.DUPLICATE)
    case = _case_continued(parsed)
    if parsed.bounce:
        if case is not None:
            Message.objects.create(
                case=case,
                body=_("Aviso de não entrega recebido: %(subject)s") % {"subject": row.subject},
                author_kind=Message.Author.SYSTEM,
                internal=True,
            )
        return _save(row, InboundMail.Outcome.BOUNCE, case=case)
    files = parsing.attachment_files(raw)
    if case is not None and case.is_open:
        message, refused = _add(case, parsed.text or "", files, external_id=parsed.message_id)
        followup.resume_after_reply(case)
        return _save(row, InboundMail.Outcome.REPLY, case=case, message=message, reason=refused)
    return _new_case(mailbox, row, parsed, files, now, earlier=case)


def _save(row, outcome, *, case=None, message=None, reason="") -> InboundMail:
    row.outcome, row.case, row.case_message, row.reason = outcome, case, message, reason
    row.save()
    return row


def _case_continued(parsed) -> Case | None:
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
    return Case.objects.select_related("state", "channel").get(pk=pk) if pk else None


def _add(
    case: Case, text: str, files, *, always: bool = True, external_id: str | None = None
) -> tuple[Message | None, str]:
    """The person's message and its files on ``case``: each file checked on its own, the
    refused ones named in the returned reason (they stay in the original)."""
    accepted, refused = [], []
    channel = case.channel
    for name, data in files:
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
    if not always and not accepted:
        return None, "; ".join(refused)
    body = text.strip() or (_("(mensagem sem texto)") if not accepted else "")
    message = cases.do_add_message(case, body, author_kind=Message.Author.REQUESTER, files=accepted)
    if external_id:
        Message.objects.filter(pk=message.pk).update(external_id=external_id[:250])
        message.external_id = external_id[:250]
    return message, "; ".join(refused)


def _new_case(mailbox, row, parsed, files, now, *, earlier: Case | None) -> InboundMail:
    sender = (parsed.from_addr or "").strip().lower()
    contact = (
        intake.do_record_public_contact(name=parsed.from_name or sender, email=sender)
        if sender and "@" in sender
        else None
    )
    last = (
        InboundMail.objects.filter(mailbox=mailbox, sender=sender, acknowledged=True)
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )
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
    )
    if parsed.message_id:
        # the acknowledgement answers the person's e-mail (their mail program threads it)
        OutboundMail.objects.filter(
            case=case, kind=OutboundMail.Kind.ACKNOWLEDGEMENT, status=OutboundMail.Status.QUEUED
        ).update(in_reply_to=parsed.message_id[:250])
    message, refused = (None, "")
    if files:
        message, refused = _add(case, "", files, always=False, external_id=parsed.message_id)
    row.acknowledged = refusal is None and contact is not None
    reasons = [r for r in (refused, f"sem confirmação: {refusal}" if refusal else "") if r]
    return _save(
        row, InboundMail.Outcome.NEW_CASE, case=case, message=message, reason="; ".join(reasons)
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
    from balcao.mail import imap, secrets

    if not mailbox.imap_host:
        return _("Informe o servidor IMAP.")
    try:
        with imap.connect(mailbox) as box:
            box.folder.status(mailbox.folder, ["MESSAGES"])
    except secrets.SecretUnreadable as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 — any failure is reported, never raised
        return _("Não foi possível ler a caixa: %(error)s") % {"error": exc}
    return None
