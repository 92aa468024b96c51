"""E-mail to the person a case belongs to: acknowledgement, replies, requests for
complementation, state changes and the closing answer.

Every message is an ``OutboundMail`` row written in the transaction that caused it and sent
by the task queue once that transaction commits (nobody is told about a reply that was rolled
back). Each carries a ``Message-ID`` under the agency's mail domain, ``In-Reply-To`` and
``References`` to the case's first message (so a mail client shows one thread and the e-mail
channel can thread the person's answers back into the case), the protocol in the subject and
in ``X-Balcao-Protocol``, the agency's signature and the link to the follow-up page. A refused
send is recorded on the row (attempts, error) and retried with backoff by
``retry_outbound_mail``; after ``MAX_ATTEMPTS`` it stays visible on the case as failed.

"Manter o usuário informado sobre o andamento de sua demanda" is the heart of closing the loop
with the citizen (Lei 13.460/2017, art. 5º, and the Carta de Serviços, seed 000: "jornada mais
agradável, simples, ágil e personalizada").
"""

from __future__ import annotations

import threading
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from balcao.cases.models import Case, Message, OutboundMail, State

MAX_ATTEMPTS = 6
# Marks where the one-time access code goes; the stored body never holds the code itself
# once the message is sent.
CODE_MARK = "\u2063[código de acesso]\u2063"

# Kinds the person gets without asking, in answer to their own action (RFC 3834).
AUTOMATIC_KINDS = {
    OutboundMail.Kind.ACKNOWLEDGEMENT,
    OutboundMail.Kind.ACCESS_CODE,
    OutboundMail.Kind.STATE_CHANGE,
}
# When two mails to the same case are caused by one transaction (an agent replies and sets
# "Aguardando o requerente" in one step), the person gets one e-mail: the later kind wins
# when it ranks higher, and the texts are joined.
_RANK = {
    OutboundMail.Kind.STATE_CHANGE: 0,
    OutboundMail.Kind.REPLY: 1,
    OutboundMail.Kind.COMPLEMENT_REQUEST: 2,
    OutboundMail.Kind.ANSWER: 3,
    OutboundMail.Kind.ACKNOWLEDGEMENT: 4,
    OutboundMail.Kind.ACCESS_CODE: 5,
}
_pending = threading.local()


def backoff_seconds(attempts: int) -> int:
    """1, 2, 4, 8, 16 minutes... capped at 2 hours."""
    return min(60 * 2 ** max(0, attempts - 1), 7200)


def mail_domain() -> str:
    """The right-hand side of our Message-IDs: the domain of the From address."""
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "balcao.invalid"


def followup_url(case: Case) -> str:
    """The follow-up page with the protocol filled in (the code is never in a link)."""
    path = reverse("portal:followup")
    return f"{settings.BALCAO_BASE_URL.rstrip('/')}{path}?protocolo={case.protocol}"


def format_moment(moment) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT", use_l10n=True)


def _language_of(case: Case) -> str:
    recipient = case.official_recipient
    return (getattr(recipient, "preferred_language", "") or "pt-br").lower()


def _footer(case: Case, *, with_code_hint: bool = True) -> list[str]:
    lines = [
        "",
        _("Acompanhe o atendimento, responda ou envie arquivos: %(url)s")
        % {"url": followup_url(case)},
    ]
    if with_code_hint:
        lines.append(
            _(
                "Use o número de protocolo e o código de acesso que enviamos na confirmação "
                "do atendimento."
            )
        )
    lines += ["", "-- ", settings.BALCAO_AGENCY_NAME]
    signature = getattr(settings, "BALCAO_MAIL_SIGNATURE", "")
    if signature:
        lines.append(signature)
    lines.append(
        _(
            "Por favor, não responda a este e-mail com dados sensíveis; use a página de "
            "acompanhamento."
        )
    )
    return lines


def _thread_root(case: Case) -> str:
    """What a new e-mail answers: the person's latest e-mail on the case (so their mail
    program threads it under what they wrote), else the first e-mail Balcão sent."""
    theirs = (
        case.messages.filter(author_kind=Message.Author.REQUESTER)
        .exclude(external_id="")
        .order_by("-created_at", "-pk")
        .values_list("external_id", flat=True)
        .first()
    )
    if theirs:
        return theirs
    first = (
        case.outbound_mails.exclude(kind=OutboundMail.Kind.UNIT_FORWARD)  # not the person's
        .order_by("created_at", "pk")
        .values_list("message_id", flat=True)
    )
    return first.first() or ""


def _references(mail: OutboundMail) -> str:
    """RFC 5322 §3.6.4: the thread's first message, then the ones after it up to the one
    answered (Balcão's first e-mail, the person's e-mails on the case, the answered one)."""
    case = mail.case
    ids: list[str] = []
    first = (
        case.outbound_mails.exclude(kind=OutboundMail.Kind.UNIT_FORWARD)  # not the person's
        .order_by("created_at", "pk")
        .values_list("in_reply_to", "message_id")
        .first()
    )
    if first:
        ids += [i for i in first if i]  # the person's first e-mail, if the case began so
    ids += list(
        case.messages.filter(author_kind=Message.Author.REQUESTER)
        .exclude(external_id="")
        .order_by("created_at", "pk")
        .values_list("external_id", flat=True)
    )[-8:]
    if mail.in_reply_to and mail.in_reply_to not in ids:
        ids.append(mail.in_reply_to)
    ids = [i for i in dict.fromkeys(ids) if i != mail.message_id]
    return " ".join(ids)


def queue_mail(
    case: Case,
    kind: str,
    subject: str,
    body: str,
    *,
    message: Message | None = None,
    secret: str = "",
    in_reply_to: str = "",
    from_address: str = "",
) -> OutboundMail | None:
    """Write the e-mail for ``case``'s official recipient (the procurador when one is on
    file) and send it after commit; None when there is nobody to write to. It answers
    ``in_reply_to`` when given, else the thread's root (``_thread_root``)."""
    recipient = case.official_recipient
    if recipient is None or not recipient.email:
        return None
    key = (transaction.get_connection().alias, case.pk)
    batch = getattr(_pending, "batches", None)
    if batch is None:
        batch = _pending.batches = {}
    earlier = batch.get(key)
    if earlier is not None and transaction.get_connection().in_atomic_block:
        mail = OutboundMail.objects.filter(
            pk=earlier, status=OutboundMail.Status.QUEUED, attempts=0
        ).first()
        if (
            mail is not None
            and mail.from_address == from_address
            and kind
            not in (
                OutboundMail.Kind.ACKNOWLEDGEMENT,
                OutboundMail.Kind.ACCESS_CODE,
            )
        ):
            if _RANK.get(kind, 0) >= _RANK.get(mail.kind, 0):
                mail.kind, mail.subject = kind, subject
            mail.body = _join_bodies(mail.body, body)
            if message is not None and mail.case_message_id is None:
                mail.case_message = message
            mail.save(update_fields=["kind", "subject", "body", "case_message"])
            return mail
    mail = OutboundMail.objects.create(
        case=case,
        case_message=message,
        kind=kind,
        to_address=recipient.email,
        from_address=from_address,
        subject=subject[:300],
        body=body,
        secret=secret,
        message_id=make_msgid(idstring=f"balcao.{kind}", domain=mail_domain()),
        in_reply_to=in_reply_to[:250] or _thread_root(case),
        language=_language_of(case),
    )
    batch[key] = mail.pk
    transaction.on_commit(lambda: _after_commit(key, mail.pk))
    return mail


def _join_bodies(first: str, second: str) -> str:
    """Two texts for one e-mail: the first up to its footer, then the second whole."""
    head = first.split("\n\n-- \n", 1)[0].rstrip()
    head = head.rsplit("\n\n" + _("Acompanhe o atendimento"), 1)[0].rstrip()
    if head and head in second:  # the second already quotes the first (a request's text)
        return second
    return f"{head}\n\n{second}"


def _after_commit(key, pk: int) -> None:
    batches = getattr(_pending, "batches", {})
    if batches.get(key) == pk:
        del batches[key]
    from balcao.cases.tasks import send_outbound_mail

    send_outbound_mail(pk)


def _reply_address(mail: OutboundMail) -> str:
    """Where the person's answer should go: the mailbox that feeds the case's channel (an
    agency with several — Fale Conosco, Comex Responde — gets each answer back in the right
    one), else ``BALCAO_REPLY_TO``, else the sender address. A unit's answer comes back to
    the same place."""
    mailbox = (
        mail.case.channel.mailboxes.filter(active=True).order_by("pk").values_list("address")
    ).first()
    if mailbox:
        return mailbox[0]
    return getattr(settings, "BALCAO_REPLY_TO", "") or settings.DEFAULT_FROM_EMAIL


def build_email(mail: OutboundMail, connection=None) -> EmailMessage:
    """The e-mail as it leaves: subject with the protocol, threading headers, the code put
    in only now."""
    protocol = mail.case.protocol
    headers = {
        "Message-ID": mail.message_id,
        "X-Balcao-Protocol": protocol,
        "X-Balcao-Kind": mail.kind,
    }
    if mail.in_reply_to:
        headers["In-Reply-To"] = mail.in_reply_to
        headers["References"] = _references(mail) or mail.in_reply_to
    if mail.kind in AUTOMATIC_KINDS:
        headers["Auto-Submitted"] = "auto-generated"
    reply_to = _reply_address(mail)
    body = mail.body.replace(CODE_MARK, mail.secret) if mail.secret else mail.body
    return EmailMessage(
        subject=mail.subject,
        body=body,
        from_email=mail.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[mail.to_address],
        reply_to=[reply_to],
        headers=headers,
        connection=connection,
    )


def attempt_send(mail: OutboundMail, connection=None) -> bool:
    """Send once; record the outcome on the row (and on the case page through it)."""
    now = timezone.now()
    mail.attempts += 1
    try:
        build_email(mail, connection or get_connection()).send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 — any refusal (socket, SMTP code) is recorded
        mail.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if mail.attempts >= MAX_ATTEMPTS:
            mail.status = OutboundMail.Status.FAILED
            mail.next_attempt_at = None
            mail.secret = ""
        else:
            mail.status = OutboundMail.Status.QUEUED
            mail.next_attempt_at = now + timedelta(seconds=backoff_seconds(mail.attempts))
        mail.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "secret"])
        return False
    mail.status = OutboundMail.Status.SENT
    mail.sent_at = now
    mail.next_attempt_at = None
    mail.secret = ""  # the code left with the e-mail; only its hash stays (CaseAccess)
    mail.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "secret"])
    return True


def send_queued(pk: int) -> bool:
    """Send one queued mail unless it already went (a retry racing the first attempt)."""
    with transaction.atomic():
        mail = (
            OutboundMail.objects.select_for_update()
            .select_related("case")
            .filter(pk=pk, status=OutboundMail.Status.QUEUED)
            .first()
        )
        if mail is None:
            return True
        return attempt_send(mail)


def retry_due(now=None, limit: int = 200) -> int:
    """Send the queued mails whose next attempt is due (and those a restart left behind)."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=5)
    due = (
        OutboundMail.objects.filter(status=OutboundMail.Status.QUEUED)
        .filter(
            models_q_due(now, stale),
        )
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in list(due):
        sent += bool(send_queued(pk))
    return sent


def models_q_due(now, stale):
    from django.db.models import Q

    return Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=stale)


# --- what each kind says ------------------------------------------------------------------


def _last_public_reply(case: Case) -> str:
    """What the team asked for, when the state change itself carries no text: the latest
    public message of an agent (usually written in the same step)."""
    message = (
        case.messages.filter(author_kind=Message.Author.AGENT, internal=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    if message is None:
        return _("as informações indicadas pela equipe na página de acompanhamento.")
    return message.body


def queue_acknowledgement(case: Case, code: str, *, in_reply_to: str = "") -> OutboundMail | None:
    """The protocol, the due date and the access code to the follow-up page."""
    with translation.override(_language_of(case)):
        channel = case.channel.text("name", translation.get_language() or "pt-BR")
        subject = _("[%(protocol)s] Atendimento recebido — %(channel)s") % {
            "protocol": case.protocol,
            "channel": channel,
        }
        due = format_moment(case.due_at)
        lines = [
            _("Recebemos a sua mensagem pelo canal %(channel)s.") % {"channel": channel},
            "",
            _("Número de protocolo: %(protocol)s") % {"protocol": case.protocol},
            _("Código de acesso: %(code)s") % {"code": CODE_MARK},
            (
                _("Prazo de resposta: %(due)s") % {"due": due}
                if due
                else _("Prazo de resposta: acordado entre você e o órgão.")
            ),
            _("Assunto: %(subject)s") % {"subject": case.subject},
            "",
            _(
                "Guarde o número e o código: com eles você acompanha o atendimento, responde "
                "e envia arquivos. Não os compartilhe."
            ),
            *_footer(case, with_code_hint=False),
        ]
    return queue_mail(
        case,
        OutboundMail.Kind.ACKNOWLEDGEMENT,
        subject,
        "\n".join(lines),
        secret=code,
        in_reply_to=in_reply_to,
    )


def queue_new_code(case: Case, code: str) -> OutboundMail | None:
    with translation.override(_language_of(case)):
        subject = _("[%(protocol)s] Novo código de acesso") % {"protocol": case.protocol}
        lines = [
            _("Foi pedido um novo código de acesso para o atendimento %(protocol)s.")
            % {"protocol": case.protocol},
            _("Código de acesso: %(code)s") % {"code": CODE_MARK},
            _(
                "O código anterior deixou de valer. Se não foi você quem pediu, ignore esta "
                "mensagem."
            ),
            *_footer(case, with_code_hint=False),
        ]
    return queue_mail(case, OutboundMail.Kind.ACCESS_CODE, subject, "\n".join(lines), secret=code)


def queue_reply(case: Case, message: Message) -> OutboundMail | None:
    with translation.override(_language_of(case)):
        subject = _("[%(protocol)s] Nova resposta ao seu atendimento") % {"protocol": case.protocol}
        lines = [message.body]
        names = [a.filename for a in message.attachments.all()]
        if names:
            lines += [
                "",
                _("Arquivos enviados (baixe na página de acompanhamento): %(names)s")
                % {"names": ", ".join(names)},
            ]
        lines += _footer(case)
    return queue_mail(case, OutboundMail.Kind.REPLY, subject, "\n".join(lines), message=message)


def queue_state_change(case: Case, old: State, new: State, reason: str = "") -> OutboundMail | None:
    """Tell the person what they need to know: a request for complementation (what, by when,
    and what happens to the deadline), the answer (with the invitation to rate it), a
    reopening. Internal moves (open → in progress) are not mailed."""
    from balcao.cases.clock import complement_deadline, pause_mode_of

    category = State.Category
    with translation.override(_language_of(case)):
        if new.category == category.WAITING_REQUESTER and old.category != new.category:
            subject = _("[%(protocol)s] Precisamos de informações para continuar") % {
                "protocol": case.protocol
            }
            lines = [_("Para continuar o seu atendimento, precisamos que você nos envie:"), ""]
            lines.append(reason or _last_public_reply(case))
            until = complement_deadline(case)
            lines += [
                "",
                _("Responda pela página de acompanhamento até %(date)s.")
                % {"date": formats.date_format(until, "DATE_FORMAT")},
            ]
            mode = pause_mode_of(case)
            if mode == "pause":
                lines.append(
                    _(
                        "Enquanto aguardamos a sua resposta, o prazo de atendimento fica "
                        "suspenso; ele volta a correr quando você responder."
                    )
                )
            elif mode == "restart":
                lines.append(
                    _(
                        "Enquanto aguardamos a sua resposta, o prazo de atendimento fica "
                        "interrompido; ele recomeça a contar quando você responder."
                    )
                )
            kind = OutboundMail.Kind.COMPLEMENT_REQUEST
        elif new.is_terminal and not old.is_terminal:
            subject = _("[%(protocol)s] Atendimento concluído: %(state)s") % {
                "protocol": case.protocol,
                "state": new.name,
            }
            lines = [
                _("O seu atendimento %(protocol)s foi concluído (%(state)s).")
                % {"protocol": case.protocol, "state": new.name},
            ]
            if reason:
                lines += ["", reason]
            lines += [
                "",
                _(
                    "Conte-nos como foi: na página de acompanhamento você avalia o "
                    "atendimento em menos de um minuto."
                ),
            ]
            kind = OutboundMail.Kind.ANSWER
        elif old.is_terminal and not new.is_terminal:
            subject = _("[%(protocol)s] Atendimento reaberto") % {"protocol": case.protocol}
            lines = [
                _("O seu atendimento %(protocol)s foi reaberto.") % {"protocol": case.protocol}
            ]
            if reason:
                lines += ["", reason]
            kind = OutboundMail.Kind.STATE_CHANGE
        else:
            return None
        lines += _footer(case)
    return queue_mail(case, kind, subject, "\n".join(lines))
