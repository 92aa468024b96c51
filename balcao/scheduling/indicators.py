"""The managers' report of the scheduling services (issue 25, "counts feed the reports"):
INPI Conecta Todos (seed ``000_…txt``), the (tele)presential service (Portaria, arts. 32-35)
and the Serviço de Contato Direto (arts. 36-45).

The readings, where the issue leaves room:

- **Period**: a window ``[start, end)`` of aware instants (the local dates asked for, from
  the first midnight to the midnight after the last day).
- **Conecta Todos**: the published sessions that *start* in the window, and every
  registration to them. Confirmed, waiting and cancelled are the registrations' current
  status (someone promoted from the waiting list counts as confirmed). Attended and
  no-shows are the confirmed registrations whose attendance was marked (True / False);
  attendance rate = attended / (attended + no-shows); occupancy = confirmed / seats;
  questions noted = registrations with the host's note on the questions dealt with.
- **(Tele)presential**: the requests *received* (their case opened) in the window give the
  triage figures: triaged = a decision recorded (``decided_at``), on time = decided at or
  before the case's due instant (seed 000: "7 dias úteis para triagem prévia"); the on-time
  share counts only triaged requests that had a deadline. Accepted = slots were offered
  (offered, picked, confirmed, held, or cancelled after an offer). Sessions held = requests
  held whose session *started* in the window; cancelled = requests cancelled whose session
  was due in the window, or, with no slot picked, that were received in it. The median
  days from request to session is over the sessions held (calendar days, to one decimal).
- **Direct contact**: the messages *sent* in the window. Answered on time = the person said
  interested or not interested, and the answer was recorded at or before the case's due
  instant (art. 40 III: "cinco dias úteis", policy ``contato-direto``). The answer's
  instant is the person's first message on the case after the sending (the contact keeps
  no timestamp of its status change); the report supplies it. Per unit as well.
- Rates are plain floats in ``[0, 1]``, ``None`` when the divisor is 0.

No Django here: :mod:`balcao.scheduling.report` loads the records and calls :func:`compute`.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "ConectaFigures",
    "Contact",
    "DirectFigures",
    "Figures",
    "PresentialFigures",
    "Request",
    "Session",
    "SignUp",
    "Window",
    "compute",
    "conecta_figures",
    "direct_figures",
    "presential_figures",
    "ratio",
]

# Registration.Status, SessionRequest.Status and DirectContact.Status values (plain strings:
# this module imports no Django).
CONFIRMED, WAITING, CANCELLED = "confirmed", "waiting", "cancelled"
OFFERED, PICKED, HELD = "offered", "picked", "held"
REDIRECTED, REFUSED = "redirected", "refused"
#: A request in one of these reached "slots offered" (or went further).
ACCEPTED_STATUSES = frozenset({OFFERED, PICKED, CONFIRMED, HELD})
INTERESTED, DECLINED, EXPIRED = "interested", "declined", "expired"
ANSWERS = frozenset({INTERESTED, DECLINED})
SECONDS_PER_DAY = 86400


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, or ``None`` when there is nothing to divide by."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Window:
    """The report's period: aware instants, ``start`` included, ``end`` excluded."""

    start: datetime
    end: datetime

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end


@dataclass(frozen=True)
class SignUp:
    """A registration to an open session, as the report counts it."""

    status: str
    attended: bool | None = None
    questions: str = ""


@dataclass(frozen=True)
class Session:
    """A published Conecta Todos session, with its seats and registrations."""

    starts_at: datetime
    capacity: int
    registrations: tuple[SignUp, ...] = ()


@dataclass(frozen=True)
class Request:
    """A (tele)presential request: when its case opened and was due (triage clock), its
    decision, whether slots were ever offered, and its session's start."""

    status: str
    received_at: datetime
    due_at: datetime | None = None
    decided_at: datetime | None = None
    offered: bool = False
    starts_at: datetime | None = None


@dataclass(frozen=True)
class Contact:
    """A direct contact: when it was sent, its case's reply deadline, the person's answer
    (``answered_at``: when it was recorded) and the unit that wrote."""

    status: str
    sent_at: datetime
    due_at: datetime | None = None
    answered_at: datetime | None = None
    unit: str = ""


@dataclass(frozen=True)
class ConectaFigures:
    sessions: int = 0
    seats: int = 0
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0
    attended: int = 0
    no_shows: int = 0
    questions: int = 0

    @property
    def attendance_rate(self) -> float | None:
        """Attended / confirmed with attendance marked."""
        return ratio(self.attended, self.attended + self.no_shows)

    @property
    def occupancy(self) -> float | None:
        """Confirmed / seats offered."""
        return ratio(self.confirmed, self.seats)


@dataclass(frozen=True)
class PresentialFigures:
    received: int = 0
    triaged: int = 0
    triaged_with_deadline: int = 0
    on_time: int = 0
    accepted: int = 0
    redirected: int = 0
    refused: int = 0
    held: int = 0
    cancelled: int = 0
    median_days_to_session: float | None = None

    @property
    def on_time_share(self) -> float | None:
        """Triaged on time / triaged (those with a deadline)."""
        return ratio(self.on_time, self.triaged_with_deadline)


@dataclass(frozen=True)
class DirectFigures:
    sent: int = 0
    answered_on_time: int = 0
    interested: int = 0
    declined: int = 0
    expired: int = 0
    waiting: int = 0

    @property
    def answered_on_time_share(self) -> float | None:
        """Answered within the 5 working days / sent."""
        return ratio(self.answered_on_time, self.sent)


@dataclass(frozen=True)
class Figures:
    conecta: ConectaFigures
    presential: PresentialFigures
    direct: DirectFigures
    direct_by_unit: dict[str, DirectFigures] = field(default_factory=dict)


def conecta_figures(sessions: Iterable[Session], window: Window) -> ConectaFigures:
    """Conecta Todos figures of the sessions starting in ``window``."""
    held = [s for s in sessions if s.starts_at in window]
    signups = [r for s in held for r in s.registrations]
    confirmed = [r for r in signups if r.status == CONFIRMED]
    return ConectaFigures(
        sessions=len(held),
        seats=sum(s.capacity for s in held),
        confirmed=len(confirmed),
        waiting=sum(r.status == WAITING for r in signups),
        cancelled=sum(r.status == CANCELLED for r in signups),
        attended=sum(r.attended is True for r in confirmed),
        no_shows=sum(r.attended is False for r in confirmed),
        questions=sum(bool(r.questions.strip()) for r in signups),
    )


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / SECONDS_PER_DAY


def presential_figures(requests: Iterable[Request], window: Window) -> PresentialFigures:
    """(Tele)presential figures: triage over the requests received in ``window``, sessions
    over those that started (or were due to) in it."""
    requests = list(requests)
    received = [r for r in requests if r.received_at in window]
    triaged = [r for r in received if r.decided_at is not None]
    timed = [r for r in triaged if r.due_at is not None]
    held = [r for r in requests if r.status == HELD and r.starts_at in window]
    cancelled = [
        r
        for r in requests
        if r.status == CANCELLED
        and (r.starts_at in window if r.starts_at is not None else r.received_at in window)
    ]
    waits = [_days(r.received_at, r.starts_at) for r in held if r.starts_at is not None]
    return PresentialFigures(
        received=len(received),
        triaged=len(triaged),
        triaged_with_deadline=len(timed),
        on_time=sum(r.decided_at <= r.due_at for r in timed if r.decided_at and r.due_at),
        accepted=sum(r.status in ACCEPTED_STATUSES or r.offered for r in received),
        redirected=sum(r.status == REDIRECTED for r in received),
        refused=sum(r.status == REFUSED for r in received),
        held=len(held),
        cancelled=len(cancelled),
        median_days_to_session=round(statistics.median(waits), 1) if waits else None,
    )


def answered_on_time(contact: Contact) -> bool:
    """Whether the person answered (interested or not) by the case's due instant."""
    return (
        contact.status in ANSWERS
        and contact.answered_at is not None
        and contact.due_at is not None
        and contact.answered_at <= contact.due_at
    )


def direct_figures(contacts: Iterable[Contact], window: Window) -> DirectFigures:
    """Direct-contact figures of the messages sent in ``window``."""
    sent = [c for c in contacts if c.sent_at in window]
    return DirectFigures(
        sent=len(sent),
        answered_on_time=sum(answered_on_time(c) for c in sent),
        interested=sum(c.status == INTERESTED for c in sent),
        declined=sum(c.status == DECLINED for c in sent),
        expired=sum(c.status == EXPIRED for c in sent),
        waiting=sum(c.status not in ANSWERS | {EXPIRED} for c in sent),
    )


def compute(
    window: Window,
    sessions: Iterable[Session] = (),
    requests: Iterable[Request] = (),
    contacts: Iterable[Contact] = (),
) -> Figures:
    """All the figures of the report for ``window``; direct contacts also per unit."""
    contacts = list(contacts)
    units = sorted({c.unit for c in contacts if c.sent_at in window})
    return Figures(
        conecta=conecta_figures(sessions, window),
        presential=presential_figures(requests, window),
        direct=direct_figures(contacts, window),
        direct_by_unit={
            unit: direct_figures((c for c in contacts if c.unit == unit), window) for unit in units
        },
    )
