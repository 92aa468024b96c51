"""Domain actions of INPI Conecta Todos (issue 25; seed ``000_…txt``): staff publish open
video sessions, people sign up (a waiting list when full), cancel, get reminders; hosts mark
attendance. The rules are the pure cores (``recurrence``, ``rules``, ``ics``); this module
stores their outcome and sends the e-mails once the transaction commits (``tasks``).

Which channels hold open sessions: those reached by appointment (``entry = scheduling``)
whose hours are "sessões em horários fixos" (``hours = sessions``): Conecta Todos in the INPI
catalogue. The (tele)presential service (``hours = appointment``) books individual slots and
keeps the portal's placeholder until it is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from balcao.accounts.permissions import check_can
from balcao.cases.outbound import mail_domain
from balcao.cases.text import clean_line
from balcao.catalog.models import Channel
from balcao.deadlines.calendar import BusinessCalendar
from balcao.deadlines.services import calendar_for_country, calendar_from_model
from balcao.errors import Refused
from balcao.scheduling import ics, recurrence, rules
from balcao.scheduling.models import OpenSession, Registration

#: Capability to publish sessions (supervisors, managers, admins: who manage the queues).
PUBLISH_CAPABILITY = "queues.manage"
#: Capability of the hosts who see the registrations and mark attendance (the pre-atendentes).
HOST_CAPABILITY = "cases.reply"


class SchedulingError(Refused):
    """A refused scheduling action; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class MailKind:
    INVITATION = "invitation"
    WAITING = "waiting"
    CANCELLATION = "cancellation"
    REMINDER = "reminder"


# -- which channels, which calendar ---------------------------------------------------------


def is_open_sessions_channel(channel: Channel) -> bool:
    """Conecta Todos and any channel like it: by appointment, in sessions at fixed times."""
    return channel.entry == Channel.Entry.SCHEDULING and channel.hours == Channel.Hours.SESSIONS


def open_sessions_channels() -> QuerySet[Channel]:
    return Channel.objects.filter(
        active=True, entry=Channel.Entry.SCHEDULING, hours=Channel.Hours.SESSIONS
    ).order_by("order", "pk")


def calendar_of(channel: Channel) -> BusinessCalendar:
    """The channel's business calendar (holidays, closures), else the agency's default."""
    if channel.calendar_id:
        return calendar_from_model(channel.calendar)
    return calendar_for_country(settings.BALCAO_COUNTRY)


def video_pattern() -> str:
    """The video provider's URL pattern (``{room}``): ``BALCAO_VIDEO_URL_PATTERN`` or Jitsi."""
    return getattr(settings, "BALCAO_VIDEO_URL_PATTERN", "") or ics.DEFAULT_VIDEO_PATTERN


# -- publishing ----------------------------------------------------------------------------


@transaction.atomic
def do_publish_sessions(
    channel: Channel,
    first: date,
    last: date,
    *,
    times: Sequence[time] = recurrence.CONECTA_TODOS_TIMES,
    capacity: int,
    hosts: Iterable = (),
    actor,
    pattern: str | None = None,
) -> list[OpenSession]:
    """Publish the sessions of ``channel`` from ``first`` to ``last`` at ``times``.

    Seed 000, INPI Conecta Todos: "nas datas pré-definidas em calendário atualizado
    semanalmente, às 10 e 14 horas, em sessões abertas de uma hora": working days of the
    channel's calendar only (no holidays, closures or weekends, ``recurrence.session_dates``).
    Idempotent per start time: a session already there is left as it is. Each new session
    gets a room nobody can guess on the video provider (``ics.video_link``). Returns the
    sessions created.
    """
    check_can(actor, PUBLISH_CAPABILITY)
    if not is_open_sessions_channel(channel):
        raise SchedulingError(_("Este canal não tem sessões abertas."), "channel")
    if last < first:
        raise SchedulingError(_("A data final deve ser igual ou posterior à inicial."), "last")
    if (last - first).days > 92:
        raise SchedulingError(_("Publique no máximo três meses de cada vez."), "last")
    if capacity < 1:
        raise SchedulingError(_("Informe ao menos uma vaga por sessão."), "capacity")
    if not times:
        raise SchedulingError(_("Informe ao menos um horário."), "times")
    url_pattern = pattern or video_pattern()
    try:
        ics.video_link(ics.new_room_secret(), url_pattern)
    except ValueError:
        raise SchedulingError(
            _("O padrão do link deve ser um endereço http(s) com {room}."), "pattern"
        ) from None
    slots = recurrence.session_dates(calendar_of(channel), first, last, times=times)
    existing = set(
        OpenSession.objects.filter(
            channel=channel, starts_at__in=[s.start for s in slots]
        ).values_list("starts_at", flat=True)
    )
    host_list = list(hosts)
    created = []
    for slot in slots:
        if slot.start in existing:
            continue
        secret = ics.new_room_secret()
        session = OpenSession.objects.create(
            channel=channel,
            starts_at=slot.start,
            ends_at=slot.end,
            capacity=capacity,
            room_secret=secret,
            video_url=ics.video_link(secret, url_pattern),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        if host_list:
            session.hosts.set(host_list)
        created.append(session)
    return created


def upcoming_sessions(channel: Channel, now: datetime | None = None) -> QuerySet[OpenSession]:
    """Published sessions not yet started, with ``confirmed`` and ``waiting`` counts."""
    return (
        OpenSession.objects.filter(
            channel=channel, published=True, starts_at__gt=now or timezone.now()
        )
        .annotate(**_counts())
        .order_by("starts_at", "pk")
    )


def _counts() -> dict:
    return {
        "confirmed": Count(
            "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
        ),
        "waiting": Count(
            "registrations", filter=Q(registrations__status=Registration.Status.WAITING)
        ),
        "attended_count": Count("registrations", filter=Q(registrations__attended=True)),
    }


def sessions_with_counts() -> QuerySet[OpenSession]:
    return OpenSession.objects.select_related("channel").annotate(**_counts())


# -- signing up and cancelling -------------------------------------------------------------


def _seats(session: OpenSession) -> tuple[list[Registration], list[rules.Seat]]:
    """The active registrations (locked) and their seats, keyed by e-mail address."""
    active = list(
        Registration.objects.select_for_update()
        .filter(session=session)
        .exclude(status=Registration.Status.CANCELLED)
    )
    seats = [rules.Seat(r.email.lower(), r.created_at, rules.SeatStatus(r.status)) for r in active]
    return active, seats


def _promote(active: list[Registration], promoted: Iterable[str]) -> None:
    chosen = set(promoted)
    for registration in active:
        if registration.email.lower() in chosen:
            registration.status = Registration.Status.CONFIRMED
            registration.save(update_fields=["status"])
            queue_mail(registration, MailKind.INVITATION)


def check_sign_up(name: str, email: str, subject: str) -> tuple[str, str, str]:
    """The cleaned name, e-mail and one-line subject, or ``SchedulingError`` for the field."""
    name = clean_line(name, 200)
    email = (email or "").strip().lower()
    subject = clean_line(subject, 200)
    if not name:
        raise SchedulingError(_("Informe o seu nome."), "name")
    try:
        validate_email(email)
    except ValidationError:
        raise SchedulingError(_("Informe um endereço de e-mail válido."), "email") from None
    if not subject:
        raise SchedulingError(_("Informe o assunto, em uma linha."), "subject")
    return name, email, subject


@transaction.atomic
def do_register(session: OpenSession, name: str, email: str, subject: str) -> Registration:
    """Sign a person up for an open session: a seat while there is one, else the waiting
    list (issue 25: "a waiting list when full"; ``rules.sign_up``, first come first served).

    The person receives on commit the invitation with its ``.ics`` (confirmed) or a message
    saying they are on the waiting list.
    """
    name, email, subject = check_sign_up(name, email, subject)
    session = OpenSession.objects.select_for_update().get(pk=session.pk)
    if not session.published or session.starts_at <= timezone.now():
        raise SchedulingError(_("As inscrições para esta sessão estão encerradas."))
    active, seats = _seats(session)
    now = timezone.now()
    try:
        change = rules.sign_up(seats, email, now, session.capacity)
    except ValueError:
        raise SchedulingError(_("Este e-mail já está inscrito nesta sessão."), "email") from None
    status = next(s.status for s in change.seats if s.key == email)
    registration = Registration.objects.create(
        session=session,
        name=name,
        email=email,
        subject=subject,
        status=str(status),
        created_at=now,
    )
    _promote(active, change.promoted)
    queue_mail(
        registration,
        MailKind.INVITATION if status is rules.SeatStatus.CONFIRMED else MailKind.WAITING,
    )
    return registration


def registration_of_token(token: str) -> Registration:
    """The registration a cancel link points to, or ``SchedulingError``."""
    registration = (
        Registration.objects.select_related("session", "session__channel")
        .filter(cancel_token=token)
        .first()
    )
    if registration is None:
        raise SchedulingError(
            _("Este link de cancelamento não é válido. Confira o endereço no e-mail recebido.")
        )
    return registration


@transaction.atomic
def do_cancel(token: str) -> Registration:
    """Cancel a registration by its link: its seat goes to the first of the waiting list,
    who is sent the invitation (``rules.cancel_seat``); the person who cancelled receives the
    cancellation ``.ics`` (RFC 5546 ``METHOD:CANCEL``) when they had a seat."""
    registration = registration_of_token(token)
    session = OpenSession.objects.select_for_update().get(pk=registration.session_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        return registration
    if session.starts_at <= timezone.now():
        raise SchedulingError(_("A sessão já começou; não é mais possível cancelar."))
    active, seats = _seats(session)
    change = rules.cancel_seat(seats, registration.email.lower(), session.capacity)
    had_seat = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.ics_sequence += 1
    registration.save(update_fields=["status", "ics_sequence"])
    _promote([r for r in active if r.pk != registration.pk], change.promoted)
    if had_seat:
        queue_mail(registration, MailKind.CANCELLATION)
    return registration


@transaction.atomic
def do_mark_attendance(registration: Registration, attended: bool | None, questions: str, *, actor):
    """Hosts record whether the person came and the questions they asked (issue 25: "Hosts
    see the list, mark attendance, and note the questions asked; counts feed the reports")."""
    check_can(actor, HOST_CAPABILITY)
    registration.attended = attended
    registration.questions = (questions or "").strip()[:4000]
    registration.save(update_fields=["attended", "questions"])
    return registration


# -- reminders -----------------------------------------------------------------------------


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due at ``now`` (issue 25: "a reminder the day before and one hour
    before"); ``rules.due_reminders`` decides, and each kind goes out once per registration
    however often the periodic task runs. Returns how many were queued."""
    now = now or timezone.now()
    candidates = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        session__published=True,
        session__starts_at__gt=now,
        session__starts_at__lte=now + timedelta(hours=26),
    ).values_list("pk", flat=True)
    queued = 0
    for pk in candidates:
        with transaction.atomic():
            registration = (
                Registration.objects.select_for_update()
                .select_related("session", "session__channel")
                .get(pk=pk)
            )
            if registration.status != Registration.Status.CONFIRMED:
                continue
            session = registration.session
            due = rules.due_reminders(
                session.starts_at,
                now,
                registration.reminders_sent,
                booked_at=registration.created_at,
                zone=calendar_of(session.channel).tz,
            )
            for kind in due:
                registration.reminders_sent = [*registration.reminders_sent, str(kind)]
                registration.save(update_fields=["reminders_sent"])
                queue_mail(registration, MailKind.REMINDER)
                queued += 1
    return queued


# -- e-mail --------------------------------------------------------------------------------


def queue_mail(registration: Registration, kind: str) -> None:
    """Send ``kind`` to the person through the task queue once the transaction commits."""
    pk = registration.pk

    def enqueue() -> None:
        from balcao.scheduling.tasks import send_registration_mail

        send_registration_mail(pk, kind)

    transaction.on_commit(enqueue)


def cancel_url(registration: Registration) -> str:
    path = reverse("portal:scheduling_cancel", args=[registration.cancel_token])
    return f"{settings.BALCAO_BASE_URL.rstrip('/')}{path}"


def invitation_of(registration: Registration) -> ics.Invitation:
    session = registration.session
    from_name, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return ics.Invitation(
        session_id=f"open-{session.pk}",
        start=session.starts_at,
        end=session.ends_at,
        summary=session.channel.name,
        organizer=ics.Person(from_address, from_name or settings.BALCAO_AGENCY_NAME),
        attendee=ics.Person(registration.email, registration.name),
        description=_("Assunto: %(subject)s\nPara cancelar: %(url)s")
        % {"subject": registration.subject, "url": cancel_url(registration)},
        video_url=session.video_url,
        sequence=registration.ics_sequence,
        uid_domain=mail_domain(),
    )


def _when(session: OpenSession) -> str:
    return formats.date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")


def build_mail(registration: Registration, kind: str) -> EmailMessage:
    """The e-mail of ``kind`` for ``registration``, with the ``.ics`` when it has one."""
    session = registration.session
    context = {
        "channel": session.channel.name,
        "when": _when(session),
        "link": session.video_url,
        "cancel": cancel_url(registration),
        "name": registration.name,
    }
    attachment = None
    if kind == MailKind.INVITATION:
        subject = _("Inscrição confirmada: %(channel)s, %(when)s") % context
        body = (
            _(
                "Olá, %(name)s.\n\nSua inscrição na sessão do %(channel)s de %(when)s está "
                "confirmada. A sessão dura uma hora e acontece por videochamada:\n%(link)s\n\n"
                "O convite para a sua agenda segue anexo. Se não puder participar, cancele para "
                "liberar a vaga: %(cancel)s"
            )
            % context
        )
        attachment = ("convite.ics", ics.invitation_ics(invitation_of(registration)), "REQUEST")
    elif kind == MailKind.WAITING:
        subject = _("Lista de espera: %(channel)s, %(when)s") % context
        body = (
            _(
                "Olá, %(name)s.\n\nA sessão do %(channel)s de %(when)s está lotada e você está na "
                "lista de espera. Se uma vaga abrir, enviaremos o convite por e-mail.\n\n"
                "Para sair da lista de espera: %(cancel)s"
            )
            % context
        )
    elif kind == MailKind.CANCELLATION:
        subject = _("Inscrição cancelada: %(channel)s, %(when)s") % context
        body = (
            _(
                "Olá, %(name)s.\n\nSua inscrição na sessão do %(channel)s de %(when)s foi "
                "cancelada. O anexo remove a sessão da sua agenda."
            )
            % context
        )
        attachment = (
            "cancelamento.ics",
            ics.cancellation_ics(invitation_of(registration)),
            "CANCEL",
        )
    else:
        subject = _("Lembrete: %(channel)s, %(when)s") % context
        body = (
            _(
                "Olá, %(name)s.\n\nLembramos que a sessão do %(channel)s começa em %(when)s, por "
                "videochamada:\n%(link)s\n\nSe não puder participar, cancele: %(cancel)s"
            )
            % context
        )
    body += f"\n\n-- \n{settings.BALCAO_AGENCY_NAME}\n"
    message = EmailMessage(subject=subject, body=body, to=[registration.email])
    if attachment:
        filename, content, method = attachment
        message.attach(filename, content, f"text/calendar; charset=utf-8; method={method}")
    return message


def send_mail_now(pk: int, kind: str) -> bool:
    registration = Registration.objects.select_related("session", "session__channel").get(pk=pk)
    return bool(build_mail(registration, kind).send())
