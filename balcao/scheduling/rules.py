"""The rules of scheduled sessions: requests, representatives, seats and reminders.

Pure module (no Django import); the Django side (``scheduling.services``) stores the data
and calls these functions. Sources: the INPI Portaria (seed ``001_…txt``, arts. 32-45) and
the catalogue (seed ``000_…txt``); issue 25.

Messages. What a person reads is a :class:`Problem`: a stable ``code``, the form ``field`` it
belongs to and a pt-BR msgid marked with :func:`gettext_noop` (so ``balcao makemessages``
extracts it, as ``catalog.recommender`` does). The Django side renders it in the request's
language with ``problem.text(gettext)``; plain Python gets the pt-BR text from
``problem.text()``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

from balcao.scheduling.recurrence import at_local_time

__all__ = [
    "MESSAGES",
    "Companion",
    "Problem",
    "ReminderKind",
    "Representative",
    "RuleViolation",
    "Seat",
    "SeatChange",
    "SeatStatus",
    "SessionRequest",
    "cancel_seat",
    "check_representatives",
    "check_request",
    "due_reminders",
    "fill_seats",
    "reminder_times",
    "representative_problems",
    "request_problems",
    "roster",
    "sign_up",
    "waiting_position",
]


def gettext_noop(message: str) -> str:
    """Marks a msgid for ``makemessages`` (its xgettext keyword) and returns it untranslated."""
    return message


MESSAGES: Mapping[str, str] = {
    "requester_name": gettext_noop(
        "Informe o nome de quem solicita o atendimento (Portaria, art. 34, I)."
    ),
    "requester_document": gettext_noop(
        "Informe o documento de identificação de quem solicita o atendimento "
        "(Portaria, art. 34, I)."
    ),
    "subject": gettext_noop("Informe o assunto a ser abordado (Portaria, art. 34, II)."),
    "reference": gettext_noop(
        "Indique o ato ou o processo administrativo a que o assunto se refere, ou declare que "
        "ele não se refere a um ato ou processo específico (Portaria, art. 34, II)."
    ),
    "justification": gettext_noop(
        "Explique por que o assunto precisa de um atendimento (tele)presencial "
        "(Portaria, art. 34, III)."
    ),
    "companions": gettext_noop(
        "Informe se haverá acompanhantes e, havendo, quem são e qual o interesse de cada um "
        "no assunto (Portaria, art. 34, IV)."
    ),
    "companion_name": gettext_noop(
        "Informe o nome do acompanhante nº %(number)s (Portaria, art. 34, IV)."
    ),
    "companion_interest": gettext_noop(
        "Informe o interesse de %(name)s no assunto (Portaria, art. 34, IV)."
    ),
    "two_representatives": gettext_noop(
        "A sessão precisa de ao menos dois representantes do órgão "
        "(Portaria, art. 32, § 4º, e art. 43)."
    ),
    "civil_servant": gettext_noop(
        "Ao menos um dos representantes do órgão na sessão precisa ser servidor "
        "(Portaria, art. 32, § 4º, e art. 43)."
    ),
}


@dataclass(frozen=True)
class Problem:
    """Something a rule refuses: ``code`` (a key of :data:`MESSAGES`), the ``field`` of the
    form it concerns, and the parameters of its message."""

    code: str
    field: str
    params: Mapping[str, object] = dataclass_field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return MESSAGES[self.code]

    def text(self, translate: Callable[[str], str] | None = None) -> str:
        """The message for a person: pt-BR, or through ``translate`` (e.g. Django's gettext)."""
        template = translate(self.msgid) if translate else self.msgid
        return template % dict(self.params) if self.params else template

    def __str__(self) -> str:
        return self.text()


class RuleViolation(ValueError):
    """Raised by the ``check_*`` functions; ``problems`` lists every unmet requirement."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.text() for p in problems))
        self.problems = problems


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


# -- (a) the request: Portaria art. 34 ------------------------------------------------------


@dataclass(frozen=True)
class Companion:
    """Someone who comes with the requester (art. 34, IV)."""

    name: str
    interest: str


@dataclass(frozen=True)
class SessionRequest:
    """A request for the Serviço de Atendimento (Tele)Presencial as the form collects it.

    ``reference`` is the act or administrative process the subject refers to;
    ``no_reference`` records the person's statement that it refers to none ("conforme o
    caso", art. 34, II). ``companions`` is ``None`` while the question "will anyone come with
    you?" is unanswered and ``()`` when the answer is "nobody" (art. 34, IV: "eventuais").
    """

    requester_name: str = ""
    requester_document: str = ""
    subject: str = ""
    reference: str = ""
    no_reference: bool = False
    justification: str = ""
    companions: tuple[Companion, ...] | None = None


def request_problems(request: SessionRequest) -> list[Problem]:
    """Every requirement of art. 34 the request misses, in the order of the article.

    Portaria, art. 34: "São considerados requisitos para a solicitação do Serviço de
    Atendimento (Tele)Presencial: I - identificação do solicitante do atendimento; II -
    assunto a ser abordado, com a indicação do ato ou processo administrativo a que a
    manifestação se referir, conforme o caso; III - justificativa da necessidade do
    atendimento presencial; e IV - identificação de eventuais acompanhantes e seu interesse
    no assunto." A text made only of blanks counts as missing.
    """
    problems: list[Problem] = []
    if _blank(request.requester_name):
        problems.append(Problem("requester_name", "requester_name"))
    if _blank(request.requester_document):
        problems.append(Problem("requester_document", "requester_document"))
    if _blank(request.subject):
        problems.append(Problem("subject", "subject"))
    if _blank(request.reference) and not request.no_reference:
        problems.append(Problem("reference", "reference"))
    if _blank(request.justification):
        problems.append(Problem("justification", "justification"))
    if request.companions is None:
        problems.append(Problem("companions", "companions"))
    else:
        for number, companion in enumerate(request.companions, start=1):
            if _blank(companion.name):
                problems.append(Problem("companion_name", "companions", {"number": number}))
            elif _blank(companion.interest):
                problems.append(
                    Problem("companion_interest", "companions", {"name": companion.name.strip()})
                )
    return problems


def check_request(request: SessionRequest) -> None:
    """Refuse (:class:`RuleViolation`) a request that misses a requirement of art. 34."""
    problems = request_problems(request)
    if problems:
        raise RuleViolation(problems)


# -- (b) who represents the agency: art. 32 § 4º and art. 43 --------------------------------


@dataclass(frozen=True)
class Representative:
    """A member of the agency's staff taking part in a session (``key``: the user's id)."""

    key: str
    name: str
    civil_servant: bool


def representative_problems(representatives: Iterable[Representative]) -> list[Problem]:
    """What keeps a session from being confirmed with these representatives of the agency.

    Portaria, art. 32, § 4º: "O atendimento (tele)presencial será acompanhado
    preferencialmente por dois ou mais representantes do INPI, sendo ao menos 1 (um) deles
    servidor"; art. 43 (direct contact) drops the "preferencialmente": "será acompanhado por
    dois ou mais representantes do INPI, sendo ao menos um deles servidor". Balcão applies
    the stricter reading to both services (issue 25: "the system will not confirm a session
    without them"). The same person listed twice counts once.
    """
    distinct = {r.key: r for r in representatives}
    problems: list[Problem] = []
    if len(distinct) < 2:
        problems.append(Problem("two_representatives", "representatives"))
    if not any(r.civil_servant for r in distinct.values()):
        problems.append(Problem("civil_servant", "representatives"))
    return problems


def check_representatives(representatives: Iterable[Representative]) -> None:
    """Refuse (:class:`RuleViolation`) to confirm a session without the representatives
    art. 32 § 4º and art. 43 require (see :func:`representative_problems`)."""
    problems = representative_problems(representatives)
    if problems:
        raise RuleViolation(problems)


# -- (c) seats and the waiting list of an open session --------------------------------------


class SeatStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Seat:
    """One person's sign-up to an open session (``key``: the sign-up's id)."""

    key: str
    signed_up_at: datetime
    status: SeatStatus


@dataclass(frozen=True)
class SeatChange:
    """The seats after an action, and who moved from the waiting list to a seat."""

    seats: tuple[Seat, ...]
    promoted: tuple[str, ...] = ()


def _queue_order(seat: Seat) -> tuple[datetime, str]:
    return (seat.signed_up_at.astimezone(UTC), seat.key)


def _check_capacity(capacity: int) -> None:
    if capacity < 0:
        raise ValueError("capacity cannot be negative")


def roster(seats: Iterable[Seat]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(confirmed, waiting) keys, each in sign-up order (the waiting list is first come,
    first served)."""
    ordered = sorted(seats, key=_queue_order)
    confirmed = tuple(s.key for s in ordered if s.status is SeatStatus.CONFIRMED)
    waiting = tuple(s.key for s in ordered if s.status is SeatStatus.WAITING)
    return confirmed, waiting


def waiting_position(seats: Iterable[Seat], key: str) -> int | None:
    """1 for the first in the waiting list; ``None`` when ``key`` is not waiting."""
    waiting = roster(seats)[1]
    return waiting.index(key) + 1 if key in waiting else None


def fill_seats(seats: Iterable[Seat], capacity: int) -> SeatChange:
    """Confirm the first people of the waiting list while seats are free.

    Run after a cancellation or after staff raise the capacity. Lowering the capacity never
    unseats anyone already confirmed: the session is simply full until enough cancel.
    """
    _check_capacity(capacity)
    current = tuple(seats)
    confirmed, waiting = roster(current)
    free = max(0, capacity - len(confirmed))
    promoted = waiting[:free]
    if not promoted:
        return SeatChange(current)
    chosen = set(promoted)
    updated = tuple(
        replace(s, status=SeatStatus.CONFIRMED) if s.key in chosen else s for s in current
    )
    return SeatChange(updated, promoted)


def sign_up(seats: Iterable[Seat], key: str, at: datetime, capacity: int) -> SeatChange:
    """Add a sign-up: confirmed when a seat is free, otherwise at the end of the waiting list.

    The newcomer joins the queue and the queue fills the free seats in order, so nobody
    overtakes a person already waiting (``promoted`` lists the others seated on the way).
    A key that already holds an active seat is refused; a cancelled one signs up anew (at
    the end of the queue). Issue 25: "a waiting list when full".
    """
    _check_capacity(capacity)
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the sign-up time must be an aware datetime")
    current = tuple(seats)
    if any(s.key == key and s.status is not SeatStatus.CANCELLED for s in current):
        raise ValueError(f"{key!r} already signed up")
    others = tuple(s for s in current if s.key != key)
    change = fill_seats((*others, Seat(key, at, SeatStatus.WAITING)), capacity)
    return SeatChange(change.seats, tuple(k for k in change.promoted if k != key))


def cancel_seat(seats: Iterable[Seat], key: str, capacity: int) -> SeatChange:
    """Cancel ``key``'s sign-up and give its seat to the first of the waiting list.

    Cancelling a cancelled seat changes nothing; an unknown key raises ``KeyError``.
    """
    current = tuple(seats)
    if not any(s.key == key for s in current):
        raise KeyError(key)
    updated = tuple(replace(s, status=SeatStatus.CANCELLED) if s.key == key else s for s in current)
    return fill_seats(updated, capacity)


# -- (d) reminders ------------------------------------------------------------------------


class ReminderKind(StrEnum):
    DAY_BEFORE = "day_before"
    HOUR_BEFORE = "hour_before"


def reminder_times(start: datetime, zone: tzinfo | None = None) -> dict[ReminderKind, datetime]:
    """When each reminder of a session falls due. Issue 25: "a reminder the day before and
    one hour before".

    The day before is the same wall-clock time on the previous calendar day in ``zone``
    (the session's own zone by default), so a 10:00 session is announced at 10:00 the day
    before even across a summer-time change; one hour before is 3,600 s of real time.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("the session start must be an aware datetime")
    where = zone or start.tzinfo
    assert where is not None
    local = start.astimezone(where)
    day_before = at_local_time(local.date() - timedelta(days=1), local.timetz(), where)
    hour_before = (start.astimezone(UTC) - timedelta(hours=1)).astimezone(where)
    return {ReminderKind.DAY_BEFORE: day_before, ReminderKind.HOUR_BEFORE: hour_before}


def due_reminders(
    start: datetime,
    now: datetime,
    sent: Collection[str],
    *,
    booked_at: datetime | None = None,
    zone: tzinfo | None = None,
) -> list[ReminderKind]:
    """The reminder to send at ``now`` for a session starting at ``start`` (empty or one).

    ``sent`` holds the kinds already sent for this booking. A reminder is due from its time
    (:func:`reminder_times`) until the session starts; only the latest one due is sent, and
    an earlier one it supersedes is never sent (a job that runs late, or a booking made the
    same day, sends one reminder, not two). A reminder that fell due before ``booked_at`` is
    not sent: the confirmation the person just received says the same. So each kind goes
    out at most once, however often the periodic task asks.
    """
    for moment in (now, booked_at):
        if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
            raise ValueError("now and booked_at must be aware datetimes")
    now = now.astimezone(UTC)  # compared in UTC: see recurrence.Slot
    if now >= start.astimezone(UTC):
        return []
    booked = None if booked_at is None else booked_at.astimezone(UTC)
    due = [
        (moment.astimezone(UTC), kind)
        for kind, moment in reminder_times(start, zone).items()
        if moment.astimezone(UTC) <= now and (booked is None or moment.astimezone(UTC) > booked)
    ]
    if not due:
        return []
    latest = max(due)[1]
    return [] if latest in sent else [latest]
