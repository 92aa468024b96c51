"""The contact centre's settings and records kept by its supervisors (issue 23): the phone
lines and their messages, cancelling a callback, the occurrences that affected the service
(seed 003, 13.2 d and 13.3 d) and the suggestions of improvement (seed 003, cláusula 11.ª
n.º 2). Views, the AMI feed and commands call these functions; the views only parse and
render.

Every change is written to the ``balcao.audit`` logger, where the contact centre's other
staff actions (plays and purges of recordings, ``balcao.telephony.recordings``) are
logged: ``StaffChange`` records changes to members of staff only.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.errors import Refused
from balcao.telephony.models import CallbackRequest, Line, Occurrence, Suggestion

audit_log = logging.getLogger("balcao.audit")

#: The languages a line's messages are written in, in the console (seed 003: português e
#: inglês; pt-BR for the Brazilian agencies). Other languages already in ``messages`` stay.
MESSAGE_LANGUAGES = ("pt-br", "pt-pt", "en")
#: The kinds of message a line has (``Line.messages``): outside opening hours, in the queue.
MESSAGE_KINDS = ("after_hours", "on_hold")
LINE_FIELDS = ("slug", "name", "queue", "country", "calendar", "channel", "active")


def _actor(user) -> str:
    return str(getattr(user, "pk", None) or "platform")


def merged_messages(current: dict | None, texts: dict[str, dict[str, str]]) -> dict:
    """``current`` (``Line.messages``) with ``texts`` (kind → language → text) written over
    it: an empty text removes that language; kinds and languages not in ``texts`` stay."""
    merged = {
        kind: dict(value) for kind, value in (current or {}).items() if isinstance(value, dict)
    }
    for kind, by_language in texts.items():
        target = merged.setdefault(kind, {})
        for language, text in by_language.items():
            text = (text or "").strip()
            if text:
                target[language] = text
            else:
                target.pop(language, None)
        if not target:
            merged.pop(kind)
    return merged


def do_save_line(actor, line: Line | None, fields: dict, texts: dict[str, dict[str, str]]) -> Line:
    """Create (``line`` None) or change a phone line: its ``LINE_FIELDS`` from ``fields``
    and its messages from ``texts`` (see ``merged_messages``; seed 003: mensagem fora do
    horário em português e inglês). The fields are validated by the caller (the console's
    form). Logs what changed."""
    created = line is None or line.pk is None
    before = {} if created else Line.objects.filter(pk=line.pk).values(*LINE_FIELDS, "messages")[0]
    line = line or Line()
    for name in LINE_FIELDS:
        if name in fields:
            setattr(line, name, fields[name])
    line.messages = merged_messages(before.get("messages", line.messages), texts)
    line.save()
    after = {
        "slug": line.slug,
        "name": line.name,
        "queue": line.queue,
        "country": line.country,
        "calendar": line.calendar_id,
        "channel": line.channel_id,
        "active": line.active,
        "messages": line.messages,
    }
    changed = sorted(k for k, v in after.items() if created or before.get(k) != v)
    audit_log.info(
        "telephony line %s: id=%s slug=%s fields=%s user=%s",
        "created" if created else "changed",
        line.pk,
        line.slug,
        ",".join(changed),
        _actor(actor),
    )
    return line


def do_cancel_callback(actor, callback: CallbackRequest) -> CallbackRequest:
    """Cancel a callback request still waiting (a person who asked twice, or who was
    reached otherwise); one already being dialled or finished is refused."""
    with transaction.atomic():
        current = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
        if current.status != CallbackRequest.Status.PENDING:
            raise Refused(_("Só um pedido aguardando pode ser cancelado."))
        current.status = CallbackRequest.Status.CANCELLED
        current.completed_at = timezone.now()
        current.outcome = _("Cancelado na console.")
        current.next_attempt_at = None
        current.save(update_fields=["status", "completed_at", "outcome", "next_attempt_at"])
    audit_log.info("telephony callback cancelled: id=%s user=%s", current.pk, _actor(actor))
    return current


def check_occurrence_times(started_at: datetime, ended_at: datetime | None) -> None:
    """An occurrence ends after it starts."""
    if ended_at is not None and ended_at < started_at:
        raise Refused(_("O fim não pode ser antes do início."))


def do_record_occurrence(
    actor,
    *,
    kind: str,
    scope: str,
    started_at: datetime,
    description: str,
    ended_at: datetime | None = None,
) -> Occurrence:
    """Record a failure, unavailability or other occurrence that affected the service, for
    the monthly and final reports (seed 003, 13.2 d) and 13.3 d))."""
    check_occurrence_times(started_at, ended_at)
    occurrence = Occurrence.objects.create(
        kind=kind,
        scope=scope,
        started_at=started_at,
        ended_at=ended_at,
        description=description.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_log.info(
        "telephony occurrence recorded: id=%s kind=%s scope=%s user=%s",
        occurrence.pk,
        kind,
        scope,
        _actor(actor),
    )
    return occurrence


def do_close_occurrence(actor, occurrence: Occurrence, ended_at: datetime | None = None):
    """Close an open occurrence (its end now, or at ``ended_at``; seed 003, 13.2 d): the
    reports count how long the service was affected."""
    ended_at = ended_at or timezone.now()
    with transaction.atomic():
        current = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
        if current.ended_at is not None:
            raise Refused(_("Esta ocorrência já foi encerrada."))
        check_occurrence_times(current.started_at, ended_at)
        current.ended_at = ended_at
        current.save(update_fields=["ended_at"])
    audit_log.info("telephony occurrence closed: id=%s user=%s", current.pk, _actor(actor))
    return current


def record_automatic_occurrence(scope: str, description: str) -> Occurrence:
    """Open an unavailability of ``scope`` recorded by the platform itself (the AMI feed
    when the connection to the PBX is lost; seed 003, 13.2 d): once — while one of that
    scope is open, it is returned and nothing is added."""
    with transaction.atomic():
        open_one = (
            Occurrence.objects.select_for_update()
            .filter(automatic=True, scope=scope, ended_at__isnull=True)
            .order_by("started_at", "pk")
            .first()
        )
        if open_one is not None:
            return open_one
        occurrence = Occurrence.objects.create(
            kind=Occurrence.Kind.UNAVAILABLE,
            scope=scope,
            started_at=timezone.now(),
            description=description,
            automatic=True,
        )
    audit_log.info(
        "telephony occurrence opened automatically: id=%s scope=%s", occurrence.pk, scope
    )
    return occurrence


def end_automatic_occurrence(scope: str) -> int:
    """Close the platform's open occurrences of ``scope`` (the PBX connection is back);
    returns how many were closed (0 when none was open)."""
    now = timezone.now()
    closed = Occurrence.objects.filter(automatic=True, scope=scope, ended_at__isnull=True).update(
        ended_at=now
    )
    if closed:
        audit_log.info(
            "telephony occurrence closed automatically: scope=%s count=%s", scope, closed
        )
    return closed


def do_record_suggestion(actor, *, source: str, text: str) -> Suggestion:
    """Record an improvement suggested by the agent or by a person served (seed 003,
    cláusula 11.ª n.º 2: "lista de sugestões de melhorias identificadas pelo operador ou
    pelos utentes"), listed monthly (13.3 g)."""
    text = text.strip()
    if not text:
        raise Refused(_("Escreva a sugestão."))
    suggestion = Suggestion.objects.create(
        source=source, text=text, recorded_by=actor if getattr(actor, "pk", None) else None
    )
    audit_log.info(
        "telephony suggestion recorded: id=%s source=%s user=%s",
        suggestion.pk,
        source,
        _actor(actor),
    )
    return suggestion
