"""The deadline engine's database side: agency calendars (closures, imports, audit) and
the admin's own policies.

Adapts the pure engine (calendar.py, policies.py) to the database. Applying a policy to a
case (due date, pauses, extensions, the sweep) is the case core's ``cases.clock``; this
module imports nothing of the case core.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao import workscope
from balcao.deadlines.calendar import BusinessCalendar, default_calendar
from balcao.deadlines.models import Calendar, CalendarChange, CalendarDay, CustomPolicy
from balcao.deadlines.policies import BUILTIN_POLICIES, Policy, PolicyError
from balcao.errors import Refused


class DeadlineError(Refused):
    """A refused calendar action; the message is for a person."""


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
    """The agency's default calendar for ``country``, or the national one (read once per
    batch of work: balcao.workscope)."""
    return workscope.remember(("deadlines.calendar", country.upper()), lambda: _calendar(country))


def _calendar(country: str) -> BusinessCalendar:
    model = Calendar.objects.filter(country=country.upper(), is_default=True).first()
    return calendar_from_model(model) if model else default_calendar(country)


def _touch(calendar: Calendar) -> None:
    Calendar.objects.filter(pk=calendar.pk).update(updated_at=timezone.now())


@transaction.atomic
def do_set_calendar_day(
    calendar: Calendar,
    day: date,
    kind: str,
    description: str = "",
    *,
    actor=None,
    source: str = "console",
) -> CalendarDay:
    if kind not in CalendarDay.Kind.values:
        raise DeadlineError(_("Tipo de dia desconhecido: %(kind)s.") % {"kind": kind})
    entry, created = CalendarDay.objects.update_or_create(
        calendar=calendar, date=day, defaults={"kind": kind, "description": description[:200]}
    )
    CalendarChange.objects.create(
        calendar=calendar,
        user=actor,
        action="set",
        date=day,
        detail=f"{kind}: {description} ({source})"[:300],
    )
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
    "closure": CalendarDay.Kind.CLOSURE,
    "fechamento": CalendarDay.Kind.CLOSURE,
    "feriado": CalendarDay.Kind.CLOSURE,
    "optional": CalendarDay.Kind.OPTIONAL,
    "ponto facultativo": CalendarDay.Kind.OPTIONAL,
    "facultativo": CalendarDay.Kind.OPTIONAL,
    "extra_working": CalendarDay.Kind.EXTRA_WORKING,
    "dia util": CalendarDay.Kind.EXTRA_WORKING,
}


def parse_calendar_file(name: str, content: bytes) -> tuple[list[tuple[date, str, str]], list[str]]:
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
            kind = (
                CalendarDay.Kind.OPTIONAL
                if "facultativo" in summary.lower()
                else CalendarDay.Kind.CLOSURE
            )
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
            do_set_calendar_day(
                calendar, day, kind, description, actor=actor, source=f"importação {path.name}"
            )
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
