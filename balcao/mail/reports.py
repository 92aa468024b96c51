"""The e-mail reports of the Portuguese tender (seed ``003_…txt``, item 13.1, "Tratamento de
mensagens de correio eletrónico") and the 48-hour clock of its item 12.2 ii).

Item 13.1 asks every weekly report for: "a') Número de mensagens de correio eletrónico
recebidas e respondidas diariamente; b') … recebidas dentro do horário definido; c') …
recebidas fora do horário definido; d') Identificação da temática das mensagens …
rececionadas; e') Identificação do número de mensagens … que, em virtude do seu teor, são
devidamente reencaminhadas para o INPI, I. P."; item 13.2 a') sums a')–d') for the month.
Item 12.2 ii): "todas as mensagens de correio eletrónico recebidas são tratadas no espaço
temporal de 48 (quarenta e oito) horas seguidas, a contar da hora da receção do e-mail, com
exceção de fins de semana e feriados nacionais" (policy ``pt-email-48h`` of the deadline
engine).

The readings, where the text leaves room (the same as the contact-centre report's,
``../shared/contracts/contact-centre-report.md``, wherever they apply):

- **Which messages a period holds**: those received on a local date from ``start`` to
  ``end``, both inclusive (the agency's time zone); all of a message's figures (answered,
  theme, forwarded, its clock) count in that period, even when they happen after ``end``.
- **Received (a')** = a person's messages: those that opened a case or joined one. Advertising
  is counted apart, per day (it never starts the clock: issue 22); an agent's mark overrides
  the filter's verdict either way. Repeats of a message already read, delivery failures,
  quarantined messages and units' answers are not a person's e-mail: counted apart, in totals.
- **Answered (a')**: a message is answered when the first reply to the person written at or
  after its reception has been *sent* — an e-mail of kind reply, complement request or final
  answer (what an agent writes to the person; acknowledgements, access codes and state
  notices are automatic and answer nothing). It counts on the day the message was received.
- **Service hours (b', c')**: Monday–Friday, 09:00 inclusive to 17:00 exclusive, not on
  Portuguese national holidays — the contact centre's rule
  (:func:`balcao.telephony.indicators.in_service_hours`), items 11.6 a) and 11.11.
- **Theme (d')**: the service/module the case is filed under (``Case.service``); ``""`` while
  nobody has classified it.
- **Forwarded (e')**: the messages that opened a case which was forwarded to a unit by e-mail
  (``UnitForward``), with each unit's forwards and the time at the unit (answer − sending, in
  seconds, of the answered forwards), counted apart from the agency's own time.
- **The 48-hour clock**: for each message that opened a case, the case's due instant as the
  deadline engine keeps it (``Case.due_at``: its policy, pauses and extensions): answered on
  time (answer ≤ due), answered late, still open past due, still open on time (at ``now``), or
  without a deadline.
- Proportions are plain floats, ``None`` when the divisor is 0; times are seconds.

:func:`compute` does the arithmetic on plain records (no Django: tested with plain pytest);
:func:`report` at the bottom is the thin Django side that loads the records in three
queries (one more to check a mailbox or channel asked for) and calls it (the console page,
the ``balcao mail report`` command).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from balcao.telephony.indicators import Period, in_service_hours

__all__ = [
    "ANSWER_KINDS",
    "COUNTED_APART",
    "Forward",
    "Period",
    "Received",
    "Reply",
    "ReportError",
    "compute",
    "report",
]

# InboundMail.Outcome values (kept as plain strings: this module imports no Django).
NEW_CASE, REPLY, ADVERTISING = "new-case", "reply", "advertising"
#: Outcomes that are not a person's e-mail: counted apart, never in a').
COUNTED_APART = ("duplicate", "bounce", "quarantine", "unit-answer")
#: OutboundMail kinds that answer the person (written by an agent, not automatic).
ANSWER_KINDS = ("reply", "complement_request", "answer")
#: Service hours are the Portuguese tender's (seed 003, items 11.6 a) and 11.11).
SERVICE_COUNTRY = "PT"


class ReportError(ValueError):
    """A report that cannot be made as asked (a period backwards, an unknown mailbox); the
    message is for a person."""


@dataclass(frozen=True)
class Received:
    """One message taken from a mailbox, as the reports count it."""

    received_at: datetime  # aware
    outcome: str  # InboundMail.Outcome
    mark: str = ""  # an agent's "advertising" / "not-advertising"
    case: int | None = None
    theme: str = ""
    due_at: datetime | None = None  # the case's due instant (deadline engine)

    @property
    def kind(self) -> str:
        """``"person"``, ``"advertising"`` or the outcome counted apart; an agent's mark
        overrides the advertising filter's verdict."""
        if self.outcome in COUNTED_APART:
            return self.outcome
        if self.mark == "advertising":
            return "advertising"
        if self.outcome == ADVERTISING and self.mark != "not-advertising":
            return "advertising"
        return "person"

    @property
    def opens_case(self) -> bool:
        """Whether the message started its case's clock (it did not join an open case)."""
        return self.kind == "person" and self.outcome != REPLY


@dataclass(frozen=True)
class Reply:
    """An e-mail to the person on ``case`` (kind in :data:`ANSWER_KINDS`) written at
    ``written_at`` and sent at ``sent_at``."""

    case: int
    written_at: datetime
    sent_at: datetime


@dataclass(frozen=True)
class Forward:
    """A case forwarded to ``unit``, and when the unit answered (None: still waiting)."""

    case: int
    unit: str
    sent_at: datetime
    answered_at: datetime | None = None


# A message that opened a case, and when it was answered (None: not yet).
Opening = tuple[Received, datetime | None]


def answered_at(message: Received, replies: Iterable[Reply]) -> datetime | None:
    """When ``message`` was answered: the earliest sending of a reply on its case written at
    or after its reception (a reply already written before it arrived does not answer it)."""
    sent = [r.sent_at for r in replies if r.written_at >= message.received_at]
    return min(sent) if sent else None


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _times(seconds: list[float]) -> dict[str, float | None]:
    return {
        "mean_seconds_at_unit": statistics.fmean(seconds) if seconds else None,
        "median_seconds_at_unit": statistics.median(seconds) if seconds else None,
    }


def _forwarded(opening: list[Opening], forwards: Iterable[Forward], days: list[str], tz):
    """e'): the opening messages whose case went to a unit, by day and by unit."""
    day_of = {m.case: m.received_at.astimezone(tz).date().isoformat() for m, _ in opening if m.case}
    by_case: dict[int, list[Forward]] = defaultdict(list)
    for forward in forwards:
        if forward.case in day_of:
            by_case[forward.case].append(forward)
    per_day = dict.fromkeys(days, 0)
    for case in by_case:
        per_day[day_of[case]] += 1
    units: dict[str, list[Forward]] = defaultdict(list)
    for case_forwards in by_case.values():
        for forward in case_forwards:
            units[forward.unit].append(forward)

    def summary(items: list[Forward]) -> dict:
        seconds = [
            (f.answered_at - f.sent_at).total_seconds() for f in items if f.answered_at is not None
        ]
        return {
            "forwards": len(items),
            "answered": len(seconds),
            "waiting": len(items) - len(seconds),
            **_times(seconds),
        }

    everything = [f for items in units.values() for f in items]
    return {
        "messages": len(by_case),
        "per_day": per_day,
        **summary(everything),
        "by_unit": {unit: summary(units[unit]) for unit in sorted(units)},
    }


def _deadline(opening: list[Opening], now: datetime):
    """The 48-hour clock (item 12.2 ii) of the messages that opened a case."""
    counts = Counter(
        {
            "answered_on_time": 0,
            "answered_late": 0,
            "open_overdue": 0,
            "open_on_time": 0,
            "without_deadline": 0,
        }
    )
    for message, answer in opening:
        if message.due_at is None:
            counts["without_deadline"] += 1
        elif answer is not None:
            counts["answered_on_time" if answer <= message.due_at else "answered_late"] += 1
        else:
            counts["open_overdue" if now > message.due_at else "open_on_time"] += 1
    known = counts["answered_on_time"] + counts["answered_late"] + counts["open_overdue"]
    return {
        "cases": len(opening),
        **counts,
        "on_time_ratio": _ratio(counts["answered_on_time"], known),
        "as_of": now.isoformat(),
    }


def compute(
    period: Period,
    messages: Iterable[Received],
    replies: Iterable[Reply] = (),
    forwards: Iterable[Forward] = (),
    *,
    now: datetime,
) -> dict:
    """The report of ``period`` (see the module's docstring for every reading). Keys are
    named after the tender's items: ``a_received_per_day``, ``a_answered_per_day``,
    ``b_inside_hours``, ``c_outside_hours``, ``d_by_theme``, ``e_forwarded``, then
    ``advertising_per_day``, ``per_hour``, ``deadline`` and the totals (docs/mail.md)."""
    tz = period.tz
    public_holidays = period.holidays()
    days = [day.isoformat() for day in period.days()]
    replies_of: dict[int, list[Reply]] = defaultdict(list)
    for reply in replies:
        replies_of[reply.case].append(reply)

    received, answered, advertising, inside, outside = (dict.fromkeys(days, 0) for _ in range(5))
    per_hour = {f"{hour:02d}": 0 for hour in range(24)}
    per_day_hour: dict[str, Counter] = defaultdict(Counter)
    themes: Counter = Counter()
    apart: Counter = Counter(dict.fromkeys(COUNTED_APART, 0))
    opening: list[Opening] = []
    for message in messages:
        local = message.received_at.astimezone(tz)
        day = local.date().isoformat()
        if day not in received:
            continue
        kind = message.kind
        if kind == "advertising":
            advertising[day] += 1
            continue
        if kind != "person":
            apart[kind] += 1
            continue
        received[day] += 1
        answer = answered_at(message, replies_of.get(message.case, ())) if message.case else None
        if answer is not None:
            answered[day] += 1
        if in_service_hours(local, public_holidays):
            inside[day] += 1
        else:
            outside[day] += 1
        hour = f"{local.hour:02d}"
        per_hour[hour] += 1
        per_day_hour[day][hour] += 1
        themes[message.theme] += 1
        if message.opens_case:
            opening.append((message, answer))

    total = sum(received.values())
    total_answered = sum(answered.values())
    return {
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "time_zone": str(tz),
        },
        "a_received_per_day": received,
        "a_answered_per_day": answered,
        "b_inside_hours": sum(inside.values()),
        "c_outside_hours": sum(outside.values()),
        "b_inside_hours_per_day": inside,
        "c_outside_hours_per_day": outside,
        "d_by_theme": dict(sorted(themes.items(), key=lambda item: (-item[1], item[0]))),
        "e_forwarded": _forwarded(opening, forwards, days, tz),
        "advertising_per_day": advertising,
        "per_hour": per_hour,
        "per_day_hour": {
            day: dict(sorted(per_day_hour[day].items())) for day in days if per_day_hour[day]
        },
        "deadline": _deadline(opening, now),
        "totals": {
            "received": total,
            "answered": total_answered,
            "unanswered": total - total_answered,
            "answered_ratio": _ratio(total_answered, total),
            "advertising": sum(advertising.values()),
            **{outcome: apart[outcome] for outcome in COUNTED_APART},
        },
    }


def period_of(start: date, end: date, time_zone: str) -> Period:
    """The local dates ``start``–``end`` (inclusive) in ``time_zone``, with Portugal's
    national holidays (the service hours' calendar); ReportError when backwards."""
    if end < start:
        raise ReportError("a data final vem antes da inicial")
    return Period(start, end, ZoneInfo(time_zone), SERVICE_COUNTRY)


# --- the Django side ------------------------------------------------------------------------
# Imports stay inside the function so that the arithmetic above is read and tested without
# Django.


def report(
    start: date,
    end: date,
    *,
    mailbox: str | None = None,
    channel: str | None = None,
    now: datetime | None = None,
) -> dict:
    """The report for the messages received from ``start`` to ``end`` (local dates of
    ``settings.TIME_ZONE``, inclusive), of one mailbox or channel (their slugs) or all, in
    three queries whatever the number of messages: the messages with their case's theme and
    due instant, the replies to those cases, their forwards to units."""
    from django.conf import settings
    from django.utils import timezone

    from balcao.cases.models import OutboundMail
    from balcao.catalog.models import Channel
    from balcao.mail.models import InboundMail, Mailbox, UnitForward

    period = period_of(start, end, settings.TIME_ZONE)
    rows = InboundMail.objects.filter(
        received_at__gte=period.starts_at, received_at__lt=period.ends_at
    )
    if mailbox:
        if not Mailbox.objects.filter(slug=mailbox).exists():
            raise ReportError(f"caixa de e-mail não encontrada: {mailbox}")
        rows = rows.filter(mailbox__slug=mailbox)
    if channel:
        if not Channel.objects.filter(slug=channel).exists():
            raise ReportError(f"canal não encontrado: {channel}")
        rows = rows.filter(mailbox__channel__slug=channel)
    messages = [
        Received(at, outcome, mark, case, theme or "", due)
        for at, outcome, mark, case, theme, due in rows.values_list(
            "received_at", "outcome", "mark", "case_id", "case__service__name", "case__due_at"
        )
    ]
    cases = rows.filter(case__isnull=False).values("case_id")
    replies = [
        Reply(*row)
        for row in OutboundMail.objects.filter(
            case_id__in=cases, kind__in=ANSWER_KINDS, sent_at__isnull=False
        ).values_list("case_id", "created_at", "sent_at")
    ]
    forwards = [
        Forward(*row)
        for row in UnitForward.objects.filter(case_id__in=cases).values_list(
            "case_id", "unit__name", "sent_at", "answered_at"
        )
    ]
    data = compute(period, messages, replies, forwards, now=now or timezone.now())
    data["period"].update(mailbox=mailbox or None, channel=channel or None)
    return data
