"""The contact centre's monthly activity report and final report (seed ``003_…txt``,
cláusula 11.ª n.ºs 2–4 and Parte II items 13.2, 13.2.1 and 13.3; issue 23), and the monthly
report e-mailed to the supervisors and managers.

Both reports keep the 13.1 indicators of ``services.contact_centre_report`` for the whole
period (13.2 a / 13.3 a: "agregando os indicadores mencionados nas alíneas a) a ii)" and,
once the agency reads e-mail, a')–e')) and add:

- ``weeks``: each Monday–Sunday week overlapping the period, clipped to it, with its own
  a, e, l, s, t, u (the weekly reports the month sums up: so the weeks' a, e and l add up
  to the period's);
- ``service_levels`` (13.2 c / 13.3 c): each week's u against the tender's target (75 % of
  the calls answered within 30 s), the period's u (its calls pooled: the monthly or final
  average) and the plain mean of the weeks' values; with e-mail, the share of the messages
  answered within the 48-hour clock (item 12.2 ii), per week and for the period;
- ``resources`` (13.2 b / 13.3 b): per agent the login and ready time, the calls answered
  and their mean talk, hold and wrap-up times; the callbacks' share of the calls;
- ``occurrences`` (13.2 d / 13.3 d): failures, unavailability and other events that
  overlap the period;
- ``surveys`` (13.2 e / 13.3 f; cláusula 11.ª n.º 3 e): the ratings of the phone and e-mail
  cases given in the period: how many, mean score, distribution and "resolved?" shares;
- ``suggestions`` (cláusula 11.ª n.º 2, monthly; 13.3 g): those recorded in the period;
- the monthly one: ``sample`` (13.2.1: 1 % of the month's calls, at most 20: the recordings
  ``balcao.telephony.recordings.sample_month`` marked for that month);
- the final one: ``agents`` (13.3 e: the individual evaluation of each agent, its criteria
  named in ``criteria``).

Everything is JSON-able (dates and instants as ISO text in the agency's time zone).
``render`` writes a report as JSON, HTML (template ``telephony/periodic_report.html``) or
PDF (WeasyPrint, fetching nothing, as ``balcao.telephony.reports`` does).
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from balcao.telephony import indicators, reports, services
from balcao.telephony.indicators import Interval, Period
from balcao.telephony.services import contact_centre_report

MONTHLY, FINAL = "monthly", "final"
KINDS = (MONTHLY, FINAL)
FORMATS = ("json", "html", "pdf")
#: Seed 003: at least 75 % of the calls answered within 30 seconds.
TARGET_LEVEL = 0.75
TARGET_SECONDS = 30
#: Seed 003, item 12.2 ii): e-mail answered within 48 hours (working days).
EMAIL_TARGET_HOURS = 48
#: The indicators each week shows (13.2 a: the weekly reports summed up).
WEEK_KEYS = ("a", "e", "l", "s", "t", "u")
#: Per agent in ``resources`` (13.2 b / 13.3 b).
RESOURCE_KEYS = ("agent", "login", "ready", "answered", "talk_mean", "hold_mean", "wrapup_mean")
SCORES = ("1", "2", "3", "4", "5")
RESOLVED = ("yes", "partly", "no")


class PeriodError(ValueError):
    """A period no report can be made for (the reason in pt-BR)."""


# --- pure helpers ------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a calendar month."""
    if not 1 <= month <= 12:
        raise PeriodError(_("mês inválido: %(month)s") % {"month": month})
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def parse_month(text: str) -> tuple[int, int]:
    """``"YYYY-MM"`` as (year, month), or PeriodError."""
    try:
        year, month = (int(part) for part in text.split("-"))
        month_bounds(year, month)
    except (ValueError, TypeError) as exc:
        raise PeriodError(_("mês inválido: %(text)s (use AAAA-MM)") % {"text": text}) from exc
    return year, month


def last_month(today: date) -> tuple[int, int]:
    """The (year, month) before the one ``today`` falls in."""
    first = today.replace(day=1) - timedelta(days=1)
    return first.year, first.month


def weeks_in(start: date, end: date) -> list[tuple[date, date]]:
    """The Monday–Sunday weeks overlapping ``start``…``end``, each clipped to it (the first
    and last may be shorter than seven days)."""
    weeks = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        weeks.append((max(monday, start), min(monday + timedelta(days=6), end)))
        monday += timedelta(days=7)
    return weeks


def email_week(per_day: dict, start: str, end: str) -> dict:
    """13.1 a') summed over one week: the messages received and answered on its days
    (``per_day`` as ``services.email_indicators`` gives it, ISO days as keys)."""
    days = [counts for day, counts in per_day.items() if start <= day <= end]
    return {
        "received": sum(counts["received"] for counts in days),
        "answered": sum(counts["answered"] for counts in days),
    }


def _mean(values: Iterable[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def survey_summary(ratings: Iterable[tuple[int, str]]) -> dict:
    """How many ratings, their mean score (1–5), how many of each score and the shares of
    "resolved?" answers (yes / partly / no)."""
    ratings = list(ratings)
    scores = Counter(str(score) for score, _resolved in ratings)
    resolved = Counter(answer for _score, answer in ratings)
    count = len(ratings)
    return {
        "count": count,
        "mean": _ratio(sum(score for score, _resolved in ratings), count),
        "distribution": {score: scores.get(score, 0) for score in SCORES},
        "resolved": {answer: _ratio(resolved.get(answer, 0), count) for answer in RESOLVED},
    }


def agent_rows(calls: list, intervals: list[Interval], period: Period) -> list[dict]:
    """Per agent (as the PBX names them: sessions and calls may name one person two ways,
    ``Agent/104`` and ``PJSIP/104``): login and ready seconds inside the period (13.1 ee, ff
    per agent), calls answered, their mean wait, talk, hold and wrap-up, and the share
    answered within ``TARGET_SECONDS``."""
    lo, hi = int(period.starts_at.timestamp()), int(period.ends_at.timestamp())
    by_agent: dict[str, list] = defaultdict(list)
    for call in calls:
        if call.answered_wait is not None and call.entered is not None and lo <= call.entered < hi:
            by_agent[call.agent or ""].append(call)
    spans: dict[str, list[Interval]] = defaultdict(list)
    for interval in intervals:
        spans[interval.agent].append(interval)
    rows = []
    for agent in sorted(set(by_agent) | set(spans)):
        answered = by_agent.get(agent, [])
        login, ready = indicators.agent_time(spans.get(agent, []), period)
        talks = [c.talk for c in answered if c.talk is not None]
        n = len(answered)
        rows.append(
            {
                "agent": agent,
                "login": login,
                "ready": ready,
                "answered": n,
                "wait_mean": _ratio(sum(c.answered_wait for c in answered), n),
                "talk_mean": _ratio(sum(talks), len(talks)),
                "hold_mean": _ratio(sum(c.hold for c in answered), n),
                "wrapup_mean": _ratio(sum(c.wrapup for c in answered), n),
                "handling_total": sum(talks) + sum(c.hold + c.wrapup for c in answered),
                "within_target": _ratio(
                    sum(1 for c in answered if c.answered_wait < TARGET_SECONDS), n
                ),
            }
        )
    return rows


# --- the reports -------------------------------------------------------------------------


def monthly_report(year: int, month: int, *, time_zone: str | None = None) -> dict:
    """Seed 003 item 13.2 (and cláusula 11.ª n.ºs 2 and 3) for a calendar month, with the
    13.2.1 sample of its recordings."""
    start, end = month_bounds(year, month)
    data, _calls, _agents = _report(MONTHLY, start, end, time_zone)
    data["sample"] = _sample(year, month, data["indicators"]["a"]["value"], data["period"])
    return data


def final_report(start: date, end: date, *, time_zone: str | None = None) -> dict:
    """Seed 003 item 13.3 for the contract's whole term ``start``…``end`` (local dates),
    with the individual evaluation of the agents (13.3 e) and the suggestions (13.3 g)."""
    if end < start:
        raise PeriodError(_("A data final deve ser igual ou posterior à inicial."))
    data, calls, agents = _report(FINAL, start, end, time_zone)
    data["agents"] = _evaluation(data, calls, agents)
    return data


def _report(kind: str, start: date, end: date, time_zone: str | None):
    """The parts both reports share, with the period's calls and per-agent rows (the final
    report's evaluation reads them again)."""
    from balcao.telephony.models import AgentInterval, Call

    tz = ZoneInfo(time_zone or settings.TIME_ZONE)
    base = contact_centre_report(start, end, time_zone=str(tz))
    period = Period(start, end, tz)
    lo, hi = int(period.starts_at.timestamp()), int(period.ends_at.timestamp())
    calls = list(
        Call.objects.filter(entered__gte=lo, entered__lt=hi).values_list(
            "entered", "answered_wait", "abandoned_wait", "talk", "hold", "wrapup",
            "topic", "callback", "agent", "case_id", named=True,
        )
    )  # fmt: skip
    intervals = [
        Interval(*row)
        for row in AgentInterval.objects.filter(start__lt=hi)
        .filter(Q(end__isnull=True) | Q(end__gt=lo))
        .values_list("kind", "agent", "key", "start", "end")
    ]
    items = base["indicators"]
    calls.sort(key=lambda call: call.entered)
    entered = [call.entered for call in calls]
    weeks = []
    for week_start, week_end in weeks_in(start, end):
        week = Period(week_start, week_end, tz)
        first = bisect_left(entered, int(week.starts_at.timestamp()))
        last = bisect_left(entered, int(week.ends_at.timestamp()))
        figures = indicators.summarise(calls[first:last], [], week)
        weeks.append(
            {
                "from": week_start.isoformat(),
                "to": week_end.isoformat(),
                "values": {key: figures[key]["value"] for key in WEEK_KEYS},
            }
        )
    if "a'" in items:
        for week in weeks:
            week["email"] = email_week(items["a'"]["value"], week["from"], week["to"])
    agents = agent_rows(calls, intervals, period)
    data = {
        "report": f"contact-center-{kind}",
        "kind": kind,
        "period": base["period"],
        "generated_at": base["generated_at"],
        "indicators": items,
        "callbacks": base["callbacks"],
        "weeks": weeks,
        "service_levels": _service_levels(weeks, items, start, end),
        "resources": {
            "received": items["a"]["value"],
            "answered": items["e"]["value"],
            "operation_hours": items["z"]["value"],
            "login": items["ee"]["value"],
            "ready": items["ff"]["value"],
            "callbacks": base["callbacks"],
            "agents": [{key: row[key] for key in RESOURCE_KEYS} for row in agents],
        },
        "occurrences": _occurrences(period),
        "surveys": _surveys(period),
        "suggestions": _suggestions(period),
    }
    return data, calls, agents


def _service_levels(weeks: list[dict], items: dict, start: date, end: date) -> dict:
    """13.2 c / 13.3 c: u per week and for the period, against the target; with e-mail, the
    48-hour clock's on-time share per week and for the period (``balcao.mail.reports``)."""
    level = items["u"]["value"]
    result = {
        "target": TARGET_LEVEL,
        "target_seconds": TARGET_SECONDS,
        "weeks": [
            {
                "from": week["from"],
                "to": week["to"],
                "value": week["values"]["u"],
                "met": None if week["values"]["u"] is None else week["values"]["u"] >= TARGET_LEVEL,
            }
            for week in weeks
        ],
        "average": level,
        "mean_of_weeks": _mean(week["values"]["u"] for week in weeks),
        "met": None if level is None else level >= TARGET_LEVEL,
        "email": None,
    }
    email = services.email_figures()
    if "a'" in items and email is not None:
        email_weeks = []
        for week in weeks:
            clock = email.deadline(date.fromisoformat(week["from"]), date.fromisoformat(week["to"]))
            email_weeks.append({"from": week["from"], "to": week["to"], **_clock(clock)})
        whole = _clock(email.deadline(start, end))
        result["email"] = {
            "target_hours": EMAIL_TARGET_HOURS,
            "weeks": email_weeks,
            **whole,
            "mean_of_weeks": _mean(week["value"] for week in email_weeks),
        }
    return result


def _clock(deadline: dict) -> dict:
    return {
        "value": deadline["on_time_ratio"],
        "answered_on_time": deadline["answered_on_time"],
        "answered_late": deadline["answered_late"],
        "open_overdue": deadline["open_overdue"],
        "open_on_time": deadline["open_on_time"],
    }


def _local(moment: datetime | None, tz) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment, tz).isoformat(timespec="minutes")


def _occurrences(period: Period) -> list[dict]:
    """13.2 d / 13.3 d: the occurrences that overlap the period (started before its end,
    not ended before its start), oldest first."""
    from balcao.telephony.models import Occurrence

    rows = Occurrence.objects.filter(started_at__lt=period.ends_at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=period.starts_at)
    )
    return [
        {
            "kind": row.kind,
            "kind_label": str(row.get_kind_display()),
            "scope": row.scope,
            "scope_label": str(row.get_scope_display()),
            "started_at": _local(row.started_at, period.tz),
            "ended_at": _local(row.ended_at, period.tz),
            "duration": None
            if row.ended_at is None
            else int((row.ended_at - row.started_at).total_seconds()),
            "description": row.description,
            "automatic": row.automatic,
        }
        for row in rows.order_by("started_at", "pk")
    ]


def _suggestions(period: Period) -> list[dict]:
    """Cláusula 11.ª n.º 2 (monthly) and 13.3 g: the suggestions recorded in the period."""
    from balcao.telephony.models import Suggestion

    rows = Suggestion.objects.filter(
        created_at__gte=period.starts_at, created_at__lt=period.ends_at
    ).order_by("created_at", "pk")
    return [
        {
            "source": row.source,
            "source_label": str(row.get_source_display()),
            "text": row.text,
            "created_at": _local(row.created_at, period.tz),
        }
        for row in rows
    ]


def _surveys(period: Period) -> dict:
    """13.2 e / 13.3 f (cláusula 11.ª n.º 3 e: surveys at the end of each call and e-mail):
    the ratings given in the period of phone cases (a phone channel, or opened from a call)
    and of e-mail cases (an e-mail channel, or a mailbox's channel)."""
    from balcao.cases.models import CaseRating

    rated = CaseRating.objects.filter(
        created_at__gte=period.starts_at, created_at__lt=period.ends_at
    )
    phone = (
        Q(case__channel__kind="phone")
        | Q(case__phone_calls__isnull=False)
        | Q(case__calls__isnull=False)
    )
    email = Q(case__channel__kind="email")
    figures = services.email_figures()
    if figures is not None:
        email |= Q(case__channel_id__in=figures.channel_ids())
    by_channel = {}
    seen: dict[int, tuple[int, str]] = {}
    for name, condition in (("phone", phone), ("email", email)):
        rows = {
            pk: (score, resolved)
            for pk, score, resolved in rated.filter(condition)
            .distinct()
            .values_list("pk", "score", "resolved")
        }
        seen.update(rows)
        by_channel[name] = survey_summary(rows.values())
    by_channel["all"] = survey_summary(seen.values())
    return by_channel


def _sample(year: int, month: int, received: int, period_info: dict) -> dict:
    """13.2.1: the recordings marked for the month's verification."""
    from balcao.telephony.models import Recording
    from balcao.telephony.recordings import sample_size

    tz = ZoneInfo(period_info["time_zone"])
    label = f"{year:04d}-{month:02d}"
    rows = Recording.objects.filter(sampled_for=label).select_related("call").order_by("pk")
    return {
        "month": label,
        "received": received,
        "wanted": sample_size(received),
        "recordings": [
            {
                "id": row.pk,
                "callid": row.callid,
                "entered_at": None
                if row.call is None or row.call.entered_at is None
                else _local(row.call.entered_at, tz),
                "agent": row.call.agent if row.call else "",
                "duration": row.duration,
                "filename": row.filename,
                "available": row.purged_at is None and bool(row.file),
            }
            for row in rows
        ],
    }


#: 13.3 e: the criteria each agent is evaluated on.
CRITERIA = (
    ("answered", gettext_lazy("Chamadas atendidas")),
    ("share", gettext_lazy("Parte das chamadas atendidas da central")),
    ("within_target", gettext_lazy("Atendidas em menos de 30 s")),
    ("wait_mean", gettext_lazy("Tempo médio de espera até atender")),
    ("talk_mean", gettext_lazy("Tempo médio de conversação")),
    ("hold_mean", gettext_lazy("Tempo médio de hold")),
    ("wrapup_mean", gettext_lazy("Tempo médio de wrap-up")),
    ("login", gettext_lazy("Tempo de login")),
    ("ready", gettext_lazy("Tempo de ready")),
    ("occupancy", gettext_lazy("Ocupação (atendimento / ready)")),
    ("rating", gettext_lazy("Avaliação média dos atendimentos abertos das suas chamadas")),
)


def _evaluation(data: dict, calls: list, agents: list[dict]) -> dict:
    """13.3 e: each agent's figures on ``CRITERIA``; ratings are those of the cases opened
    from the calls they answered."""
    from balcao.cases.models import CaseRating

    case_agent = {c.case_id: c.agent for c in calls if c.case_id and c.answered_wait is not None}
    ratings: dict[str, list[int]] = defaultdict(list)
    for case_id, score in CaseRating.objects.filter(case_id__in=list(case_agent)).values_list(
        "case_id", "score"
    ):
        ratings[case_agent[case_id]].append(score)
    answered = data["indicators"]["e"]["value"]
    rows = []
    for row in agents:
        scores = ratings.get(row["agent"], [])
        rows.append(
            {
                **row,
                "share": _ratio(row["answered"], answered),
                "occupancy": _ratio(row["handling_total"], row["ready"]),
                "rating": _ratio(sum(scores), len(scores)),
                "ratings": len(scores),
            }
        )
    return {
        "criteria": [{"key": key, "label": str(label)} for key, label in CRITERIA],
        "rows": rows,
    }


# --- rendering ---------------------------------------------------------------------------


def _seconds(value) -> str:
    return reports.display("y", value)


def _share(value) -> str:
    return reports.display("u", value)


def _hours(value) -> str:
    """Long times (login, ready, an occurrence) as hours:minutes:seconds."""
    return "—" if value is None else reports._duration(value)


def _display(letter: str, value):
    """An indicator as ``reports.display`` shows it, but the per-day maps summed up for a
    month or a contract: hh) as how many days peaked at each hour, a') as the period's
    totals (the weeks' table has them per week)."""
    if letter == "hh" and value:
        days = Counter(value.values())
        return [
            (_("%(hour)s h") % {"hour": hour}, _("%(days)s dia(s)") % {"days": count})
            for hour, count in sorted(days.items(), key=lambda item: (-item[1], item[0]))
        ]
    if letter == "a'" and value is not None:
        totals = email_week(value, "", "9999")
        return [
            (_("Total do período"), _("%(received)s recebidas, %(answered)s respondidas") % totals)
        ]
    return reports.display(letter, value)


def _mean_text(value) -> str:
    return "—" if value is None else reports._number(value, 2)


def context(data: dict, *, embedded: bool = False) -> dict:
    """What ``telephony/periodic_report.html`` shows: every value as a person reads it."""
    rows = [
        {"letter": letter, "label": item["label"], "value": _display(letter, item["value"])}
        for letter, item in data["indicators"].items()
    ]
    for row in rows:
        row["is_map"] = isinstance(row["value"], list)
    levels = data["service_levels"]
    weeks = [
        {
            "from": week["from"],
            "to": week["to"],
            "values": [reports.display(key, week["values"][key]) for key in WEEK_KEYS],
            "level": _share(week["values"]["u"]),
            "email": week.get("email"),
        }
        for week in data["weeks"]
    ]
    resources = data["resources"]
    agents = [
        {
            "agent": row["agent"] or _("(sem operador)"),
            "login": _hours(row["login"]),
            "ready": _hours(row["ready"]),
            "answered": row["answered"],
            "talk_mean": _seconds(row["talk_mean"]),
            "hold_mean": _seconds(row["hold_mean"]),
            "wrapup_mean": _seconds(row["wrapup_mean"]),
        }
        for row in resources["agents"]
    ]
    surveys = [
        {
            "title": title,
            "count": data["surveys"][key]["count"],
            "mean": _mean_text(data["surveys"][key]["mean"]),
            "distribution": list(data["surveys"][key]["distribution"].items()),
            "resolved": [
                (label, _share(data["surveys"][key]["resolved"][answer]))
                for answer, label in (
                    ("yes", _("Sim")),
                    ("partly", _("Em parte")),
                    ("no", _("Não")),
                )
            ],
        }
        for key, title in (
            ("phone", _("Telefone")),
            ("email", _("Correio eletrônico")),
            ("all", _("Total")),
        )
    ]
    email = levels["email"]
    result = {
        "report": data,
        "embedded": embedded,
        "final": data["kind"] == FINAL,
        "period": data["period"],
        "rows": rows,
        "week_keys": WEEK_KEYS,
        "weeks": weeks,
        "levels": {
            "target": _share(levels["target"]),
            "target_seconds": levels["target_seconds"],
            "weeks": [
                {
                    **week,
                    "text": _share(week["value"]),
                    "email_text": None if email is None else _share(email["weeks"][n]["value"]),
                }
                for n, week in enumerate(levels["weeks"])
            ],
            "average": _share(levels["average"]),
            "mean_of_weeks": _share(levels["mean_of_weeks"]),
            "met": levels["met"],
            "email": None
            if email is None
            else {
                "target_hours": email["target_hours"],
                "average": _share(email["value"]),
                "mean_of_weeks": _share(email["mean_of_weeks"]),
                "late": email["answered_late"] + email["open_overdue"],
            },
        },
        "resources": {
            "received": resources["received"],
            "answered": resources["answered"],
            "hours": reports.display("z", resources["operation_hours"]),
            "login": _hours(resources["login"]),
            "ready": _hours(resources["ready"]),
            "callbacks": resources["callbacks"]["requested"],
            "callback_share": _share(resources["callbacks"]["share"]),
            "agents": agents,
        },
        "occurrences": [
            {
                **row,
                "duration_text": _hours(row["duration"]),
            }
            for row in data["occurrences"]
        ],
        "surveys": surveys,
        "suggestions": data["suggestions"],
    }
    if "sample" in data:
        result["sample"] = {
            **data["sample"],
            "recordings": [
                {**row, "duration_text": _seconds(row["duration"])}
                for row in data["sample"]["recordings"]
            ],
        }
    if "agents" in data:
        result["evaluation"] = {
            "criteria": [item["label"] for item in data["agents"]["criteria"]],
            "rows": [
                {
                    "agent": row["agent"] or _("(sem operador)"),
                    "cells": [
                        str(row["answered"]),
                        _share(row["share"]),
                        _share(row["within_target"]),
                        _seconds(row["wait_mean"]),
                        _seconds(row["talk_mean"]),
                        _seconds(row["hold_mean"]),
                        _seconds(row["wrapup_mean"]),
                        _hours(row["login"]),
                        _hours(row["ready"]),
                        _share(row["occupancy"]),
                        _("%(mean)s (%(count)s avaliações)")
                        % {"mean": _mean_text(row["rating"]), "count": row["ratings"]},
                    ],
                }
                for row in data["agents"]["rows"]
            ],
        }
    return result


def as_html(data: dict, *, embedded: bool = False) -> str:
    return render_to_string("telephony/periodic_report.html", context(data, embedded=embedded))


def as_pdf(data: dict) -> bytes:
    """The HTML report printed by WeasyPrint, reading nothing but ``data:`` URLs (the
    stylesheet is given as text), as ``reports.as_pdf`` does."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    css = render_to_string("telephony/contact_centre_report_print.css")
    return HTML(string=as_html(data), url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=fetcher)]
    )


def render(data: dict, fmt: str) -> bytes:
    """``data`` (a monthly or final report) as the bytes of a ``fmt`` document."""
    if fmt == "json":
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "html":
        return as_html(data).encode()
    if fmt == "pdf":
        return as_pdf(data)
    raise ValueError(fmt)


def filename(data: dict, fmt: str) -> str:
    period = data["period"]
    if data["kind"] == MONTHLY:
        return f"central-telefonica-mensal-{period['from'][:7]}.{fmt}"
    return f"central-telefonica-final-{period['from']}-{period['to']}.{fmt}"


# --- the monthly e-mail ------------------------------------------------------------------


def do_send_monthly_report(today: date | None = None) -> int:
    """E-mail last month's activity report (13.2, PDF) to the supervisors and managers, on
    commit, once: a ``SentReport`` (kind monthly) records it, so a job run twice or again
    after a restart sends nothing more. The month's 13.2.1 sample is drawn first when none
    was (``recordings.sample_month``). Nothing is sent when no call of that month was
    imported, or nobody has an address. Returns how many people it was sent to."""
    from balcao.accounts.roles import emails_of
    from balcao.telephony.models import Recording, SentReport
    from balcao.telephony.recordings import sample_month
    from balcao.telephony.weekly import RECIPIENT_ROLES

    year, month = last_month(today or timezone.localdate())
    start, end = month_bounds(year, month)
    sent = SentReport.objects.filter(kind=SentReport.Kind.MONTHLY, start=start, end=end)
    if sent.exists():
        return 0
    people = sorted({email for role in RECIPIENT_ROLES for email in emails_of(role)})
    if not people:
        return 0
    if not Recording.objects.filter(sampled_for=f"{year:04d}-{month:02d}").exists():
        sample_month(year, month)
    data = monthly_report(year, month)
    if not data["indicators"]["a"]["value"]:
        return 0
    pdf = render(data, "pdf")
    values = {"month": f"{year:04d}-{month:02d}"}
    levels = data["service_levels"]
    message = EmailMessage(
        _("Central telefônica: relatório de atividade mensal de %(month)s") % values,
        "\n".join(
            [
                _(
                    "Segue em anexo o relatório de atividade mensal da central telefônica "
                    "(%(month)s)."
                )
                % values,
                "",
                _("Chamadas recebidas: %(received)s")
                % {"received": data["indicators"]["a"]["value"]},
                _("Chamadas atendidas: %(answered)s")
                % {"answered": data["indicators"]["e"]["value"]},
                _("Nível de serviço do mês: %(level)s") % {"level": _share(levels["average"])},
                _("Ocorrências: %(count)s") % {"count": len(data["occurrences"])},
            ]
        ),
        settings.DEFAULT_FROM_EMAIL,
        people,
    )
    message.attach(filename(data, "pdf"), pdf, "application/pdf")
    with transaction.atomic():
        _row, created = SentReport.objects.get_or_create(
            kind=SentReport.Kind.MONTHLY, start=start, end=end, defaults={"recipients": len(people)}
        )
        if not created:
            return 0
        transaction.on_commit(lambda: message.send(fail_silently=True))
    return len(people)
