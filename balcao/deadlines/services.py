"""Deadline actions for cases, calendars and the periodic sweep.

Adapts the pure engine (calendar.py, policies.py) to the database: calendars with
the agency's closures, admin-defined policies, each case's pauses and extensions.
A case's ``due_at`` is always recomputed from scratch from its receipt instant, its
policy, its pauses and its extensions, so the history can be replayed exactly.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from balcao.accounts.permissions import check_can
from balcao.cases import history
from balcao.cases.models import Case, State
from balcao.deadlines.calendar import BusinessCalendar, default_calendar
from balcao.deadlines.models import (
    Calendar,
    CalendarChange,
    CalendarDay,
    CustomPolicy,
    DeadlineAlert,
    DeadlineExtension,
    DeadlinePause,
)
from balcao.deadlines.policies import (
    BUILTIN_POLICIES,
    Kind,
    PauseMode,
    Policy,
    PolicyError,
    compute,
)

PAUSING_CATEGORIES = {State.Category.WAITING_REQUESTER}


class DeadlineError(Exception):
    """A refused deadline action; the message is for a person."""


# --- calendars --------------------------------------------------------------------

_calendar_cache: dict[tuple, BusinessCalendar] = {}


def build_calendar(model: Calendar, days=None) -> BusinessCalendar:
    """The pure BusinessCalendar for a Calendar row and its special days."""
    rows = list(model.days.all()) if days is None else list(days)
    return BusinessCalendar(
        country=model.country,
        subdivision=model.subdivision or None,
        time_zone=model.time_zone or None,
        closures=[d.date for d in rows if d.kind == CalendarDay.Kind.CLOSURE],
        optional_days=[d.date for d in rows if d.kind == CalendarDay.Kind.OPTIONAL],
        close_on_optional_days=model.close_on_optional_days,
        extra_working_days=[d.date for d in rows if d.kind == CalendarDay.Kind.EXTRA_WORKING],
        opening_hours=model.opening_hours or None,
    )


def calendar_from_model(model: Calendar) -> BusinessCalendar:
    """Cached per (row, last change): the tables inside are costly to rebuild."""
    key = (model.pk, model.updated_at)
    cached = _calendar_cache.get(key)
    if cached is None:
        if len(_calendar_cache) > 64:
            _calendar_cache.clear()
        cached = _calendar_cache[key] = build_calendar(model)
    return cached


def calendar_for_country(country: str) -> BusinessCalendar:
    """The agency's default calendar for ``country``, or the national one."""
    model = Calendar.objects.filter(country=country.upper(), is_default=True).first()
    return calendar_from_model(model) if model else default_calendar(country)


def _touch(calendar: Calendar) -> None:
    Calendar.objects.filter(pk=calendar.pk).update(updated_at=timezone.now())


@transaction.atomic
def do_set_calendar_day(calendar: Calendar, day: date, kind: str, description: str = "",
                        *, actor=None, source: str = "console") -> CalendarDay:
    if kind not in CalendarDay.Kind.values:
        raise DeadlineError(f"Tipo de dia desconhecido: {kind}.")
    entry, created = CalendarDay.objects.update_or_create(
        calendar=calendar, date=day, defaults={"kind": kind, "description": description[:200]})
    CalendarChange.objects.create(calendar=calendar, user=actor, action="set", date=day,
                                  detail=f"{kind}: {description} ({source})"[:300])
    _touch(calendar)
    return entry


@transaction.atomic
def do_remove_calendar_day(calendar: Calendar, day: date, *, actor=None) -> bool:
    deleted, _ = CalendarDay.objects.filter(calendar=calendar, date=day).delete()
    if deleted:
        CalendarChange.objects.create(calendar=calendar, user=actor, action="remove", date=day)
        _touch(calendar)
    return bool(deleted)


_KIND_WORDS = {
    "closure": CalendarDay.Kind.CLOSURE, "fechamento": CalendarDay.Kind.CLOSURE,
    "feriado": CalendarDay.Kind.CLOSURE, "optional": CalendarDay.Kind.OPTIONAL,
    "ponto facultativo": CalendarDay.Kind.OPTIONAL, "facultativo": CalendarDay.Kind.OPTIONAL,
    "extra_working": CalendarDay.Kind.EXTRA_WORKING, "dia util": CalendarDay.Kind.EXTRA_WORKING,
}


def parse_calendar_file(name: str, content: bytes) -> tuple[list[tuple[date, str, str]],
                                                            list[str]]:
    """Days from a CSV (``date,kind,description``) or an ICS file; returns (days, errors).

    A bad line is reported by number and skipped; the good ones are kept.
    """
    days: list[tuple[date, str, str]] = []
    errors: list[str] = []
    if name.lower().endswith(".ics"):
        import icalendar

        try:
            parsed = icalendar.Calendar.from_ical(content)
        except ValueError as exc:
            return [], [f"arquivo ICS inválido: {exc}"]
        for number, event in enumerate(parsed.walk("VEVENT"), start=1):
            start = event.get("DTSTART")
            if start is None:
                errors.append(f"evento {number}: sem DTSTART")
                continue
            value = start.dt
            first = value.date() if isinstance(value, datetime) else value
            end = event.get("DTEND")
            last = first
            if end is not None:
                end_value = end.dt.date() if isinstance(end.dt, datetime) else end.dt
                last = max(first, end_value - timedelta(days=1))
            summary = str(event.get("SUMMARY", ""))[:200]
            kind = CalendarDay.Kind.OPTIONAL if "facultativo" in summary.lower() else \
                CalendarDay.Kind.CLOSURE
            current = first
            while current <= last:
                days.append((current, kind, summary))
                current += timedelta(days=1)
        return days, errors
    text = content.decode("utf-8-sig", errors="replace")
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().lower() in {"date", "data"}:
            continue
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            errors.append(f"linha {number}: data inválida {row[0]!r} (use AAAA-MM-DD)")
            continue
        word = (row[1].strip().lower() if len(row) > 1 else "closure") or "closure"
        kind = _KIND_WORDS.get(word)
        if kind is None:
            errors.append(f"linha {number}: tipo desconhecido {word!r}")
            continue
        days.append((day, kind, row[2].strip() if len(row) > 2 else ""))
    return days, errors


def import_calendar_file(calendar: Calendar, path: Path, *, actor=None) -> tuple[int, list[str]]:
    days, errors = parse_calendar_file(path.name, path.read_bytes())
    with transaction.atomic():
        for day, kind, description in days:
            do_set_calendar_day(calendar, day, kind, description, actor=actor,
                                source=f"importação {path.name}")
    return len(days), errors


# --- policies ---------------------------------------------------------------------


def registry() -> dict[str, Policy]:
    """Built-in policies plus the admin's own."""
    table = dict(BUILTIN_POLICIES)
    for custom in CustomPolicy.objects.all():
        try:
            table[custom.name] = Policy.from_dict({**custom.definition, "name": custom.name})
        except (PolicyError, ValueError, TypeError):
            continue
    return table


def policy_named(name: str) -> Policy | None:
    if not name:
        return None
    if name in BUILTIN_POLICIES:
        return BUILTIN_POLICIES[name]
    return registry().get(name)


# --- case clocks ------------------------------------------------------------------


def _as_instant(value: date | datetime, cal: BusinessCalendar) -> datetime:
    """A day-based due date ends at 23:59:59 local time of the calendar."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(23, 59, 59), tzinfo=cal.tz)


def compute_case_due(case: Case, *, now: datetime | None = None) -> datetime | None:
    """The case's due instant from its policy, pauses and extensions (None: no policy)."""
    policy = policy_named(case.deadline_policy)
    if policy is None:
        return None
    cal = calendar_for_country(policy.country)
    pauses = [(p.started_at, p.ended_at) for p in case.deadline_pauses.all()
              if p.ended_at is not None]
    extensions = case.deadline_extensions.count()
    result = compute(policy, case.created_at, extensions or False, calendar=cal, pauses=pauses)
    effective = result.extended_due if result.extended_due is not None else result.due
    return _as_instant(effective, cal)


def initial_due(case: Case) -> datetime | None:
    due = compute_case_due(case)
    if due is not None:
        history.record(case, "due_set", field="due_at", new=timezone.localtime(due)
                       .strftime("%Y-%m-%d %H:%M"), reason=f"política {case.deadline_policy}")
    return due


def state_changed(case: Case, old: State, new: State) -> None:
    """Pause the clock on entering a waiting-on-requester state; on leaving, close the
    pause and recompute (the policy decides pause vs restart vs nothing)."""
    policy = policy_named(case.deadline_policy)
    if policy is None or policy.pause_mode is PauseMode.NONE:
        return
    now = timezone.now()
    entering = new.category in PAUSING_CATEGORIES and old.category not in PAUSING_CATEGORIES
    leaving = old.category in PAUSING_CATEGORIES and new.category not in PAUSING_CATEGORIES
    if entering:
        DeadlinePause.objects.create(case=case, started_at=now, reason=new.name)
        Case.objects.filter(pk=case.pk).update(deadline_paused_at=now)
        history.record(case, "deadline_paused", reason=f"{new.name} ({policy.pause_mode})")
    elif leaving:
        DeadlinePause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
        old_due = case.due_at
        due = compute_case_due(case)
        Case.objects.filter(pk=case.pk).update(deadline_paused_at=None, due_at=due)
        case.due_at, case.deadline_paused_at = due, None
        history.record(case, "deadline_resumed", field="due_at",
                       old=_fmt(old_due), new=_fmt(due), reason=str(policy.pause_mode))


def _fmt(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@transaction.atomic
def do_extend_deadline(case: Case, *, actor, justification: str) -> Case:
    """Grant one extension (prorrogação) with its justification (LAI art. 11 §2)."""
    check_can(actor, "cases.extend_deadline")
    justification = (justification or "").strip()
    if not justification:
        raise DeadlineError("A prorrogação exige uma justificativa.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy = policy_named(case.deadline_policy)
    if policy is None or not policy.max_extensions:
        raise DeadlineError("A política de prazo deste atendimento não admite prorrogação.")
    granted = case.deadline_extensions.count()
    if granted >= policy.max_extensions:
        raise DeadlineError(
            f"O prazo já foi prorrogado {granted} vez(es); a política admite "
            f"{policy.max_extensions}.")
    DeadlineExtension.objects.create(case=case, user=actor, justification=justification)
    old = case.due_at
    case.due_at = compute_case_due(case)
    case.save(update_fields=["due_at", "updated_at"])
    history.record(case, "deadline_extended", actor=actor, field="due_at", old=_fmt(old),
                   new=_fmt(case.due_at), reason=justification)
    return case


# --- the sweep --------------------------------------------------------------------


def warning_horizon(now: datetime) -> datetime:
    """End of the Nth working day from today (BALCAO_DEADLINE_WARNING_DAYS, default 3)."""
    cal = calendar_for_country(settings.BALCAO_COUNTRY)
    today = now.astimezone(cal.tz).date()
    last = cal.add_working_days(today, settings.BALCAO_DEADLINE_WARNING_DAYS)
    return datetime.combine(last, time(23, 59, 59), tzinfo=cal.tz)


def _recipients(case: Case) -> list[str]:
    from balcao.accounts.models import User

    people = set()
    if case.assignee_id and case.assignee.email:
        people.add(case.assignee.email)
    supervisors = User.objects.filter(is_active=True, groups__name="supervisor")
    if case.team_id:
        supervisors = supervisors.filter(teams=case.team_id)
    people.update(email for email in supervisors.values_list("email", flat=True) if email)
    return sorted(people)


def sweep_deadlines(now: datetime | None = None) -> dict[str, int]:
    """Flag open cases whose deadline is near or past; notify once per threshold.

    Paused clocks and minute-based policies (chat idle) are left out. Notifications
    are e-mailed after the commit, so a rolled-back sweep tells nobody.
    """
    now = now or timezone.now()
    horizon = warning_horizon(now)
    counts = {"soon": 0, "overdue": 0}
    minute_policies = [name for name, p in registry().items() if p.kind is Kind.MINUTES]
    open_cases = (
        Case.objects.filter(closed_at__isnull=True, deadline_paused_at__isnull=True,
                            due_at__isnull=False, due_at__lte=horizon)
        .exclude(state__category__in=[State.Category.RESOLVED, State.Category.CLOSED])
        .exclude(deadline_policy__in=minute_policies)
        .select_related("assignee", "team")
    )
    for case in open_cases.iterator():
        threshold = DeadlineAlert.Threshold.OVERDUE if case.due_at < now else \
            DeadlineAlert.Threshold.SOON
        with transaction.atomic():
            alert, created = DeadlineAlert.objects.get_or_create(
                case=case, threshold=threshold, due_at=case.due_at)
            if not created:
                continue
            recipients = _recipients(case)
            alert.recipients = ", ".join(recipients)
            alert.save(update_fields=["recipients"])
            counts[threshold] += 1
            if recipients:
                subject = (f"[Balcão] Prazo vencido: {case.protocol}" if threshold == "overdue"
                           else f"[Balcão] Prazo próximo: {case.protocol}")
                body = (f"Atendimento {case.protocol} — {case.subject}\n"
                        f"Prazo: {_fmt(case.due_at)}\n")
                transaction.on_commit(lambda s=subject, b=body, r=recipients: send_mail(
                    s, b, None, r, fail_silently=True))
    return counts

