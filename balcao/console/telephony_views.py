"""The contact centre in the console (issue 23; seed ``003_…txt``, section 13): the 13.1
indicators of a period in tables and charts, with the same report as CSV and PDF
(``balcao.telephony.reports``), and the staffing planner (Erlang C on the measured arrivals
per half hour and handling time). For whoever may see the console's reports
(``reports.view``)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from balcao.console import forms as console_forms
from balcao.console.decorators import staff_view
from balcao.ombudsman import charts
from balcao.telephony import indicators, reports, services, staffing
from balcao.telephony.models import Call

MAX_DAYS = 366  # at most a year (the tender's final report, item 13.3)
DEFAULT_DAYS = 7  # the tender's reports are weekly (item 13.1)
PLANNER_DAYS = 28  # four weeks of measured traffic for the planner

#: The 13.1 indicators in the page's groups (seed 003, item 13.1 a … ii).
GROUPS = (
    ("volumes", gettext_lazy("Volumes"), ("a", "c", "d", "e", "z")),
    ("esperas", gettext_lazy("Esperas das chamadas atendidas"), ("f", "g", "h", "i", "j", "k")),
    ("abandonos", gettext_lazy("Chamadas abandonadas"), ("l", "m", "n", "o", "p", "q")),
    ("taxas", gettext_lazy("Perdas e níveis de serviço"), ("r", "s", "t", "u")),
    ("tempos", gettext_lazy("Tempos"), ("v", "w", "x", "y", "aa", "bb", "cc", "dd", "gg")),
    ("operadores", gettext_lazy("Operadores"), ("ee", "ff")),
    # a'–e' once the agency reads e-mail (balcao.telephony.services.email_indicators).
    ("email", gettext_lazy("Mensagens de correio eletrônico"), ("a'", "b'", "c'", "d'", "e'")),
)
#: Seed 003: at least 75 % of received calls answered in under 30 seconds.
TARGET_LEVEL = 0.75
TARGET_SECONDS = 30


class PeriodForm(console_forms.PeriodForm):
    max_days = MAX_DAYS


class PlannerForm(PeriodForm):
    nivel = forms.IntegerField(
        label=gettext_lazy("Nível de serviço desejado (%)"), min_value=1, max_value=99
    )
    segundos = forms.IntegerField(
        label=gettext_lazy("Atendidas em até (segundos)"), min_value=1, max_value=3600
    )
    tma = forms.IntegerField(
        label=gettext_lazy("Tempo médio de atendimento (segundos)"),
        help_text=gettext_lazy(
            "Conversação + espera + pós-atendimento. Em branco: o medido no período (13.1 dd)."
        ),
        min_value=1,
        max_value=3600,  # Erlang C's search grows with the load: keep it bounded
        required=False,
    )


def _form(request, form_class, days: int, **defaults):
    """The form as asked, or the last ``days`` days (and the defaults) when nothing was."""
    if "de" in request.GET or "ate" in request.GET:
        return form_class(request.GET)
    today = timezone.localdate()
    initial = {"de": (today - timedelta(days=days - 1)).isoformat(), "ate": today.isoformat()}
    return form_class({**initial, **defaults})


def _groups(data: dict) -> list[dict]:
    items = data["indicators"]
    return [
        {
            "slug": slug,
            "title": title,
            "rows": [
                {
                    "letter": letter,
                    "label": items[letter]["label"],
                    "value": reports.display(letter, items[letter]["value"]),
                }
                for letter in letters
                if letter in items
            ],
        }
        for slug, title, letters in GROUPS
        if any(letter in items for letter in letters)
    ]


def _describe(chart: charts.Chart) -> str:
    return "; ".join(f"{bar.label}: {bar.text}" for bar in chart.bars)


def _charts(data: dict) -> dict:
    """Calls per hour of day (b) as columns, the service level (u) as a gauge against the
    target, calls by topic (ii) as bars."""
    items = data["indicators"]
    per_hour = items["b"]["value"]
    hours = [f"{hour:02d}" for hour in range(24)]
    first = min((int(h) for h in per_hour), default=9)
    last = max((int(h) for h in per_hour), default=16)
    shown = hours[min(first, 9) : max(last, 16) + 1]
    hour_chart = charts.column_chart([(hour, per_hour.get(hour, 0)) for hour in shown])
    topics = list(items["ii"]["value"].items())
    topic_chart = charts.bar_chart([(topic, count) for topic, count in topics])
    level = items["u"]["value"]
    text = "—" if level is None else f"{round(level * 100)}%"
    return {
        "hours": {"chart": hour_chart, "desc": _describe(hour_chart)},
        "topics": {
            "chart": topic_chart,
            "bars": [(bar, "") for bar in topic_chart.bars],
            "desc": _describe(topic_chart),
        },
        "level": {
            "gauge": charts.gauge(level, 1),
            "text": text,
            "met": level is not None and level >= TARGET_LEVEL,
            "title": _("Nível de serviço (u): %(share)s; meta: %(target)s%% em %(seconds)s s")
            % {"share": text, "target": round(TARGET_LEVEL * 100), "seconds": TARGET_SECONDS},
        },
    }


@staff_view("reports.view")
def contact_centre_report(request):
    form = _form(request, PeriodForm, DEFAULT_DAYS)
    data = None
    context: dict = {"form": form}
    if form.is_valid():
        start, end = form.cleaned_data["de"], form.cleaned_data["ate"]
        data = services.contact_centre_report(start, end)
        fmt = request.GET.get("formato")
        if fmt in ("csv", "pdf"):
            content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/pdf"
            response = HttpResponse(reports.render(data, fmt), content_type=content_type)
            name = f"central-telefonica-{start}-{end}.{fmt}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        query = {"de": start.isoformat(), "ate": end.isoformat()}
        items = data["indicators"]
        context.update(
            groups=_groups(data),
            charts=_charts(data),
            per_hour=reports.display("b", items["b"]["value"]),
            peaks=reports.display("hh", items["hh"]["value"]),
            topics=reports.display("ii", items["ii"]["value"]),
            callbacks=data["callbacks"],
            callback_share=None
            if data["callbacks"]["share"] is None
            else reports.display("s", data["callbacks"]["share"]),
            csv_query=urlencode({**query, "formato": "csv"}),
            pdf_query=urlencode({**query, "formato": "pdf"}),
        )
    context["data"] = data
    return render(request, "console/contact_centre.html", context)


def _seconds(value: float) -> str:
    return formats.number_format(round(value, 1), decimal_pos=1, use_l10n=True)


@staff_view("reports.view")
def staffing_planner(request):
    form = _form(
        request,
        PlannerForm,
        PLANNER_DAYS,
        nivel=round(TARGET_LEVEL * 100),
        segundos=TARGET_SECONDS,
    )
    context: dict = {"form": form, "rows": None}
    if form.is_valid():
        start, end = form.cleaned_data["de"], form.cleaned_data["ate"]
        tz = ZoneInfo(settings.TIME_ZONE)
        period = indicators.Period(start, end, tz)
        lo, hi = int(period.starts_at.timestamp()), int(period.ends_at.timestamp())
        calls = list(
            Call.objects.filter(entered__gte=lo, entered__lt=hi).values_list(
                "entered", "answered_wait", "abandoned_wait", "talk", "hold", "wrapup",
                "topic", "callback", named=True,
            )
        )  # fmt: skip
        measured = indicators.summarise(calls, [], period)["dd"]["value"]
        handling = form.cleaned_data["tma"] or measured
        arrivals = staffing.arrivals_per_half_hour(
            (call.entered for call in calls), start, end, tz, skipped=period.holidays()
        )
        context.update(calls=len(calls), measured=measured, handling=handling)
        if handling:
            level, seconds = form.cleaned_data["nivel"], form.cleaned_data["segundos"]
            rows = staffing.plan(
                arrivals, handling, target_level=level / 100, target_seconds=seconds
            )
            context.update(
                level=level,
                seconds=seconds,
                handling_text=_seconds(handling),
                measured_text=None if measured is None else _seconds(measured),
                rows=[
                    {
                        "weekday": WEEKDAYS[row.weekday],
                        "span": f"{row.starts:%H:%M}–{row.ends:%H:%M}",
                        "arrivals": formats.number_format(round(row.arrivals, 2), 2, use_l10n=True),
                        "load": formats.number_format(
                            round(row.staffing.load_erlangs, 2), 2, use_l10n=True
                        ),
                        "agents": row.staffing.agents,
                        "level": reports.display("u", row.staffing.service_level),
                        "waiting": reports.display("u", row.staffing.probability_of_waiting),
                        "asa": _seconds(row.staffing.average_speed_of_answer),
                    }
                    for row in rows
                ],
                peak=max((row.staffing.agents for row in rows), default=0),
            )
    return render(request, "console/staffing_planner.html", context)
