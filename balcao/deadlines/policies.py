"""Deadline policies: every legal and contractual clock of Balcão, one engine.

Pure module (no Django import). A :class:`Policy` is a small dataclass that can be built
from a plain dict (``Policy.from_dict``), so the Django side stores admin-defined policies
as JSON and the built-in ones live in :data:`BUILTIN_POLICIES` (their names and rules are a
contract that the command line and the API promise: docs/deadlines.md, "The built-in
policies").

Kinds of clock (``Kind``):

- ``calendar_days``: a notice day, counting from the first working day after it, days run as
  calendar days, a due date on a non-working day moves to the next working day (Lei
  9.784/1999, art. 66 §1 and §2: "Os prazos expressos em dias contam-se de modo contínuo").
- ``working_days``: the n-th working day after the notice (or receipt) day.
- ``working_hours``: hours counted only inside the calendar's opening hours.
- ``running_hours``: all 24 hours of each working day run, other days stop the clock.
- ``minutes``: plain elapsed minutes (idle timers), any day, any hour.

Extensions (prorrogação) add ``extension_amount`` units, in the policy's own kind, to the due
date, at most ``max_extensions`` times, each with a justification. Pauses are intervals while
the case waits on the requester (or a complementation is pending); the policy says whether
such a wait *pauses* the clock (the time waiting does not count), *restarts* it (counting
starts again from the end of the wait, "interrupção") or does nothing (``none``). See
``docs/deadlines.md`` for the law behind each built-in policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from balcao.deadlines.calendar import BusinessCalendar, default_calendar

__all__ = [
    "BUILTIN_POLICIES",
    "DeadlineResult",
    "Extension",
    "Kind",
    "PauseMode",
    "Policy",
    "PolicyError",
    "ReceivedError",
    "UnknownPolicyError",
    "apply_extensions",
    "compute",
    "get_policy",
    "parse_instant",
]


class Kind(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    RUNNING_HOURS = "running_hours"
    MINUTES = "minutes"


DAY_KINDS = frozenset({Kind.CALENDAR_DAYS, Kind.WORKING_DAYS})

#: ``received`` must fall strictly between these years (the calendar tables span 1900-2100,
#: and a deadline needs room after the receipt).
SUPPORTED_YEARS = (1900, 2100)


class PauseMode(StrEnum):
    PAUSE = "pause"  # the time waiting on the requester does not count ("suspensão")
    RESTART = "restart"  # counting starts again when the wait ends ("interrupção")
    NONE = "none"  # the clock runs regardless


class PolicyError(ValueError):
    """A policy definition or a request about it is not valid (message for a person)."""


class UnknownPolicyError(PolicyError):
    pass


class ReceivedError(PolicyError):
    """The ``received`` timestamp cannot be used (not ISO-8601, or no offset where needed)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """One deadline rule. Build it from a plain dict with :meth:`from_dict`.

    ``amount`` is in the kind's unit (days, hours or minutes). ``cutoff`` ("HH:MM"), for day
    kinds: a request received on a working day before the cutoff has that day as its notice
    day, otherwise the next working day; without a cutoff the receipt date itself is the
    reference day (it is not counted: CPA art. 87 b), Lei 9.784/1999 art. 66).
    """

    name: str
    kind: Kind
    amount: int
    country: str = "BR"
    cutoff: time | None = None
    extension_amount: int = 0
    max_extensions: int = 0
    pause_mode: PauseMode = PauseMode.PAUSE
    max_restarts: int = 1
    title: str = ""
    source: str = ""
    pause_reason: str = ""
    _cutoff_seconds: int = field(default=-1, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))
        object.__setattr__(self, "pause_mode", PauseMode(self.pause_mode))
        object.__setattr__(self, "country", self.country.upper())
        if not self.name or not isinstance(self.name, str):
            raise PolicyError("a policy needs a name")
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount < 1:
            raise PolicyError(f"policy {self.name}: amount must be a positive whole number")
        if self.extension_amount < 0 or self.max_extensions < 0 or self.max_restarts < 0:
            raise PolicyError(f"policy {self.name}: extension and restart counts must be >= 0")
        if self.max_extensions and not self.extension_amount:
            raise PolicyError(f"policy {self.name}: an extension needs an extension_amount")
        if self.cutoff is not None:
            if self.kind not in DAY_KINDS:
                raise PolicyError(f"policy {self.name}: a cutoff only applies to day kinds")
            seconds = self.cutoff.hour * 3600 + self.cutoff.minute * 60 + self.cutoff.second
            object.__setattr__(self, "_cutoff_seconds", seconds)

    @property
    def day_based(self) -> bool:
        """Whether ``due`` is a date (day kinds) rather than an instant."""
        return self.kind in DAY_KINDS

    @property
    def has_extension(self) -> bool:
        return self.max_extensions > 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from a plain dict, e.g. what an admin saved.

        ``{"name": "sac-municipal", "kind": "working_days", "amount": 10, "country": "BR",
        "cutoff": "18:00", "extension_amount": 5, "max_extensions": 1,
        "pause_mode": "pause"}``. Unknown keys are an error (a typo must not pass silently).
        """
        allowed = {spec.name for spec in fields(cls) if spec.init}
        unknown = set(data) - allowed
        if unknown:
            raise PolicyError(f"unknown policy field(s): {', '.join(sorted(unknown))}")
        values = dict(data)
        cutoff = values.get("cutoff")
        if isinstance(cutoff, str):
            try:
                values["cutoff"] = time.fromisoformat(cutoff)
            except ValueError as exc:
                raise PolicyError(f"cutoff {cutoff!r} is not a time like '19:00'") from exc
        try:
            values["kind"] = Kind(str(values.get("kind")))
        except ValueError as exc:
            kinds = ", ".join(k.value for k in Kind)
            raise PolicyError(f"kind {values.get('kind')!r} is not one of: {kinds}") from exc
        if "pause_mode" in values:
            try:
                values["pause_mode"] = PauseMode(values["pause_mode"])
            except ValueError as exc:
                raise PolicyError(f"pause_mode {values['pause_mode']!r} is not valid") from exc
        try:
            return cls(**values)
        except TypeError as exc:
            raise PolicyError(f"incomplete policy: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        """The inverse of :meth:`from_dict` (JSON-ready)."""
        out: dict[str, Any] = {}
        for spec in fields(self):
            if not spec.init:
                continue
            value = getattr(self, spec.name)
            if isinstance(value, time):
                value = value.strftime("%H:%M")
            elif isinstance(value, StrEnum):
                value = value.value
            out[spec.name] = value
        return out


@dataclass(slots=True)
class DeadlineResult:
    """What :func:`compute` returns. ``to_json`` gives the contract's object."""

    policy: str
    received: str
    counting_starts: date | None
    due: date | datetime
    extended_due: date | datetime | None
    received_at: datetime | None = None
    extensions: int = 0

    def to_json(self) -> dict[str, Any]:
        """``{"policy", "received", "counting_starts", "due", "extended_due"}`` in this order.

        Dates as 'YYYY-MM-DD'; instants as ISO-8601 with their offset.
        """
        counting_starts = self.counting_starts
        extended_due = self.extended_due
        return {
            "policy": self.policy,
            "received": self.received,
            "counting_starts": None if counting_starts is None else counting_starts.isoformat(),
            "due": self.due.isoformat(),
            "extended_due": None if extended_due is None else extended_due.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Extension:
    """One granted extension: the justification is required (LAI art. 11 §2, Lei 13.460
    art. 16: "prorrogável de forma justificada")."""

    justification: str
    granted_by: str = ""

    def __post_init__(self) -> None:
        if not self.justification or not self.justification.strip():
            raise PolicyError("an extension needs a justification")


# -- built-in policies ------------------------------------------------------------------------

_LAI_SOURCE = (
    "Lei 12.527/2011 (LAI) art. 11 §§1-2 and Decreto 7.724/2012 arts. 15-16: 20 days, "
    "extendable once by 10 with justification; counting per Lei 9.784/1999 art. 66"
)
_LAI_PAUSE = (
    "pause: neither the LAI nor Decreto 7.724/2012 lets a clarification request restart "
    "the count, so the days waiting on the requester are simply not counted"
)
_OUV_PAUSE = (
    "restart once: Decreto 9.492/2018 (regulating Lei 13.460/2017) says a request for "
    "complementation interrupts the art. 16 deadline a single time"
)
_APPEAL_PAUSE = (
    "none: Lei 9.784/1999 art. 67, 'salvo motivo de força maior devidamente comprovado, "
    "os prazos processuais não se suspendem'"
)

BUILTIN_POLICIES: dict[str, Policy] = {
    policy.name: policy
    for policy in (
        Policy(
            name="lai",
            kind=Kind.CALENDAR_DAYS,
            amount=20,
            country="BR",
            cutoff=time(19, 0),
            extension_amount=10,
            max_extensions=1,
            pause_mode=PauseMode.PAUSE,
            title="Acesso à informação (LAI)",
            source=_LAI_SOURCE,
            pause_reason=_LAI_PAUSE,
        ),
        Policy(
            name="ouvidoria",
            kind=Kind.CALENDAR_DAYS,
            amount=30,
            country="BR",
            cutoff=time(19, 0),
            extension_amount=30,
            max_extensions=1,
            pause_mode=PauseMode.RESTART,
            title="Ouvidoria (Lei 13.460/2017)",
            source="Lei 13.460/2017 art. 16: 30 days, extendable once, with justification, "
            "by the same period",
            pause_reason=_OUV_PAUSE,
        ),
        Policy(
            name="inpi-ouvidoria",
            kind=Kind.CALENDAR_DAYS,
            amount=20,
            country="BR",
            cutoff=time(19, 0),
            extension_amount=10,
            max_extensions=1,
            pause_mode=PauseMode.RESTART,
            title="Ouvidoria do INPI",
            source="INPI catalogue (seed 000), Serviço de Atendimento da Ouvidoria: "
            "'PRAZO: 20 dias, prorrogável por mais 10 dias'",
            pause_reason=_OUV_PAUSE,
        ),
        Policy(
            name="lai-appeal-filing",
            kind=Kind.CALENDAR_DAYS,
            amount=10,
            country="BR",
            cutoff=time(19, 0),
            pause_mode=PauseMode.NONE,
            title="Recurso LAI: prazo para recorrer",
            source="Lei 12.527/2011 art. 15 and Decreto 7.724/2012 art. 21: 10 days from "
            "notice of the refusal",
            pause_reason=_APPEAL_PAUSE,
        ),
        Policy(
            name="lai-appeal-decision",
            kind=Kind.CALENDAR_DAYS,
            amount=5,
            country="BR",
            cutoff=time(19, 0),
            pause_mode=PauseMode.NONE,
            title="Recurso LAI: prazo para decidir",
            source="Lei 12.527/2011 art. 15 § único and Decreto 7.724/2012 art. 21 § único: "
            "the authority decides within 5 days",
            pause_reason=_APPEAL_PAUSE,
        ),
        Policy(
            name="classification-appeal-filing",
            kind=Kind.CALENDAR_DAYS,
            amount=10,
            country="BR",
            cutoff=time(19, 0),
            pause_mode=PauseMode.NONE,
            title="Recurso contra a negativa de desclassificação: prazo para recorrer",
            source="INPI Portaria (seed 001), art. 48: 'o usuário poderá apresentar recurso no "
            "prazo de 10 (dez) dias, contados da ciência da negativa, ao Presidente do INPI'",
            pause_reason=_APPEAL_PAUSE,
        ),
        Policy(
            name="classification-appeal-decision",
            kind=Kind.CALENDAR_DAYS,
            amount=30,
            country="BR",
            cutoff=time(19, 0),
            pause_mode=PauseMode.NONE,
            title="Recurso contra a negativa de desclassificação: prazo para decidir",
            source="INPI Portaria (seed 001), art. 48: the President 'decidirá no prazo de "
            "trinta dias'",
            pause_reason=_APPEAL_PAUSE,
        ),
        Policy(
            name="contato-direto",
            kind=Kind.WORKING_DAYS,
            amount=5,
            country="BR",
            cutoff=time(19, 0),
            pause_mode=PauseMode.NONE,
            title="Serviço de Contato Direto com Usuários",
            source="INPI Portaria (seed 001), art. 40 III: 'prazo de resposta por parte do "
            "usuário será de cinco dias úteis'",
            pause_reason="none: the 5 working days are the requester's own reply window "
            "(art. 40 III), so there is nothing to wait for on their side",
        ),
        Policy(
            name="fale-conosco",
            kind=Kind.WORKING_DAYS,
            amount=7,
            country="BR",
            cutoff=time(19, 0),
            pause_mode=PauseMode.PAUSE,
            title="Fale Conosco / Comex Responde",
            source="INPI catalogue (seed 000): 'PRAZO: 7 dias úteis'",
            pause_reason="pause: a service-level target of the agency; working days spent "
            "waiting on the requester are not the agency's",
        ),
        Policy(
            name="pt-cpa",
            kind=Kind.WORKING_DAYS,
            amount=10,
            country="PT",
            cutoff=None,
            pause_mode=PauseMode.PAUSE,
            title="Prazo geral do CPA (Portugal)",
            source="CPA (Decreto-Lei 4/2015) art. 86 (general 10-day time limit) and art. 87: "
            "b) the day of the event is not counted, c) the count stops on Saturdays, "
            "Sundays and holidays",
            pause_reason="pause: the CPA speaks of the time limit being suspended "
            "('suspende-se', art. 87 c)), never of it starting over",
        ),
        Policy(
            name="pt-email-48h",
            kind=Kind.RUNNING_HOURS,
            amount=48,
            country="PT",
            pause_mode=PauseMode.PAUSE,
            title="E-mail: 48 horas (contact center)",
            source="Tender caderno de encargos (seed 003), 12.2 ii): '48 (quarenta e oito) "
            "horas seguidas, a contar da hora da receção do e-mail, com exceção de fins de "
            "semana e feriados nacionais'",
            pause_reason="pause: hours waiting on the sender (or on INPI, 11.12) are not the "
            "provider's handling time",
        ),
        Policy(
            name="chat-idle-20min",
            kind=Kind.MINUTES,
            amount=20,
            country="BR",
            pause_mode=PauseMode.RESTART,
            max_restarts=1_000_000,
            title="Chat inativo: encerra após 20 minutos",
            source="MGI chatbot (seed 002): idle conversations end after 20 minutes",
            pause_reason="restart: any activity starts the idle timer again; pass the last "
            "activity as 'received'",
        ),
    )
}


def get_policy(name: str, registry: Mapping[str, Policy] | None = None) -> Policy:
    """The policy called ``name`` (built-in unless another registry is given)."""
    table = BUILTIN_POLICIES if registry is None else registry
    try:
        return table[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(table))
        raise UnknownPolicyError(f"unknown policy {name!r}; known policies: {known}") from None


# -- input ------------------------------------------------------------------------------------


def parse_instant(
    value: str | date | datetime, policy: Policy, calendar: BusinessCalendar
) -> datetime:
    """``value`` as an aware datetime in the calendar's time zone.

    ISO-8601 date-time with offset (``Z`` allowed) is always accepted. For day policies a
    date-time without offset, or a bare date, is local time of the policy's calendar (a bare
    date is 00:00 that day, i.e. before any cutoff). For hour and minute policies an instant
    without offset is an error: 10:00 in Lisbon and in São Paulo are hours apart.
    """
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None:
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                moment = None
        if moment is None:
            raise ReceivedError(
                f"received {value!r} is not an ISO-8601 date or date-time "
                "(e.g. 2025-03-28T10:15:00-03:00)"
            )
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        raise ReceivedError(f"received must be an ISO-8601 text, not {type(value).__name__}")
    if not SUPPORTED_YEARS[0] < moment.year < SUPPORTED_YEARS[1]:
        raise ReceivedError(
            f"received {value!s} is outside the years the calendar supports "
            f"({SUPPORTED_YEARS[0] + 1}-{SUPPORTED_YEARS[1] - 1})"
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        if policy.kind not in DAY_KINDS:
            raise ReceivedError(
                f"received {value!s} has no UTC offset; policy {policy.name} counts "
                "hours/minutes, so give the offset (e.g. 2025-03-28T10:15:00+00:00 or ...Z)"
            )
        return moment.replace(tzinfo=calendar.tz)
    return moment.astimezone(calendar.tz)


def _pause_spans(
    pauses: Iterable[tuple[Any, Any]], policy: Policy, calendar: BusinessCalendar
) -> list[tuple[datetime, datetime]]:
    """The waits on the requester as sorted (start, end) instants; empty waits are dropped."""
    spans = []
    for pair in pauses:
        try:
            start, end = pair
        except (TypeError, ValueError):
            raise PolicyError("a pause is a (start, end) pair") from None
        pause_start = parse_instant(start, policy, calendar)
        pause_end = parse_instant(end, policy, calendar)
        if pause_end < pause_start:
            raise PolicyError(f"pause ends ({end}) before it starts ({start})")
        if pause_end > pause_start:
            spans.append((pause_start, pause_end))
    spans.sort()
    return spans


_Instant = TypeVar("_Instant", int, datetime)


def _resume_after_pauses(
    counting_from: _Instant,
    budget: int,
    pauses: Iterable[tuple[_Instant, _Instant]],
    counted_between: Callable[[_Instant, _Instant], int],
) -> tuple[_Instant, int]:
    """Where the last stretch of counting starts, and how much of ``budget`` is left for it.

    Pause mode ("suspensão"; each policy's ``pause_reason`` gives its legal ground, see
    docs/deadlines.md, "Legal sources, and why each pauses or restarts"): the clock runs from
    ``counting_from`` until a pause starts, stops while the case waits on the requester and
    runs again when the wait ends. ``counted_between(a, b)`` is the time that counts from
    ``a`` to ``b`` in the policy's unit (calendar days, working days or seconds).
    A pause that ends before the clock reaches it changes nothing; one that starts after the
    budget is spent gives nothing back. ``pauses`` must be sorted by start.
    """
    resume = counting_from
    remaining = budget
    for pause_start, pause_end in pauses:
        if pause_end <= resume:
            continue
        counted = counted_between(resume, max(pause_start, resume))
        if counted >= remaining:
            break
        remaining -= counted
        resume = pause_end
    return resume, remaining


# -- day kinds --------------------------------------------------------------------------------


def _notice_ordinal(policy: Policy, calendar: BusinessCalendar, local: datetime) -> int:
    """The notice day: the receipt day when it is a working day and before the cutoff,
    otherwise the next working day (Fala.BR practice behind the BR policies' 19:00 cutoff: a
    request registered after 19h or on a non-working day counts from the next working day;
    docs/deadlines.md, "Kinds of policy"). Without a cutoff it is the receipt date itself
    (CPA art. 87 b): that day is never counted)."""
    receipt_day = local.toordinal()
    cutoff = policy._cutoff_seconds
    if cutoff < 0:
        return receipt_day
    seconds_into_day = local.hour * 3600 + local.minute * 60 + local.second
    if calendar.is_working_ordinal(receipt_day) and seconds_into_day < cutoff:
        return receipt_day
    return calendar.next_working_ordinal(receipt_day)


def _paused_days(spans: list[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """Days not counted for each pause, as half-open ordinal ranges.

    The day the wait starts still counts; counting resumes the day after the wait ends (the
    day of the event is excluded, Lei 9.784/1999 art. 66 / CPA art. 87 b)).
    """
    return [
        (pause_start.toordinal() + 1, pause_end.toordinal() + 1) for pause_start, pause_end in spans
    ]


def _due_day_kind(
    policy: Policy, calendar: BusinessCalendar, notice: int, paused: list[tuple[int, int]]
) -> tuple[int, int]:
    """(counting_starts, due) ordinals for day kinds, skipping paused days.

    Calendar days: day 1 is the first working day after the notice day, days then run
    continuously and a due date on a non-working day rolls to the next working day (Lei
    9.784/1999 art. 66 §§1-2). Working days ("dias úteis"; for ``pt-cpa``, CPA art. 87 c)):
    the ``amount``-th working day after the notice day.
    """
    counting_starts = calendar.next_working_ordinal(notice)
    if policy.kind is Kind.CALENDAR_DAYS:
        resume, remaining = _resume_after_pauses(
            counting_starts, policy.amount, paused, lambda first, stop: stop - first
        )
        return counting_starts, calendar.roll_forward_ordinal(resume + remaining - 1)
    resume, remaining = _resume_after_pauses(
        counting_starts,
        policy.amount,
        paused,
        lambda first, stop: calendar.working_days_between_ordinals(first - 1, stop - 1),
    )
    return counting_starts, calendar.add_working_days_ordinal(resume - 1, remaining)


def _extend_day(policy: Policy, calendar: BusinessCalendar, due: int, count: int) -> int:
    """The due day after ``count`` extensions (LAI art. 11 §2, Lei 13.460/2017 art. 16).

    Calendar-day kinds: the rolled due date plus ``extension_amount`` calendar days, rolled
    again to a working day (Lei 9.784/1999 art. 66 §1); working-day kinds: that many more
    working days after the due date.
    """
    for _ in range(count):
        if policy.kind is Kind.CALENDAR_DAYS:
            due = calendar.roll_forward_ordinal(due + policy.extension_amount)
        else:
            due = calendar.add_working_days_ordinal(due, policy.extension_amount)
    return due


# -- hour and minute kinds -------------------------------------------------------------------


def _unit_seconds(policy: Policy) -> int:
    return 60 if policy.kind is Kind.MINUTES else 3600


def _advance(policy: Policy, calendar: BusinessCalendar, start: datetime, seconds: int) -> datetime:
    """``start`` plus ``seconds`` of the policy's running time (working, running or elapsed)."""
    if policy.kind is Kind.RUNNING_HOURS:
        return calendar.add_running_hours_on_working_days(start, 0, seconds=seconds)
    if policy.kind is Kind.WORKING_HOURS:
        return calendar.add_working_hours(start, 0, seconds=seconds)
    return (start.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(calendar.tz)


def _running_seconds(
    policy: Policy, calendar: BusinessCalendar, first: datetime, stop: datetime
) -> int:
    """Seconds of the policy's running time between two instants."""
    if policy.kind is Kind.MINUTES:
        return max(0, int((stop - first).total_seconds()))
    return calendar.running_seconds_between(first, stop, opening=policy.kind is Kind.WORKING_HOURS)


def _due_time_kind(
    policy: Policy,
    calendar: BusinessCalendar,
    start: datetime,
    spans: list[tuple[datetime, datetime]],
) -> datetime:
    """The due instant of an hour or minute policy whose clock stops during ``spans``."""
    resume, remaining = _resume_after_pauses(
        start,
        policy.amount * _unit_seconds(policy),
        spans,
        lambda first, stop: _running_seconds(policy, calendar, first, stop),
    )
    return _advance(policy, calendar, resume, remaining)


# -- the engine -------------------------------------------------------------------------------


def _restarted_from(
    policy: Policy,
    calendar: BusinessCalendar,
    local: datetime,
    spans: list[tuple[datetime, datetime]],
) -> datetime:
    """The instant the count (re)starts from, after "interruptions" (restart mode).

    A wait that begins before the current due date restarts the count at its end, as if the
    request had been received then; at most ``max_restarts`` times (Decreto 9.492/2018: a
    complementation request interrupts the ouvidoria deadline once). A wait that begins after
    the due date gives no time back.
    """
    restarts = 0
    due = compute(policy, local, calendar=calendar).due
    for pause_start, pause_end in spans:
        if restarts >= policy.max_restarts:
            break
        if pause_end <= local:
            continue
        if isinstance(due, datetime):
            started_in_time = pause_start < due
        else:
            started_in_time = pause_start.date() <= due
        if not started_in_time:
            break
        local = pause_end
        restarts += 1
        due = compute(policy, local, calendar=calendar).due
    return local


def _extension_count(policy: Policy, extended: bool | int) -> int:
    if extended is True:
        return 1 if policy.max_extensions else 0
    if not extended:
        return 0
    count = int(extended)
    if count < 0:
        raise PolicyError("the number of extensions cannot be negative")
    if count > policy.max_extensions:
        raise PolicyError(
            f"policy {policy.name} allows at most {policy.max_extensions} extension(s)"
        )
    return count


def compute(
    policy: Policy | str,
    received: str | date | datetime,
    extended: bool | int = False,
    calendar: BusinessCalendar | None = None,
    pauses: Sequence[tuple[Any, Any]] = (),
) -> DeadlineResult:
    """The deadline of ``policy`` for a request received at ``received``.

    ``extended``: ``True`` applies one extension when the policy has one (otherwise
    ``extended_due`` stays ``None``, as the contract says); an int asks for that many.
    ``calendar`` defaults to the national calendar of the policy's country. ``pauses`` are
    (start, end) intervals while the case waited on the requester; what they do depends on
    the policy's ``pause_mode``.
    """
    if isinstance(policy, str):
        policy = get_policy(policy)
    if calendar is None:
        calendar = default_calendar(policy.country)
    local = parse_instant(received, policy, calendar)
    received_echo = received if isinstance(received, str) else received.isoformat()
    extension_count = _extension_count(policy, extended)
    spans = _pause_spans(pauses, policy, calendar) if pauses else []
    if spans and policy.pause_mode is PauseMode.NONE:
        spans = []
    received_at = local
    if spans and policy.pause_mode is PauseMode.RESTART:
        local = _restarted_from(policy, calendar, local, spans)
        spans = []

    if policy.kind in DAY_KINDS:
        notice = _notice_ordinal(policy, calendar, local)
        paused = _paused_days(spans) if spans else []
        counting_starts_day, due_day = _due_day_kind(policy, calendar, notice, paused)
        extended_day = (
            _extend_day(policy, calendar, due_day, extension_count) if extension_count else None
        )
        return DeadlineResult(
            policy.name,
            received_echo,
            date.fromordinal(counting_starts_day),
            date.fromordinal(due_day),
            None if extended_day is None else date.fromordinal(extended_day),
            received_at,
            extension_count,
        )

    unit = _unit_seconds(policy)
    if policy.kind is Kind.MINUTES:
        start = local
        counting_starts = None
        due_at = None
    else:
        start, due_at = calendar.clock_window(
            local, policy.amount * unit, opening=policy.kind is Kind.WORKING_HOURS
        )
        counting_starts = start.date()
    if spans:
        # Running time is counted in whole seconds; carry the start's microseconds
        # over so that a pause never moves the due instant earlier.
        start_microseconds = timedelta(microseconds=start.microsecond)
        due_at = (
            _due_time_kind(policy, calendar, start - start_microseconds, spans) + start_microseconds
        )
    elif due_at is None:
        due_at = _advance(policy, calendar, start, policy.amount * unit)
    extended_at = None
    if extension_count:
        extended_at = _advance(
            policy, calendar, due_at, extension_count * policy.extension_amount * unit
        )
    return DeadlineResult(
        policy.name,
        received_echo,
        counting_starts,
        due_at,
        extended_at,
        received_at,
        extension_count,
    )


def apply_extensions(
    policy: Policy | str,
    result: DeadlineResult,
    extensions: Sequence[Extension],
    calendar: BusinessCalendar | None = None,
) -> DeadlineResult:
    """``result`` with ``extensions`` granted (each needs a justification).

    Raises :class:`PolicyError` when the policy allows fewer extensions than asked. The new
    ``extended_due`` is never earlier than ``due``.
    """
    if isinstance(policy, str):
        policy = get_policy(policy)
    for extension in extensions:
        if not isinstance(extension, Extension):
            raise PolicyError("each extension must be an Extension with a justification")
    total = result.extensions + len(extensions)
    if total > policy.max_extensions:
        raise PolicyError(
            f"policy {policy.name} allows at most {policy.max_extensions} extension(s)"
        )
    if not extensions:
        return result
    if calendar is None:
        calendar = default_calendar(policy.country)
    latest_due = result.extended_due if result.extended_due is not None else result.due
    if isinstance(latest_due, datetime):
        seconds = len(extensions) * policy.extension_amount * _unit_seconds(policy)
        extended_due: date | datetime = _advance(policy, calendar, latest_due, seconds)
    else:
        extended_day = _extend_day(policy, calendar, latest_due.toordinal(), len(extensions))
        extended_due = date.fromordinal(extended_day)
    return replace(result, extended_due=extended_due, extensions=total)
