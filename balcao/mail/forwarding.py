"""Forwarding a case by e-mail to one of the agency's own units, and the unit's answer
coming back into the case (issue 22: "an agent forwards a case to a configured unit address
with a tracking token; the unit's answer comes back into the same case; the time at the unit
is shown and counted separately").

The Portuguese tender (seed 003) expects about 10 % of the e-mails to be forwarded "para o
INPI, I. P., [...] sempre que o seu teor assim o determine" (Parte II, 3.2) and counts them in
the weekly report (13.1 e')). How it goes is 11.12: the request goes to the unit's address,
"a resposta será recebida numa plataforma de tickets e respondida ao prestador pela mesma
via. Caberá ao Teleoperador dar a resposta final ao utilizador." So:

- ``do_forward_to_unit`` writes a ``UnitForward`` with a random token and queues its e-mail
  (an ``OutboundMail`` of kind ``unit_forward``, sent after commit by the task queue and
  retried like every other e-mail). The token is in the subject (``[Encaminhamento <token>]``)
  and in the ``Message-ID`` (``<encaminhamento.<token>@domain>``), so the unit's answer is
  recognised by ``In-Reply-To``/``References`` or, failing those, by the subject.
- What the unit gets: the protocol, the case's subject, channel and dates, the person's own
  messages as text and what the agent asks. Not the person's name, e-mail, phone or
  documents: the unit answers the contact centre, never the person, and the tender asks to
  "respeitar escrupulosamente a confidencialidade dos dados pessoais" (cláusula 5.ª, 5);
  whatever the person wrote in their messages goes, because it is the question. Files are
  named, not attached (they stay on the case). Cases of a confidential channel (the
  ombudsman's) are not forwarded this way: the ombudsman forwards them without the author's
  identity (balcao.ombudsman.services.do_forward).
- ``unit_answer_for`` finds the forward an incoming message answers; ``do_record_unit_answer``
  adds the answer to the case as an **internal** message (the person never sees it: the
  agent writes the final answer), marks the forward answered and puts a case that was
  waiting on the units back to the team. A unit's answer never opens a case and is never
  acknowledged (balcao.mail.services.ingest returns before either).
- The time at the unit is ``answered_at - sent_at`` (until now while pending), shown on the
  case and summed per case and per period apart from the agency's own time
  (``time_at_units``, ``clock_time_at_units``, ``units_report``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from balcao import workscope
from balcao.accounts.permissions import SYSTEM, check_can
from balcao.cases import history, outbound
from balcao.cases import services as cases
from balcao.cases.attachments import AttachmentRefused, check_file
from balcao.cases.models import Case, CaseEvent, Message, OutboundMail, State
from balcao.errors import Refused
from balcao.mail.models import Unit, UnitForward

TOKEN_BYTES = 8  # 16 hex digits, 64 bits: not guessable from outside
NOTE_MAX = 5000
BODY_MAX = 20000  # the person's messages in the e-mail, at most (the case keeps them all)
_HEX16 = r"([0-9a-f]{16})"
_TOKEN_IN_ID = re.compile(rf"<encaminhamento\.{_HEX16}@", re.IGNORECASE)
_TOKEN_IN_SUBJECT = re.compile(rf"encaminhamento\W{{0,3}}{_HEX16}(?![0-9a-f])", re.IGNORECASE)
# Where a reply's quotation of our e-mail starts (mail programs in Portuguese and English).
_QUOTE_START = re.compile(
    r"^\s*(?:-{2,}\s*(?:mensagem original|original message|mensagem encaminhada)\s*-{2,}"
    r"|(?:em|on)\s.{0,200}\s(?:escreveu|wrote)\s*:"
    r"|(?:de|from)\s*:\s.*@.*)\s*$",
    re.IGNORECASE,
)


class ForwardRefused(Refused):
    """A forward that cannot be made; ``fields`` maps a form field to its message."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__(" ".join(fields.values()))


# --- pure helpers (no database) -----------------------------------------------------------


def new_token() -> str:
    return secrets.token_hex(TOKEN_BYTES)


def forward_message_id(token: str, domain: str) -> str:
    """The forward's ``Message-ID``: the token where a reply's ``In-Reply-To`` names it."""
    return f"<encaminhamento.{token}@{domain}>"


def tokens_in(subject: str, message_ids: Sequence[str]) -> list[str]:
    """The forward tokens an incoming message names, strongest first: in the ids it answers
    (``In-Reply-To`` then ``References`` newest first), then in its subject; once each."""
    found: list[str] = []
    for candidate in message_ids:
        for match in _TOKEN_IN_ID.finditer(candidate or ""):
            found.append(match.group(1).lower())
    for match in _TOKEN_IN_SUBJECT.finditer(subject or ""):
        found.append(match.group(1).lower())
    return list(dict.fromkeys(found))


def strip_quoted(text: str) -> str:
    """The unit's own words: a reply's text without the quotation of our e-mail below it
    (from "Em ..., ... escreveu:", "-----Original Message-----" or a run of "> " lines to
    the end). The whole message stays in the stored original."""
    lines = (text or "").splitlines()
    for n, line in enumerate(lines):
        if n and _QUOTE_START.match(line):
            lines = lines[:n]
            break
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    kept = "\n".join(lines).strip()
    return kept or (text or "").strip()


def merged_intervals(
    intervals: Iterable[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    """``intervals`` (start, end) with the overlapping ones joined, in order."""
    merged: list[list[datetime]] = []
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def merged_duration(intervals: Iterable[tuple[datetime, datetime]]) -> timedelta:
    """The time covered by ``intervals``, overlaps counted once: two units consulted at the
    same time do not double the time the case spent at units."""
    return sum((e - s for s, e in merged_intervals(intervals)), timedelta(0))


# --- forwarding ---------------------------------------------------------------------------

_UNITS_KEY = "balcao.mail.units-configured"
UNITS_TTL = 30  # seconds another process may take to see the first unit set up


def units_configured() -> bool:
    """Whether any unit is set up: without one the case page has no forward to show nor a
    form to offer, and asks nothing more of the database (remembered per process for
    ``UNITS_TTL`` seconds; a unit saved or deleted in this process forgets it at once)."""
    local = caches["local"]
    found = local.get(_UNITS_KEY)
    if found is None:
        found = Unit.objects.exists()
        local.set(_UNITS_KEY, found, UNITS_TTL)
    return found


def _forget_units(**kwargs) -> None:
    caches["local"].delete(_UNITS_KEY)


post_save.connect(_forget_units, sender=Unit, dispatch_uid="balcao.mail.forwarding.units.save")
post_delete.connect(_forget_units, sender=Unit, dispatch_uid="balcao.mail.forwarding.units.del")


def forward_refusal(case: Case, unit: Unit | None, note: str) -> dict[str, str]:
    """Why ``case`` cannot go to ``unit`` with ``note`` now (field → message); empty when
    it can."""
    refused: dict[str, str] = {}
    if unit is None or not unit.active:
        refused["unit"] = _("Escolha uma unidade ativa.")
    if not (note or "").strip():
        refused["note"] = _("Escreva o que a unidade deve responder ou verificar.")
    elif len(note) > NOTE_MAX:
        refused["note"] = _("Escreva no máximo %(n)s caracteres.") % {"n": NOTE_MAX}
    if not case.is_open:
        refused["unit"] = _("Este atendimento já foi concluído; reabra-o antes de encaminhar.")
    elif cases.is_confidential(case):
        refused["unit"] = _(
            "Os atendimentos deste canal são sigilosos: a Ouvidoria os encaminha sem a "
            "identificação de quem se manifestou."
        )
    return refused


def _the_persons_messages(case: Case) -> list[str]:
    """The person's own words on the case, oldest first, as the unit reads them: the
    opening text and their later messages (with the names of their files)."""
    when = outbound.format_moment
    parts: list[str] = []
    if case.description.strip():
        parts.append(f"--- {when(case.created_at)} ---\n{case.description.strip()}")
    theirs = (
        case.messages.filter(author_kind=Message.Author.REQUESTER, internal=False)
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )
    for message in theirs:
        text = message.body.strip()
        names = [a.filename for a in message.attachments.all()]
        if names:
            text += "\n" + _("Arquivos (ficam no atendimento): %(names)s") % {
                "names": ", ".join(names)
            }
        parts.append(f"--- {when(message.created_at)} ---\n{text.strip()}")
    return parts


def forward_text(case: Case, unit: Unit, note: str, token: str) -> tuple[str, str]:
    """Subject and body of the e-mail to the unit (see the module's docstring for what it
    holds and what it leaves out)."""
    subject = _("[Encaminhamento %(token)s] %(subject)s") % {
        "token": token,
        "subject": case.subject,
    }
    theirs = "\n\n".join(_the_persons_messages(case)) or _("(sem mensagens)")
    if len(theirs) > BODY_MAX:
        theirs = (
            theirs[:BODY_MAX].rstrip() + "\n[…] " + _("(texto cortado; continua no atendimento)")
        )
    due = outbound.format_moment(case.due_at)
    lines = [
        _("A equipe de atendimento encaminha à unidade %(unit)s o atendimento %(protocol)s.")
        % {"unit": unit.name, "protocol": case.protocol},
        "",
        _("O que se pede à unidade:"),
        note.strip(),
        "",
        _("Protocolo: %(protocol)s") % {"protocol": case.protocol},
        _("Assunto: %(subject)s") % {"subject": case.subject},
        _("Canal: %(channel)s") % {"channel": case.channel.name},
        _("Recebido em: %(when)s") % {"when": outbound.format_moment(case.created_at)},
    ]
    if due:
        lines.append(_("Prazo de resposta ao requerente: %(due)s") % {"due": due})
    lines += [
        "",
        _("Mensagens do requerente:"),
        "",
        theirs,
        "",
        _(
            "Responda a este e-mail mantendo “[Encaminhamento %(token)s]” no assunto. A "
            "resposta volta ao atendimento como nota interna: o requerente não a recebe; a "
            "equipe de atendimento dá a resposta final."
        )
        % {"token": token},
        _(
            "Os dados de contato do requerente não seguem neste e-mail. Se forem necessários, "
            "peça-os à equipe de atendimento."
        ),
        "",
        "-- ",
        settings.BALCAO_AGENCY_NAME,
    ]
    return subject[:300], "\n".join(lines)


def _move(case: Case, category: str, reason: str) -> None:
    """Move the case to the first state of ``category`` its workflow allows now; nothing
    when there is none (a new case of the help-desk workflow cannot wait on third parties
    before it is taken)."""
    target = next(
        (t.target for t in cases.allowed_transitions(case) if t.target.category == category),
        None,
    )
    if target is not None:
        cases.do_change_state(case, target, actor=SYSTEM, reason=reason)
        case.refresh_from_db()


@transaction.atomic
def do_forward_to_unit(case: Case, unit: Unit | None, note: str, actor) -> UnitForward:
    """Forward ``case`` to ``unit`` by e-mail, asking what ``note`` says (seed 003, 3.2 and
    11.12). The e-mail leaves after commit through the task queue (retried, its outcome on
    the case); the case records it (history and an internal note) and, when its workflow
    allows, waits on third parties until the unit answers. Refused with ``ForwardRefused``
    (per field) when the case is concluded or confidential, the unit inactive or the note
    empty. The time at the unit is counted apart (``time_at_units``); the 48-hour clock of
    the Portuguese contact centre stops meanwhile, legal clocks do not
    (``cases.clock.THIRD_PARTY_PAUSES``)."""
    check_can(actor, "cases.reply")
    case = Case.objects.select_for_update().select_related("state", "channel").get(pk=case.pk)
    note = (note or "").strip()
    refused = forward_refusal(case, unit, note)
    if refused:
        raise ForwardRefused(refused)
    token = new_token()
    person = actor if getattr(actor, "pk", None) else None  # SYSTEM acts as nobody
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = forward_text(case, unit, note, token)
        mail = OutboundMail.objects.create(
            case=case,
            kind=OutboundMail.Kind.UNIT_FORWARD,
            to_address=unit.address,
            subject=subject,
            body=body,
            message_id=forward_message_id(token, outbound.mail_domain()),
            language=settings.LANGUAGE_CODE,
        )
        forward = UnitForward.objects.create(
            case=case,
            unit=unit,
            token=token,
            note=note,
            sent_at=timezone.now(),
            sent_by=person,
            outbound=mail,
        )
        Message.objects.create(
            case=case,
            body=_("Encaminhado à unidade %(unit)s (%(address)s). Pedido:\n\n%(note)s")
            % {"unit": unit.name, "address": unit.address, "note": note},
            author_kind=Message.Author.AGENT if person else Message.Author.SYSTEM,
            author_user=person,
            internal=True,
        )
        history.record(
            case,
            CaseEvent.Action.UPDATED,
            actor=actor,
            field="encaminhamento",
            new=unit.name,
            reason=note[:500],
        )
        if case.state.category == State.Category.OPEN:
            _move(
                case,
                State.Category.WAITING_THIRD_PARTY,
                _("Encaminhado à unidade %(unit)s.") % {"unit": unit.name},
            )
    transaction.on_commit(lambda: _send(mail.pk))
    return forward


def _send(pk: int) -> None:
    from balcao.cases.tasks import send_outbound_mail

    send_outbound_mail(pk)


# --- the unit's answer --------------------------------------------------------------------


def unit_answer_for(parsed) -> UnitForward | None:
    """The forward an incoming message (``parsing.ParsedMail``) answers, or None: by the
    token in the ids it answers (``In-Reply-To``/``References`` naming our ``Message-ID``) or
    in its subject; failing both, a message from a unit's own address whose subject names
    the protocol of a case forwarded to that unit. A bounce is not an answer (it is noted on
    the case as any bounce), nor is a message from the person the case belongs to (their
    mail program may keep our ids in a reply; it is their reply, not the unit's)."""
    if parsed.bounce:
        return None
    ids = [i for i in (parsed.in_reply_to, *reversed(parsed.references or [])) if i]
    forward = None
    tokens = tokens_in(parsed.subject, ids)
    if tokens:
        found = {
            f.token: f
            for f in UnitForward.objects.filter(token__in=tokens).select_related("unit", "case")
        }
        forward = next((found[t] for t in tokens if t in found), None)
    if forward is None and ids:
        forward = (
            UnitForward.objects.filter(outbound__message_id__in=ids)
            .select_related("unit", "case")
            .order_by("-sent_at", "-pk")
            .first()
        )
    sender = (parsed.from_addr or "").strip().lower()
    if forward is None and sender:
        forward = _by_unit_sender(parsed, sender)
    if forward is None:
        return None
    if (
        sender
        and sender != forward.unit.address.lower()
        and sender in _persons_addresses(forward.case)
    ):
        return None
    return forward


def _units_by_address() -> dict[str, Unit]:
    """The units by their address (lower case), read once per batch of mail
    (balcao.workscope)."""

    def read() -> dict[str, Unit]:
        units: dict[str, Unit] = {}
        for unit in Unit.objects.order_by("pk"):
            units.setdefault(unit.address.strip().lower(), unit)
        return units

    return workscope.remember("mail.units", read)


def _by_unit_sender(parsed, sender: str) -> UnitForward | None:
    from balcao.mail import threads

    unit = _units_by_address().get(sender)
    if unit is None:
        return None
    written = threads.protocols_in(
        parsed.subject, settings.BALCAO_PROTOCOL_PATTERN, unit=settings.BALCAO_PROTOCOL_UNIT
    )
    if not written:
        return None
    return (
        UnitForward.objects.filter(unit=unit, case__protocol__in=written)
        .select_related("unit", "case")
        .order_by("answered_at", "-sent_at", "-pk")  # an unanswered one first
        .first()
    )


def _persons_addresses(case: Case) -> set[str]:
    people = (case.requester, case.representative)
    return {p.email.strip().lower() for p in people if p is not None and p.email}


def _checked_files(case: Case, files) -> tuple[list, list[str]]:
    """The files that pass the channel's attachment rules, and why the others did not."""
    accepted, refused = [], []
    channel = case.channel
    for name, data in files or ():
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
    return accepted, refused


@transaction.atomic
def do_record_unit_answer(forward: UnitForward, parsed, files, row) -> Message:
    """The unit's answer on the forwarded case, as an internal message with its files (the
    person never sees it; seed 003, 11.12: "Caberá ao Teleoperador dar a resposta final ao
    utilizador"). The first answer marks the forward answered (the time at the unit ends)
    and, when no other unit is still to answer, puts a case waiting on third parties back
    to the team. A machine's reply (an out-of-office) is noted but answers nothing. Refused
    files are named in ``row.reason`` (the ``InboundMail`` being written; they stay in the
    original)."""
    forward = UnitForward.objects.select_for_update().select_related("unit").get(pk=forward.pk)
    case = Case.objects.select_related("state", "channel").get(pk=forward.case_id)
    machine = bool(parsed.auto_reply and not parsed.list)
    accepted, refused = _checked_files(case, files)
    sender = parsed.from_addr or forward.unit.address
    with translation.override(settings.LANGUAGE_CODE):
        if machine:
            head = _(
                "Resposta automática de %(sender)s ao encaminhamento à unidade %(unit)s "
                "(não conta como resposta da unidade):"
            )
        else:
            head = _("Resposta da unidade %(unit)s (%(sender)s) ao encaminhamento:")
        text = strip_quoted(parsed.text or "") or _("(mensagem sem texto)")
        body = head % {"unit": forward.unit.name, "sender": sender} + "\n\n" + text
        message = cases.do_add_message(
            case, body, author_kind=Message.Author.SYSTEM, internal=True, files=accepted
        )
        if parsed.message_id:
            Message.objects.filter(pk=message.pk).update(external_id=parsed.message_id[:250])
            message.external_id = parsed.message_id[:250]
        if not machine and forward.answered_at is None:
            forward.answered_at, forward.answer = timezone.now(), message
            forward.save(update_fields=["answered_at", "answer"])
            history.record(
                case,
                CaseEvent.Action.UPDATED,
                actor=SYSTEM,
                field="encaminhamento",
                new=_("respondido pela unidade %(unit)s") % {"unit": forward.unit.name},
            )
            pending = UnitForward.objects.filter(case=case, answered_at__isnull=True).exists()
            if case.state.category == State.Category.WAITING_THIRD_PARTY and not pending:
                _move(
                    case,
                    State.Category.OPEN,
                    _("A unidade %(unit)s respondeu ao encaminhamento.")
                    % {"unit": forward.unit.name},
                )
    row.reason = "; ".join(refused)
    return message


# --- time at the units --------------------------------------------------------------------


def time_at_unit(forward: UnitForward, *, now: datetime | None = None) -> timedelta:
    """How long the case has been (or was) with the unit: sent to answered, or to now."""
    end = forward.answered_at or now or timezone.now()
    return max(end - forward.sent_at, timedelta(0))


def _intervals(forwards: Iterable[UnitForward], now: datetime):
    return [(f.sent_at, f.answered_at or now) for f in forwards]


def time_at_units(case: Case, *, now: datetime | None = None, forwards=None) -> timedelta:
    """The time ``case`` spent at units, overlapping forwards counted once (wall clock);
    ``forwards``: the case's, when the caller has read them already."""
    now = now or timezone.now()
    forwards = case.unit_forwards.all() if forwards is None else forwards
    return merged_duration(_intervals(forwards, now))


def clock_time_at_units(
    case: Case, *, now: datetime | None = None, forwards=None
) -> timedelta | None:
    """The time at units as the case's deadline clock counts time — for ``pt-email-48h``
    the hours of working days only (seed 003, 12.2 ii): "com exceção de fins de semana e
    feriados nacionais") — so a report can say how much of the 48 hours the units took;
    None when the case's policy does not count hours."""
    from balcao.deadlines.policies import Kind
    from balcao.deadlines.services import calendar_for_country, policy_named

    policy = policy_named(case.deadline_policy)
    if policy is None or policy.kind not in (Kind.RUNNING_HOURS, Kind.WORKING_HOURS):
        return None
    cal = calendar_for_country(policy.country)
    opening = policy.kind == Kind.WORKING_HOURS
    now = now or timezone.now()
    forwards = case.unit_forwards.all() if forwards is None else forwards
    seconds = sum(
        cal.running_seconds_between(start, end, opening)
        for start, end in merged_intervals(_intervals(forwards, now))
    )
    return timedelta(seconds=seconds)


@dataclass
class UnitLine:
    """One unit's forwards sent in a period: how many, answered or not, and the time they
    took (answered ones; the pending ones until now)."""

    unit: str
    address: str
    forwarded: int = 0
    answered: int = 0
    pending: int = 0
    time_answered: timedelta = field(default_factory=timedelta)
    time_pending: timedelta = field(default_factory=timedelta)

    @property
    def mean_answer(self) -> timedelta | None:
        return self.time_answered / self.answered if self.answered else None


@dataclass
class UnitsReport:
    """Forwards sent in [start, end): per unit, and the totals (13.1 e'): "número de
    mensagens de correio eletrónico que [...] são devidamente reencaminhadas")."""

    start: datetime
    end: datetime
    units: list[UnitLine]
    forwarded: int
    cases: int

    @property
    def answered(self) -> int:
        return sum(line.answered for line in self.units)

    @property
    def pending(self) -> int:
        return sum(line.pending for line in self.units)


def units_report(start: datetime, end: datetime, *, now: datetime | None = None) -> UnitsReport:
    """The forwards sent in [start, end) and the time the units took, apart from the
    agency's own time (for the e-mail reports, 13.1 e'))."""
    now = now or timezone.now()
    forwards = list(
        UnitForward.objects.filter(sent_at__gte=start, sent_at__lt=end)
        .select_related("unit")
        .order_by("unit__name", "sent_at")
    )
    lines: dict[int, UnitLine] = {}
    for f in forwards:
        line = lines.setdefault(f.unit_id, UnitLine(unit=f.unit.name, address=f.unit.address))
        line.forwarded += 1
        if f.answered_at is not None:
            line.answered += 1
            line.time_answered += time_at_unit(f)
        else:
            line.pending += 1
            line.time_pending += time_at_unit(f, now=now)
    return UnitsReport(
        start=start,
        end=end,
        units=list(lines.values()),
        forwarded=len(forwards),
        cases=len({f.case_id for f in forwards}),
    )
