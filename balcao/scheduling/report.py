"""The Django side of the scheduling services' report (issue 25, "counts feed the reports"):
the records of a period loaded from the models, in a fixed number of queries, and handed to
the pure arithmetic of :mod:`balcao.scheduling.indicators` (its docstring says what each
figure counts)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from balcao.cases.models import Message
from balcao.scheduling import indicators
from balcao.scheduling.models import DirectContact, OfferedSlot, OpenSession, SessionRequest


@dataclass(frozen=True)
class Report:
    """The figures of the local dates ``start``–``end`` (both inclusive)."""

    start: date
    end: date
    figures: indicators.Figures


def current_month(today: date | None = None) -> tuple[date, date]:
    """The default period: the first to the last day of this month (local dates)."""
    today = today or timezone.localdate()
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


def window_of(start: date, end: date) -> indicators.Window:
    """The instants of the local dates ``start``–``end``: from the first midnight to the
    midnight after the last day, in the agency's time zone."""
    zone = timezone.get_current_timezone()
    return indicators.Window(
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _sessions(window: indicators.Window) -> list[indicators.Session]:
    sessions = OpenSession.objects.filter(
        published=True, starts_at__gte=window.start, starts_at__lt=window.end
    ).prefetch_related("registrations")
    return [
        indicators.Session(
            starts_at=session.starts_at,
            capacity=session.capacity,
            registrations=tuple(
                indicators.SignUp(r.status, r.attended, r.questions)
                for r in session.registrations.all()
            ),
        )
        for session in sessions
    ]


def _requests(window: indicators.Window) -> list[indicators.Request]:
    received = Q(case__created_at__gte=window.start, case__created_at__lt=window.end)
    started = Q(starts_at__gte=window.start, starts_at__lt=window.end)
    requests = (
        SessionRequest.objects.filter(received | started)
        .annotate(was_offered=Exists(OfferedSlot.objects.filter(request=OuterRef("pk"))))
        .values(
            "status", "case__created_at", "case__due_at", "decided_at", "was_offered", "starts_at"
        )
    )
    return [
        indicators.Request(
            status=r["status"],
            received_at=r["case__created_at"],
            due_at=r["case__due_at"],
            decided_at=r["decided_at"],
            offered=r["was_offered"],
            starts_at=r["starts_at"],
        )
        for r in requests
    ]


def _contacts(window: indicators.Window) -> list[indicators.Contact]:
    first_answer = Message.objects.filter(
        case=OuterRef("case"),
        author_kind=Message.Author.REQUESTER,
        internal=False,
        created_at__gte=OuterRef("sent_at"),
    ).order_by("created_at", "pk")
    contacts = (
        DirectContact.objects.filter(sent_at__gte=window.start, sent_at__lt=window.end)
        .annotate(answered_at=Subquery(first_answer.values("created_at")[:1]))
        .values("status", "sent_at", "case__due_at", "answered_at", "hypothesis__unit__team__name")
    )
    return [
        indicators.Contact(
            status=c["status"],
            sent_at=c["sent_at"],
            due_at=c["case__due_at"],
            answered_at=c["answered_at"],
            unit=c["hypothesis__unit__team__name"] or "",
        )
        for c in contacts
    ]


def build_report(start: date, end: date) -> Report:
    """The report of the local dates ``start``–``end``: four queries (sessions and their
    registrations, requests, direct contacts)."""
    window = window_of(start, end)
    figures = indicators.compute(
        window,
        sessions=_sessions(window),
        requests=_requests(window),
        contacts=_contacts(window),
    )
    return Report(start=start, end=end, figures=figures)
