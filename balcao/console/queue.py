"""How the work queue shows a case's deadline: a colour class and words a person reads.

Issue 19: "deadlines have no colour or 'vence em 2 dias / vencido há 3 dias'". The colour
is never the only signal (WCAG 1.4.1): the words say the same thing. Days are calendar
days in the agency's time zone, and on the due day hours and minutes (the 48-hour e-mail
clock, issue 22: "the console shows time left"); whether a due date is "soon" is the clock's warning
horizon (BALCAO_DEADLINE_WARNING_DAYS working days, as the deadline reminders use).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

OVERDUE, SOON, ON_TIME, PAUSED, NONE, CLOSED = (
    "overdue",
    "soon",
    "on-time",
    "paused",
    "none",
    "closed",
)


@dataclass(frozen=True)
class DeadlineLabel:
    status: str  # one of the constants above (a CSS modifier: deadline--<status>)
    text: str


def deadline_label(
    due_at: datetime | None,
    *,
    closed: bool,
    paused: bool,
    now: datetime,
    today: date,
    due_day: date | None,
    horizon: datetime,
) -> DeadlineLabel:
    """The label for one case. ``today`` and ``due_day`` are local dates (the caller
    converts once per page), ``horizon`` the end of the warning window."""
    if closed:
        return DeadlineLabel(CLOSED, _("encerrado"))
    if paused:
        return DeadlineLabel(PAUSED, _("prazo suspenso"))
    if due_at is None or due_day is None:
        return DeadlineLabel(NONE, _("sem prazo"))
    days = (due_day - today).days
    if due_at < now:
        if days >= 0:
            return DeadlineLabel(
                OVERDUE, _("vencido hoje, há %(left)s") % {"left": _hours(now - due_at)}
            )
        return DeadlineLabel(
            OVERDUE, ngettext("vencido há %(n)d dia", "vencido há %(n)d dias", -days) % {"n": -days}
        )
    status = SOON if due_at <= horizon else ON_TIME
    if days == 0:
        return DeadlineLabel(status, _("vence hoje, em %(left)s") % {"left": _hours(due_at - now)})
    if days == 1:
        return DeadlineLabel(status, _("vence amanhã"))
    return DeadlineLabel(
        status, ngettext("vence em %(n)d dia", "vence em %(n)d dias", days) % {"n": days}
    )


def deadline_labeller(*, now: datetime, today: date, horizon: datetime):
    """``deadline_label`` for the many rows of one page: the same arguments but the three
    shared ones, and each label worded once per page — a list's fifty cases fall on a few
    dozen days, and each wording went through the translation catalogue (a twentieth of
    the work queue's CPU, tests/bench/bench_cases.py). Labels that count hours are
    worded for each case."""
    worded: dict[tuple, DeadlineLabel] = {}

    def label(due_at, *, closed: bool, paused: bool, due_day: date | None) -> DeadlineLabel:
        key: tuple | None = (closed, paused)
        if not (closed or paused or due_at is None or due_day is None):
            days = (due_day - today).days
            # on the due day the words count hours and minutes: this case's own
            key = (days, due_at < now, due_at <= horizon) if days else None
        found = worded.get(key) if key else None
        if found is None:
            found = deadline_label(
                due_at,
                closed=closed,
                paused=paused,
                now=now,
                today=today,
                due_day=due_day,
                horizon=horizon,
            )
            if key:
                worded[key] = found
        return found

    return label


def _hours(span: timedelta) -> str:
    """``3 h 05 min`` (or ``12 min``) for a span shorter than a day."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}
