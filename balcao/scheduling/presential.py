"""Domain actions of the Serviço de Atendimento (Tele)Presencial (issue 25; Portaria, seed
``001_…txt``, arts. 32-35; catalogue, seed ``000_…txt``: "7 dias úteis para triagem prévia;
sob agendamento para sessões individuais de 1 hora").

A request (art. 34) opens a case on the channel, whose clock is the triage's 7 working days
(the channel's ``fale-conosco`` policy). The unit then accepts it and offers one-hour slots,
redirects it to a better channel with its reasons, or refuses it with grounds. The person
picks an offered slot from the link e-mailed to them; the session is confirmed only with two
representatives of the agency, at least one a civil servant (art. 32 §4; the participants
are kept by ``scheduling.record``), and the person then gets the confirmation with the place
or the video link and the ``.ics``, and reminders the day before and one hour before. Staff
can reschedule or cancel with a reason; the person can cancel from the same link.

Every message to the person goes to the case's official recipient (the procurador when one
is on file, art. 36, parágrafo único) and is archived on the case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from balcao.accounts.permissions import SYSTEM, check_can
from balcao.cases import intake
from balcao.cases.models import Case, Message, State
from balcao.cases.outbound import mail_domain
from balcao.cases.services import do_add_message, do_change_state, do_open_case, visible_cases
from balcao.cases.text import clean_line, clean_text
from balcao.catalog.models import Channel
from balcao.scheduling import ics, rules
from balcao.scheduling.models import OfferedSlot, Participant, SessionRequest
from balcao.scheduling.services import SchedulingError, calendar_of, video_pattern

#: Who triages requests, confirms, reschedules and cancels sessions: the agents of the unit.
TRIAGE_CAPABILITY = "cases.reply"
#: One-hour sessions (seed 000: "sessões individuais de 1 hora").
SESSION_LENGTH = timedelta(hours=1)
#: At most this many slots offered at once.
MAX_SLOTS = 8

Status = SessionRequest.Status


class MailKind:
    OFFER = "offer"
    CONFIRMATION = "confirmation"
    RESCHEDULE = "reschedule"
    CANCELLATION = "cancellation"
    REMINDER = "reminder"


def is_presential_channel(channel: Channel) -> bool:
    """The (tele)presential service and any channel like it: by appointment, individual
    sessions (``hours = appointment``)."""
    return channel.entry == Channel.Entry.SCHEDULING and channel.hours == Channel.Hours.APPOINTMENT


def session_requests() -> QuerySet[SessionRequest]:
    return SessionRequest.objects.select_related(
        "case", "case__channel", "case__requester", "case__state"
    )


# -- the request: art. 34 -------------------------------------------------------------------


def request_description(request: rules.SessionRequest, mode: str) -> str:
    """The case's description: the four requirements of art. 34 as the person gave them."""
    lines = [
        _("Solicitante: %(name)s") % {"name": request.requester_name},
        _("Documento de identificação: %(document)s") % {"document": request.requester_document},
        _("Assunto: %(subject)s") % {"subject": request.subject},
        _("Ato ou processo: %(reference)s")
        % {"reference": request.reference or _("não se refere a um ato ou processo específico")},
        _("Justificativa: %(text)s") % {"text": request.justification},
        _("Modalidade preferida: %(mode)s") % {"mode": SessionRequest.Mode(mode).label},
    ]
    if request.companions:
        lines.append(_("Acompanhantes:"))
        lines += [f"- {c.name}: {c.interest}" for c in request.companions]
    else:
        lines.append(_("Acompanhantes: nenhum"))
    return "\n".join(lines)


@transaction.atomic
def do_request_session(
    channel: Channel,
    request: rules.SessionRequest,
    *,
    email: str,
    cpf: str = "",
    mode: str = "remote",
    language: str = "pt-br",
) -> SessionRequest:
    """Open a (tele)presential request from the portal's form.

    Portaria, art. 34: "São considerados requisitos para a solicitação do Serviço de
    Atendimento (Tele)Presencial: I - identificação do solicitante …; II - assunto a ser
    abordado, com a indicação do ato ou processo administrativo …; III - justificativa da
    necessidade do atendimento presencial; e IV - identificação de eventuais acompanhantes e
    seu interesse no assunto." An incomplete request is refused (``rules.RuleViolation``,
    every missing requirement named). As on every public form the person is not identified:
    the case goes to a new unverified contact (``cases.intake``), and the acknowledgement
    with the protocol and the triage's due date goes to the address typed, on commit.
    """
    rules.check_request(request)
    if not is_presential_channel(channel):
        raise SchedulingError(_("Este canal não recebe pedidos de atendimento (tele)presencial."))
    if mode not in SessionRequest.Mode.values:
        raise SchedulingError(_("Escolha presencial ou por videochamada."), "mode")
    requester = intake.do_record_public_contact(
        name=request.requester_name, email=email, cpf=cpf, preferred_language=language
    )
    case = do_open_case(
        channel=channel,
        subject=request.subject,
        description=clean_text(request_description(request, mode), 10000),
        requester=requester,
        actor=SYSTEM,
        acknowledge=True,
    )
    session_request = SessionRequest.objects.create(
        case=case,
        origin=SessionRequest.Origin.REQUEST,
        mode=mode,
        requester_document=clean_line(request.requester_document, 100),
        reference=clean_line(request.reference, 250),
        no_reference=request.no_reference and not request.reference.strip(),
        justification=clean_text(request.justification, 5000),
    )
    Participant.objects.create(
        request=session_request,
        kind=Participant.Kind.REQUESTER,
        name=requester.name,
        email=requester.email,
    )
    for companion in request.companions or ():
        Participant.objects.create(
            request=session_request,
            kind=Participant.Kind.COMPANION,
            name=clean_line(companion.name, 200),
            interest=clean_line(companion.interest, 300),
        )
    return session_request


# -- triage ---------------------------------------------------------------------------------


def _locked(session_request: SessionRequest) -> SessionRequest:
    return session_requests().select_for_update(of=("self",)).get(pk=session_request.pk)


def _require(session_request: SessionRequest, *statuses: object) -> None:
    if session_request.status not in statuses:
        raise SchedulingError(
            _("Não é possível fazer isso com um atendimento na situação “%(status)s”.")
            % {"status": session_request.get_status_display()}
        )


def check_slots(channel: Channel, starts: Iterable[datetime], now: datetime) -> list[datetime]:
    """The slots a unit offers: one to ``MAX_SLOTS`` distinct starts, in the future, on
    working days of the channel's calendar (no holiday, closure or weekend)."""
    chosen = sorted({s.replace(second=0, microsecond=0) for s in starts})
    if not chosen:
        raise SchedulingError(_("Ofereça ao menos um horário."), "slots")
    if len(chosen) > MAX_SLOTS:
        raise SchedulingError(
            _("Ofereça no máximo %(count)s horários.") % {"count": MAX_SLOTS}, "slots"
        )
    calendar = calendar_of(channel)
    for start in chosen:
        if start <= now:
            raise SchedulingError(_("Ofereça apenas horários futuros."), "slots")
        local = timezone.localtime(start, calendar.tz)
        if not calendar.is_working_day(local.date()):
            raise SchedulingError(
                _("%(day)s não é dia útil no calendário do canal.")
                % {"day": formats.date_format(local.date(), "SHORT_DATE_FORMAT")},
                "slots",
            )
    return chosen


@transaction.atomic
def do_accept(
    session_request: SessionRequest,
    starts: Sequence[datetime],
    *,
    mode: str,
    place: str = "",
    actor,
) -> SessionRequest:
    """The unit accepts the request and offers one-hour slots; the person is e-mailed the
    link to pick one (issue 25: "the unit accepts (proposes slots) … the person picks one of
    the offered one-hour slots"). A presential session needs its place; a remote one gets a
    video room nobody can guess."""
    check_can(actor, TRIAGE_CAPABILITY)
    session_request = _locked(session_request)
    _require(session_request, Status.TRIAGE, Status.OFFERED)
    if mode not in SessionRequest.Mode.values:
        raise SchedulingError(_("Escolha presencial ou por videochamada."), "mode")
    place = clean_line(place, 300)
    if mode == SessionRequest.Mode.PRESENTIAL and not place:
        raise SchedulingError(_("Informe o local do atendimento presencial."), "place")
    chosen = check_slots(session_request.case.channel, starts, timezone.now())
    session_request.slots.all().delete()
    OfferedSlot.objects.bulk_create(
        OfferedSlot(request=session_request, starts_at=s, ends_at=s + SESSION_LENGTH)
        for s in chosen
    )
    session_request.status = Status.OFFERED
    session_request.mode = mode
    session_request.place = place if mode == SessionRequest.Mode.PRESENTIAL else ""
    if mode == SessionRequest.Mode.REMOTE and not session_request.video_url:
        secret = ics.new_room_secret()
        session_request.room_secret = secret
        session_request.video_url = ics.video_link(secret, video_pattern())
    _decided(session_request, actor)
    session_request.save()
    lines = [
        _(
            "Seu pedido de atendimento (tele)presencial foi aceito. Escolha um dos horários "
            "abaixo; cada sessão dura uma hora."
        ),
        "",
        *[f"- {format_moment(s)}" for s in chosen],
        "",
        _("Para escolher o horário: %(link)s") % {"link": person_url(session_request)},
    ]
    _tell(session_request, "\n".join(lines), actor=actor)
    return session_request


def _decided(session_request: SessionRequest, actor) -> None:
    session_request.decided_at = timezone.now()
    session_request.decided_by = actor if getattr(actor, "pk", None) else None


def close_case(case: Case, *, actor, reason: str, tell_requester: bool = True) -> None:
    """Close the case through its workflow (resolved, else closed), if a transition allows;
    the person is told of it unless ``tell_requester`` is False."""
    case = Case.objects.select_related("state").get(pk=case.pk)
    for category in (State.Category.RESOLVED, State.Category.CLOSED):
        target = (
            State.objects.filter(
                workflow_id=case.state.workflow_id,
                category=category,
                incoming__source=case.state,
            )
            .order_by("order", "pk")
            .first()
        )
        if target is not None:
            do_change_state(case, target, actor=actor, reason=reason, tell_requester=tell_requester)
            return


def visible_requests(user) -> QuerySet[SessionRequest]:
    """The requests on cases ``user`` may see (``cases.services.visible_cases``: an agent
    sees their teams' cases, their own and the unqueued ones)."""
    return session_requests().filter(case__in=visible_cases(user))


@transaction.atomic
def do_redirect(
    session_request: SessionRequest, channel: Channel, reason: str, *, actor
) -> SessionRequest:
    """The unit redirects the request to a better channel, with its reasons (issue 25)."""
    check_can(actor, TRIAGE_CAPABILITY)
    session_request = _locked(session_request)
    _require(session_request, Status.TRIAGE, Status.OFFERED)
    reason = clean_text(reason, 5000)
    if not reason:
        raise SchedulingError(_("Explique por que o outro canal atende melhor."), "reason")
    if channel is None or not channel.active:
        raise SchedulingError(_("Escolha o canal indicado."), "channel")
    session_request.status = Status.REDIRECTED
    session_request.redirect_channel = channel
    session_request.decision_reason = reason
    _decided(session_request, actor)
    session_request.save()
    link = settings.BALCAO_BASE_URL.rstrip("/") + reverse(
        "portal:channel_form", args=[channel.slug]
    )
    body = "\n".join(
        [
            _(
                "Seu pedido de atendimento (tele)presencial foi analisado. O assunto será mais "
                "bem atendido pelo canal %(channel)s."
            )
            % {"channel": channel.name},
            "",
            _("Motivo: %(reason)s") % {"reason": reason},
            "",
            _("Acesse o canal: %(link)s") % {"link": link},
        ]
    )
    _tell(session_request, body, actor=actor)
    close_case(session_request.case, actor=actor, reason=reason)
    return session_request


@transaction.atomic
def do_refuse(session_request: SessionRequest, grounds: str, *, actor) -> SessionRequest:
    """The unit refuses the request with its grounds (issue 25; art. 33: the service "não se
    destina à revisão do mérito de decisões")."""
    check_can(actor, TRIAGE_CAPABILITY)
    session_request = _locked(session_request)
    _require(session_request, Status.TRIAGE, Status.OFFERED)
    grounds = clean_text(grounds, 5000)
    if not grounds:
        raise SchedulingError(_("Informe os fundamentos da recusa."), "reason")
    session_request.status = Status.REFUSED
    session_request.decision_reason = grounds
    _decided(session_request, actor)
    session_request.save()
    body = "\n".join(
        [
            _("Seu pedido de atendimento (tele)presencial não foi aceito."),
            "",
            _("Fundamentos: %(grounds)s") % {"grounds": grounds},
        ]
    )
    _tell(session_request, body, actor=actor)
    close_case(session_request.case, actor=actor, reason=grounds)
    return session_request


# -- the person picks; the unit confirms ----------------------------------------------------


def request_of_token(token: str) -> SessionRequest:
    session_request = session_requests().filter(token=token).first()
    if session_request is None:
        raise SchedulingError(_("Este link não é válido. Confira o endereço no e-mail recebido."))
    return session_request


def representative_problems(session_request: SessionRequest) -> list[rules.Problem]:
    """What keeps the session from being confirmed (art. 32 §4, ``rules``)."""
    people = session_request.participants.filter(kind=Participant.Kind.REPRESENTATIVE)
    return rules.representative_problems(
        rules.Representative(str(p.user_id or f"p{p.pk}"), p.name, p.civil_servant) for p in people
    )


@transaction.atomic
def do_pick_slot(token: str, slot_pk: int) -> SessionRequest:
    """The person picks one of the offered slots. The session is confirmed at once when the
    unit has already named its representatives; otherwise the unit confirms it."""
    session_request = _locked(request_of_token(token))
    _require(session_request, Status.OFFERED)
    slot = session_request.slots.filter(pk=slot_pk).first()
    if slot is None:
        raise SchedulingError(_("Escolha um dos horários oferecidos."), "slot")
    if slot.starts_at <= timezone.now():
        raise SchedulingError(_("Este horário já passou; escolha outro."), "slot")
    session_request.slots.update(chosen=False)
    slot.chosen = True
    slot.save(update_fields=["chosen"])
    session_request.starts_at, session_request.ends_at = slot.starts_at, slot.ends_at
    session_request.status = Status.PICKED
    session_request.save()
    do_add_message(
        session_request.case,
        _("Horário escolhido pelo usuário: %(when)s") % {"when": format_moment(slot.starts_at)},
        author_kind=Message.Author.REQUESTER,
    )
    if not representative_problems(session_request):
        _confirm(session_request, actor=SYSTEM)
    return session_request


@transaction.atomic
def do_confirm(session_request: SessionRequest, *, actor) -> SessionRequest:
    """Confirm the picked slot. Portaria, art. 32 §4: "O atendimento (tele)presencial será
    acompanhado preferencialmente por dois ou mais representantes do INPI, sendo ao menos
    1 (um) deles servidor" — refused (``rules.RuleViolation``) without them (issue 25: "the
    system will not confirm a session without them")."""
    check_can(actor, TRIAGE_CAPABILITY)
    session_request = _locked(session_request)
    _require(session_request, Status.PICKED)
    _confirm(session_request, actor=actor)
    return session_request


def _confirm(session_request: SessionRequest, *, actor) -> None:
    problems = representative_problems(session_request)
    if problems:
        raise rules.RuleViolation(problems)
    if session_request.mode == SessionRequest.Mode.REMOTE and not session_request.video_url:
        secret = ics.new_room_secret()
        session_request.room_secret = secret
        session_request.video_url = ics.video_link(secret, video_pattern())
    session_request.status = Status.CONFIRMED
    session_request.confirmed_at = timezone.now()
    session_request.confirmed_by = actor if getattr(actor, "pk", None) else None
    session_request.save()
    text = session_text(session_request, MailKind.CONFIRMATION)
    _tell(session_request, text, actor=actor, email=False)
    queue_mail(session_request, MailKind.CONFIRMATION)


@transaction.atomic
def do_reschedule(
    session_request: SessionRequest, start: datetime, reason: str, *, actor
) -> SessionRequest:
    """Move a confirmed session to another one-hour slot, with the reason; the person gets
    the updated ``.ics`` (a higher SEQUENCE, RFC 5546) and the reminders count anew."""
    check_can(actor, TRIAGE_CAPABILITY)
    session_request = _locked(session_request)
    _require(session_request, Status.CONFIRMED)
    reason = clean_text(reason, 2000)
    if not reason:
        raise SchedulingError(_("Informe o motivo da remarcação."), "reason")
    (start,) = check_slots(session_request.case.channel, [start], timezone.now())
    session_request.starts_at, session_request.ends_at = start, start + SESSION_LENGTH
    session_request.ics_sequence += 1
    session_request.reminders_sent = []
    session_request.save()
    text = session_text(session_request, MailKind.RESCHEDULE) + "\n\n"
    text += _("Motivo: %(reason)s") % {"reason": reason}
    _tell(session_request, text, actor=actor, email=False)
    queue_mail(session_request, MailKind.RESCHEDULE, reason=reason)
    return session_request


@transaction.atomic
def do_cancel_session(
    session_request: SessionRequest, reason: str, *, actor=None, by_person: bool = False
) -> SessionRequest:
    """Cancel a session (staff, or the person from their link), with the reason; a session
    that had a time gets the cancellation ``.ics`` (RFC 5546 ``METHOD:CANCEL``)."""
    if not by_person:
        check_can(actor, TRIAGE_CAPABILITY)
    session_request = _locked(session_request)
    _require(session_request, Status.TRIAGE, Status.OFFERED, Status.PICKED, Status.CONFIRMED)
    reason = clean_text(reason, 2000)
    if not reason:
        raise SchedulingError(_("Informe o motivo do cancelamento."), "reason")
    if session_request.starts_at and session_request.starts_at <= timezone.now():
        raise SchedulingError(_("A sessão já começou; não é mais possível cancelar."))
    had_time = session_request.status == Status.CONFIRMED
    session_request.status = Status.CANCELLED
    session_request.cancel_reason = reason
    session_request.ics_sequence += 1
    session_request.save()
    who = _("pelo usuário") if by_person else _("pelo órgão")
    text = _("Atendimento (tele)presencial cancelado %(who)s. Motivo: %(reason)s") % {
        "who": who,
        "reason": reason,
    }
    if by_person:
        do_add_message(session_request.case, text, author_kind=Message.Author.REQUESTER)
    else:
        _tell(session_request, text, actor=actor, email=not had_time)
    if had_time:
        queue_mail(session_request, MailKind.CANCELLATION, reason=reason)
    close_case(session_request.case, actor=actor if not by_person else SYSTEM, reason=reason)
    return session_request


# -- reminders ------------------------------------------------------------------------------


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due at ``now`` for confirmed sessions (the day before and one hour
    before, each once: ``rules.due_reminders``). Returns how many were queued."""
    now = now or timezone.now()
    candidates = SessionRequest.objects.filter(
        status=Status.CONFIRMED,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=26),
    ).values_list("pk", flat=True)
    queued = 0
    for pk in candidates:
        with transaction.atomic():
            session_request = session_requests().select_for_update(of=("self",)).get(pk=pk)
            if session_request.status != Status.CONFIRMED or session_request.starts_at is None:
                continue
            due = rules.due_reminders(
                session_request.starts_at,
                now,
                session_request.reminders_sent,
                booked_at=session_request.confirmed_at,
                zone=calendar_of(session_request.case.channel).tz,
            )
            for kind in due:
                session_request.reminders_sent = [*session_request.reminders_sent, str(kind)]
                session_request.save(update_fields=["reminders_sent"])
                queue_mail(session_request, MailKind.REMINDER)
                queued += 1
    return queued


# -- messages -------------------------------------------------------------------------------


def format_moment(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def person_url(session_request: SessionRequest) -> str:
    path = reverse("portal:scheduling_session", args=[session_request.token])
    return f"{settings.BALCAO_BASE_URL.rstrip('/')}{path}"


def where_text(session_request: SessionRequest) -> str:
    if session_request.mode == SessionRequest.Mode.PRESENTIAL:
        return _("Local: %(place)s") % {"place": session_request.place}
    return _("Por videochamada: %(link)s") % {"link": session_request.video_url}


def session_text(session_request: SessionRequest, kind: str) -> str:
    """What the person reads about their session (archived on the case and e-mailed)."""
    context = {
        "when": format_moment(session_request.starts_at) if session_request.starts_at else "",
        "protocol": session_request.case.protocol,
    }
    if kind == MailKind.RESCHEDULE:
        head = _("Seu atendimento (tele)presencial foi remarcado para %(when)s.") % context
    elif kind == MailKind.REMINDER:
        head = _("Lembrete: seu atendimento (tele)presencial é em %(when)s.") % context
    else:
        head = _("Seu atendimento (tele)presencial está confirmado para %(when)s.") % context
    return "\n".join(
        [
            head,
            _("A sessão dura uma hora."),
            where_text(session_request),
            "",
            _(
                "Tenha em mãos um documento de identificação: a identidade do solicitante e "
                "dos acompanhantes é conferida no início (Portaria, art. 35, § 1º)."
            ),
            _("Para cancelar ou ver os detalhes: %(link)s") % {"link": person_url(session_request)},
        ]
    )


def _tell(session_request: SessionRequest, body: str, *, actor, email: bool = True) -> None:
    """Archive ``body`` on the case as a public reply, e-mailed by the case core to the
    official recipient unless ``email`` is False (the messages that carry an ``.ics`` go
    through ``queue_mail`` with their attachment)."""
    staff = getattr(actor, "pk", None) is not None
    do_add_message(
        session_request.case,
        body,
        actor=actor if staff else SYSTEM,
        author_kind=Message.Author.AGENT if staff else Message.Author.SYSTEM,
        email=email,
    )


def queue_mail(session_request: SessionRequest, kind: str, *, reason: str = "") -> None:
    """Send ``kind`` with its ``.ics`` through the task queue once the transaction commits."""
    pk = session_request.pk

    def enqueue() -> None:
        from balcao.scheduling.tasks import send_session_request_mail

        send_session_request_mail(pk, kind, reason)

    transaction.on_commit(enqueue)


def recipient_of(session_request: SessionRequest):
    """The official recipient: the procurador when one is on file (art. 36, parágrafo único)."""
    return session_request.case.official_recipient


def invitation_of(session_request: SessionRequest) -> ics.Invitation | None:
    recipient = recipient_of(session_request)
    if recipient is None or not recipient.email or session_request.starts_at is None:
        return None
    from_name, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    assert session_request.ends_at is not None
    return ics.Invitation(
        session_id=f"session-{session_request.pk}",
        start=session_request.starts_at,
        end=session_request.ends_at,
        summary=_("Atendimento (tele)presencial — %(protocol)s")
        % {"protocol": session_request.case.protocol},
        organizer=ics.Person(from_address, from_name or settings.BALCAO_AGENCY_NAME),
        attendee=ics.Person(recipient.email, recipient.name),
        description=session_request.case.subject,
        location=session_request.place,
        video_url=session_request.video_url,
        sequence=session_request.ics_sequence,
        uid_domain=mail_domain(),
    )


def build_mail(session_request: SessionRequest, kind: str, reason: str = "") -> EmailMessage | None:
    """The e-mail of ``kind`` with its ``.ics``; None when there is nobody to write to."""
    invitation = invitation_of(session_request)
    if invitation is None:
        return None
    protocol = session_request.case.protocol
    if kind == MailKind.CANCELLATION:
        subject = _("[%(protocol)s] Atendimento (tele)presencial cancelado") % {
            "protocol": protocol
        }
        body = _("Seu atendimento (tele)presencial de %(when)s foi cancelado.") % {
            "when": format_moment(invitation.start)
        }
        if reason:
            body += "\n" + _("Motivo: %(reason)s") % {"reason": reason}
        body += "\n" + _("O anexo remove a sessão da sua agenda.")
        content, method = ics.cancellation_ics(invitation), "CANCEL"
    else:
        titles: dict[str, Callable[[], str]] = {
            MailKind.CONFIRMATION: lambda: _("Atendimento (tele)presencial confirmado"),
            MailKind.RESCHEDULE: lambda: _("Atendimento (tele)presencial remarcado"),
            MailKind.REMINDER: lambda: _("Lembrete do atendimento (tele)presencial"),
        }
        subject = f"[{protocol}] {titles.get(kind, titles[MailKind.CONFIRMATION])()}"
        body = session_text(session_request, kind)
        if reason:
            body += "\n\n" + _("Motivo: %(reason)s") % {"reason": reason}
        body += "\n\n" + _("O convite para a sua agenda segue anexo.")
        content, method = ics.invitation_ics(invitation), "REQUEST"
    body += f"\n\n-- \n{settings.BALCAO_AGENCY_NAME}\n"
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[invitation.attendee.email],
        headers={"X-Balcao-Protocol": protocol},
    )
    filename = "cancelamento.ics" if method == "CANCEL" else "convite.ics"
    message.attach(filename, content, f"text/calendar; charset=utf-8; method={method}")
    return message


def send_mail_now(pk: int, kind: str, reason: str = "") -> bool:
    session_request = session_requests().get(pk=pk)
    message = build_mail(session_request, kind, reason)
    return bool(message and message.send())
