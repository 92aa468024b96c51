"""Domain actions of the Serviço de Contato Direto com Usuários (issue 25; Portaria, seed
``001_…txt``, arts. 36-45).

Portaria, art. 36: "O Serviço de Contato Direto com Usuários consiste na comunicação oficial
com o usuário ou seu procurador, providenciada pela unidade gestora de serviço prestado pelo
INPI, com o objetivo de propiciar o saneamento de inconsistências, a correção de erros
formais, o cumprimento de exigências ou o esclarecimento de dúvidas de natureza técnica ou
procedimental. Parágrafo único. Se houver procurador devidamente constituído pelo usuário
perante o INPI, a comunicação oficial será encaminhada tão somente ao procurador."

A unit (``ContactUnit``: a team with its institutional address) publishes the hypotheses
under which a process is eligible (art. 38, ``Hypothesis``, shown on the portal). An agent
sends the official message composed of preceito, premissa and conclusão (art. 40) from the
unit's templates; it opens a case on the unit's channel with the ``contato-direto`` clock (5
working days for the person to answer, art. 40 III), goes from the unit's address to the
case's official recipient — the procurador only, when one is on file — and is archived on
the case with every later message (art. 41); replies by e-mail thread back into the case
(the e-mail channel reads In-Reply-To / References). The person is reminded once, one
working day before the deadline; without an answer by then the contact expires. When the
person is interested, the second message (art. 42) sets the session, which then follows the
(tele)presential rules (art. 43 and 45: ``presential``, ``record``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from balcao.accounts.permissions import SYSTEM, check_can
from balcao.cases import outbound
from balcao.cases.models import Message, OutboundMail, Requester
from balcao.cases.services import (
    check_requester_documents,
    do_add_message,
    do_open_case,
)
from balcao.cases.text import clean_line, clean_text
from balcao.scheduling import ics, presential, recurrence
from balcao.scheduling.models import (
    DirectContact,
    Hypothesis,
    Participant,
    SessionRequest,
)
from balcao.scheduling.services import SchedulingError, calendar_of, video_pattern

#: Who sends official messages and records the answers: the agents of the managing unit.
SEND_CAPABILITY = "cases.open"
#: The deadline policy of the person's reply (deadlines.policies: 5 working days).
POLICY = "contato-direto"
#: How many "best days and times" the conclusão offers (art. 40 III).
SUGGESTED_TIMES = 3

Status = DirectContact.Status


def contacts() -> QuerySet[DirectContact]:
    return DirectContact.objects.select_related(
        "case",
        "case__requester",
        "case__representative",
        "case__state",
        "hypothesis",
        "hypothesis__unit",
        "hypothesis__unit__team",
    )


def published_hypotheses() -> QuerySet[Hypothesis]:
    """The hypotheses and requirements published on the portal (art. 38)."""
    return Hypothesis.objects.filter(active=True).select_related("unit", "unit__team")


def find_holder(text: str) -> Requester | None:
    """The holder of a process on file, by e-mail address or CPF (verified records first)."""
    text = (text or "").strip()
    if not text:
        return None
    people = Requester.objects.filter(linked_to__isnull=True)
    if "@" in text:
        people = people.filter(email__iexact=text)
    else:
        try:
            cpf = check_requester_documents(cpf=text)["cpf"]
        except ValidationError:  # a malformed CPF finds nobody
            return None
        people = people.filter(cpf=cpf)
    return people.order_by("unverified", "-pk").first()


# -- composing the message: art. 40 ---------------------------------------------------------


def suggested_times(hypothesis: Hypothesis, now: datetime | None = None) -> list[datetime]:
    """The next free one-hour slots of the unit's channel (art. 40 III: "apresentação das
    melhores opções de dias e horários"), from the next working day, skipping the hours of
    sessions already confirmed."""
    now = now or timezone.now()
    channel = hypothesis.unit.channel
    today = timezone.localdate(now)
    busy = SessionRequest.objects.filter(
        case__channel=channel,
        status__in=[SessionRequest.Status.PICKED, SessionRequest.Status.CONFIRMED],
        starts_at__isnull=False,
        starts_at__gte=now,
    ).values_list("starts_at", "ends_at")
    slots = recurrence.free_slots(
        calendar_of(channel),
        today + timedelta(days=1),
        today + timedelta(days=21),
        busy=[(start, end) for start, end in busy if end],
        not_before=now,
        limit=SUGGESTED_TIMES * 8,
    )
    # spread over days: the first slot of each of the next days
    chosen: list[datetime] = []
    days: set = set()
    for slot in slots:
        if slot.start.date() not in days:
            days.add(slot.start.date())
            chosen.append(slot.start)
        if len(chosen) == SUGGESTED_TIMES:
            break
    return chosen


def format_moment(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def compose_parts(
    hypothesis: Hypothesis, *, process: str, holder: Requester | None, now=None
) -> dict[str, str]:
    """The three parts of the official message from the unit's templates (art. 40):
    ``{processo}`` becomes the process number, ``{titular}`` the holder's name and
    ``{horarios}`` the best days and times (``suggested_times``); an unknown placeholder is
    left as written, for the agent to see and fix."""
    values = _Blank(
        processo=process,
        titular=holder.name if holder else "",
        horarios="; ".join(format_moment(t) for t in suggested_times(hypothesis, now)),
    )
    return {
        "preceito": hypothesis.preceito.format_map(values),
        "premissa": hypothesis.premissa.format_map(values),
        "conclusao": hypothesis.conclusao.format_map(values),
    }


def message_body(contact: DirectContact) -> str:
    """The official message as it is sent and archived (art. 40's three parts, the reply
    deadline of art. 40 III, the unit's signature)."""
    unit = contact.hypothesis.unit
    lines = [
        _("Processo: %(process)s") % {"process": contact.process},
        "",
        _("Preceito"),
        contact.preceito,
        "",
        _("Premissa"),
        contact.premissa,
        "",
        _("Conclusão"),
        contact.conclusao,
        "",
    ]
    if contact.case.due_at:
        lines.append(
            _(
                "Se tiver interesse no atendimento (tele)presencial, responda a esta mensagem "
                "em até cinco dias úteis, até %(due)s, indicando os dias e horários de sua "
                "preferência."
            )
            % {"due": format_moment(contact.case.due_at)}
        )
    if unit.signature:
        lines += ["", unit.signature]
    return "\n".join(lines)


# -- sending --------------------------------------------------------------------------------


@transaction.atomic
def do_send_direct_contact(
    *,
    hypothesis: Hypothesis,
    holder: Requester | None,
    process: str,
    preceito: str,
    premissa: str,
    conclusao: str,
    actor,
) -> DirectContact:
    """Send the official message of art. 40 about ``process`` to its holder — to the
    procurador only when one is on file (art. 36, sole paragraph) — from the unit's
    institutional address (art. 39: "por e-mail institucional específico"), on a new case
    whose clock is the person's 5 working days (``contato-direto``, art. 40 III)."""
    check_can(actor, SEND_CAPABILITY)
    if holder is None:
        raise SchedulingError(
            _("Informe o e-mail ou o CPF do titular do processo, como está no cadastro."),
            "holder",
        )
    process = clean_line(process, 100)
    parts = {
        "preceito": clean_text(preceito, 5000),
        "premissa": clean_text(premissa, 5000),
        "conclusao": clean_text(conclusao, 5000),
    }
    if not process:
        raise SchedulingError(_("Informe o número do processo."), "process")
    labels = {
        "preceito": _("o preceito"),
        "premissa": _("a premissa"),
        "conclusao": _("a conclusão"),
    }
    for name, text in parts.items():
        if not text:
            raise SchedulingError(
                _("Escreva %(part)s da mensagem (Portaria, art. 40).") % {"part": labels[name]},
                name,
            )
    if not hypothesis.active:
        raise SchedulingError(_("Esta hipótese não está publicada."), "hypothesis")
    unit = hypothesis.unit
    case = do_open_case(
        channel=unit.channel,
        subject=_("Contato direto: %(title)s — processo %(process)s")
        % {"title": hypothesis.title, "process": process},
        description=_("Hipótese: %(title)s\nRequisitos: %(requirements)s")
        % {"title": hypothesis.title, "requirements": hypothesis.requirements},
        requester=holder,
        team=unit.team,
        actor=actor,
        deadline_policy=POLICY,
    )
    if case.official_recipient is None or not case.official_recipient.email:
        raise SchedulingError(
            _("O titular (ou o seu procurador) não tem e-mail no cadastro."), "holder"
        )
    contact = DirectContact.objects.create(
        case=case, hypothesis=hypothesis, process=process, sent_by=_user(actor), **parts
    )
    subject = _("[%(protocol)s] Contato do INPI sobre o processo %(process)s") % {
        "protocol": case.protocol,
        "process": process,
    }
    _send(contact, subject, message_body(contact), actor=actor)
    return contact


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _send(contact: DirectContact, subject: str, body: str, *, actor) -> None:
    """Archive ``body`` on the case (art. 41) and e-mail it from the unit's address to the
    official recipient (the procurador when one is on file)."""
    staff = _user(actor) is not None
    message = do_add_message(
        contact.case,
        body,
        actor=actor if staff else SYSTEM,
        author_kind=Message.Author.AGENT if staff else Message.Author.SYSTEM,
        email=False,
    )
    outbound.queue_mail(
        contact.case,
        OutboundMail.Kind.DIRECT_CONTACT,
        subject,
        body,
        message=message,
        from_address=contact.hypothesis.unit.email,
    )


# -- the answer -----------------------------------------------------------------------------


@transaction.atomic
def do_record_answer(contact: DirectContact, interested: bool, *, actor) -> DirectContact:
    """Record the person's answer (read in their reply, which the e-mail channel threads into
    the case). Not interested: the contact ends and its case closes."""
    check_can(actor, SEND_CAPABILITY)
    contact = DirectContact.objects.select_for_update().get(pk=contact.pk)
    if contact.status not in (Status.SENT, Status.EXPIRED):
        raise SchedulingError(_("A resposta deste contato já foi registrada."))
    contact.status = Status.INTERESTED if interested else Status.DECLINED
    contact.save(update_fields=["status"])
    note = (
        _("Resposta registrada: o usuário tem interesse no atendimento (tele)presencial.")
        if interested
        else _("Resposta registrada: o usuário não tem interesse no atendimento.")
    )
    do_add_message(contact.case, note, actor=actor, internal=True)
    if not interested:
        presential.close_case(contact.case, actor=actor, reason=note, tell_requester=False)
    return contact


def sweep(now: datetime | None = None) -> tuple[int, int]:
    """The periodic pass: remind once, one working day before the deadline, whoever has not
    answered; mark as expired the contacts whose 5 working days are over (art. 40 III).
    Returns (reminded, expired)."""
    now = now or timezone.now()
    reminded = expired = 0
    pending = DirectContact.objects.filter(status=Status.SENT, case__due_at__isnull=False)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            contact = contacts().select_for_update(of=("self",)).get(pk=pk)
            if contact.status != Status.SENT:
                continue
            due = contact.case.due_at
            assert due is not None
            if now >= due:
                contact.status = Status.EXPIRED
                contact.save(update_fields=["status"])
                do_add_message(
                    contact.case,
                    _("Prazo de resposta de cinco dias úteis encerrado sem manifestação."),
                    actor=SYSTEM,
                    author_kind=Message.Author.SYSTEM,
                    internal=True,
                )
                expired += 1
                continue
            calendar = calendar_of(contact.case.channel)
            days_left = calendar.working_days_between(
                timezone.localdate(now, calendar.tz), timezone.localdate(due, calendar.tz)
            )
            if contact.reminded_at is None and days_left <= 1:
                contact.reminded_at = now
                contact.save(update_fields=["reminded_at"])
                subject = _(
                    "[%(protocol)s] Lembrete: contato do INPI sobre o processo %(process)s"
                ) % {
                    "protocol": contact.case.protocol,
                    "process": contact.process,
                }
                body = "\n".join(
                    [
                        _(
                            "Lembramos que o prazo para responder à mensagem abaixo termina em "
                            "%(due)s."
                        )
                        % {"due": format_moment(due)},
                        "",
                        message_body(contact),
                    ]
                )
                _send(contact, subject, body, actor=SYSTEM)
                reminded += 1
    return reminded, expired


# -- the second message: art. 42 ------------------------------------------------------------


@transaction.atomic
def do_send_session_details(
    contact: DirectContact, *, starts_at: datetime, mode: str, place: str = "", actor
) -> SessionRequest:
    """The second message once the person is interested (art. 42): "I - solicitação do nome
    completo dos participantes …; II - agendamento do dia e horário …; III - indicação do
    local físico ou do hiperlink de acesso ao meio de conferência de vídeo …; IV - informação
    de que o atendimento (tele)presencial terá duração prevista de uma hora." It sets the
    session on the case; the unit confirms it with its representatives (art. 43) as any
    (tele)presential session, and the confirmation with the ``.ics`` follows."""
    check_can(actor, SEND_CAPABILITY)
    contact = contacts().select_for_update(of=("self",)).get(pk=contact.pk)
    if contact.status != Status.INTERESTED:
        raise SchedulingError(
            _("Registre antes o interesse do usuário no atendimento (tele)presencial.")
        )
    if SessionRequest.objects.filter(case=contact.case).exists():
        raise SchedulingError(_("A sessão deste contato já foi marcada."))
    if mode not in SessionRequest.Mode.values:
        raise SchedulingError(_("Escolha presencial ou por videochamada."), "mode")
    place = clean_line(place, 300)
    if mode == SessionRequest.Mode.PRESENTIAL and not place:
        raise SchedulingError(_("Informe o local do atendimento presencial."), "place")
    (start,) = presential.check_slots(contact.case.channel, [starts_at], timezone.now())
    video_url = room = ""
    if mode == SessionRequest.Mode.REMOTE:
        room = ics.new_room_secret()
        video_url = ics.video_link(room, video_pattern())
    session_request = SessionRequest.objects.create(
        case=contact.case,
        origin=SessionRequest.Origin.DIRECT_CONTACT,
        status=SessionRequest.Status.PICKED,
        mode=mode,
        requester_document="",
        reference=contact.process,
        justification=contact.preceito,
        starts_at=start,
        ends_at=start + presential.SESSION_LENGTH,
        place=place if mode == SessionRequest.Mode.PRESENTIAL else "",
        video_url=video_url,
        room_secret=room,
    )
    recipient = contact.case.official_recipient
    if recipient is not None:
        Participant.objects.create(
            request=session_request,
            kind=Participant.Kind.REQUESTER,
            name=recipient.name,
            email=recipient.email,
        )
    where = (
        _("Local: %(place)s") % {"place": place}
        if mode == SessionRequest.Mode.PRESENTIAL
        else _("Link da videochamada: %(link)s") % {"link": video_url}
    )
    body = "\n".join(
        [
            _("Processo: %(process)s") % {"process": contact.process},
            "",
            _("Obrigado pela resposta. O atendimento (tele)presencial fica marcado para %(when)s.")
            % {"when": format_moment(start)},
            where,
            _("O atendimento terá duração prevista de uma hora."),
            _(
                "Responda a esta mensagem com o nome completo de cada participante. Todos "
                "apresentam um documento de identificação no início (Portaria, art. 43, § 3º)."
            ),
        ]
    )
    if contact.hypothesis.unit.signature:
        body += "\n\n" + contact.hypothesis.unit.signature
    subject = _("[%(protocol)s] Atendimento (tele)presencial: processo %(process)s") % {
        "protocol": contact.case.protocol,
        "process": contact.process,
    }
    _send(contact, subject, body, actor=actor)
    return session_request
