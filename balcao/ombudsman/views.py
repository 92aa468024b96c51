"""Public pages of the ombudsman: the transparency dashboard and its open data, and the
annual report of classified information (INPI Portaria art. 50).

Issue 21, "Transparency": "Ouvidoria em números", like the federal "Painel Resolveu?" —
the figures of :func:`services.transparency_figures` as server-drawn SVG charts (their
geometry: :mod:`balcao.ombudsman.charts`) over the same figures as tables, filterable by year
(``?ano=``) and type (``?tipo=``); the CSV and JSON take the same filters.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from balcao.ombudsman import annual_report as annual
from balcao.ombudsman import charts, services, transparency
from balcao.ombudsman.models import Manifestation


def _filters(request) -> dict:
    """The year (one with manifestations) and the type asked for; anything else is ignored,
    which also keeps the cache to one entry per year and type that exist."""
    whole = services.transparency_figures()
    years = sorted({int(month[:4]) for month in whole["month"]}, reverse=True)
    kinds = dict(Manifestation.Type.choices)
    year = request.GET.get("ano", "")
    kind = request.GET.get("tipo", "")
    chosen_year = int(year) if year.isascii() and year.isdigit() and int(year) in years else None
    chosen_kind = kind if kind in kinds else None
    query = {
        key: value
        for key, value in (("ano", chosen_year), ("tipo", chosen_kind))
        if value is not None
    }
    return {
        "year": chosen_year,
        "kind": chosen_kind,
        "kind_label": kinds.get(chosen_kind or ""),
        "years": years,
        "kinds": list(kinds.items()),
        "query": f"?{urlencode(query)}" if query else "",
        "now": whole["updated_at"][:7],
        "whole": whole,
    }


def _figures(filters: dict) -> dict:
    if filters["year"] is None and filters["kind"] is None:
        return filters["whole"]
    return services.transparency_figures_of(filters["year"], filters["kind"])


def _month_date(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _describe(chart: charts.Chart) -> str:
    """The chart's figures as one sentence for a screen reader (its SVG ``<desc>``)."""
    return "; ".join(f"{bar.label}: {bar.text}" for bar in chart.bars)


def _month_chart(figures: dict, filters: dict) -> dict:
    """Manifestations per month: the last 12 months, or the months of the year chosen."""
    if filters["year"] is None:
        months = charts.last_months(filters["now"])
    else:
        months = charts.year_months(filters["year"], filters["now"]) or charts.last_months(
            filters["now"]
        )
    sublabels = [
        str(_month_date(m).year) if i == 0 or m.endswith("-01") else ""
        for i, m in enumerate(months)
    ]
    series = charts.month_series(figures["month"], months)
    chart = charts.column_chart(
        [(format_date(_month_date(m), "b"), count) for m, count in series], sublabels=sublabels
    )
    named = [date_format(_month_date(m), "YEAR_MONTH_FORMAT") for m in months]
    return {
        "chart": chart,
        "first": named[0],
        "last": named[-1],
        "desc": "; ".join(f"{n}: {b.text}" for n, b in zip(named, chart.bars, strict=True)),
    }


def _bars(chart: charts.Chart, tones: tuple[str, ...] = ()) -> dict:
    return {
        "chart": chart,
        "bars": [(bar, tones[i] if i < len(tones) else "") for i, bar in enumerate(chart.bars)],
        "desc": _describe(chart),
    }


def _total_charts(total: dict) -> dict:
    """The gauges of the total (share answered in time, average rating) and the split of
    "Resolveu?"; each None when the figure is not known or not published."""
    in_time, score, resolved = (
        total.get("answered_in_time"),
        total.get("average_score"),
        total.get("resolved"),
    )
    result: dict[str, object] = {"in_time": None, "score": None, "resolved": None}
    if in_time is not None:
        text = f"{round(in_time * 100)}%"
        result["in_time"] = {
            "gauge": charts.gauge(in_time, 1),
            "text": text,
            "title": _("Respondidas no prazo: %(share)s") % {"share": text},
        }
    if score is not None:
        text = _("%(score)s de 5") % {"score": number_format(score, 1)}
        result["score"] = {
            "gauge": charts.gauge(score, 5),
            "text": text,
            "title": _("Satisfação média: %(score)s") % {"score": text},
        }
    if resolved:
        result["resolved"] = _bars(
            charts.bar_chart(
                [
                    (_("Sim"), resolved["yes"]),
                    (_("Em parte"), resolved["partly"]),
                    (_("Não"), resolved["no"]),
                ],
                maximum=1,
                percent=True,
            ),
            ("yes", "partly", "no"),
        )
    return result


def _tables(figures: dict) -> dict:
    tables = {}
    for key in transparency.BREAKDOWNS:
        groups = []
        for name, summary in figures[key].items():
            shown = date_format(_month_date(name), "YEAR_MONTH_FORMAT") if key == "month" else name
            groups.append({"name": shown, **summary})
        tables[key] = groups
    return tables


@require_GET
def dashboard(request):
    filters = _filters(request)
    figures = _figures(filters)
    total = figures["total"]
    return render(
        request,
        "ombudsman/transparency.html",
        {
            "filters": filters,
            "total": total,
            "suppressed_total": isinstance(total["count"], str),
            "tables": _tables(figures),
            "month_chart": _month_chart(figures, filters),
            "type_chart": _bars(charts.bar_chart(charts.ranked(figures["type"]))),
            "channel_chart": _bars(charts.bar_chart(charts.ranked(figures["channel"]))),
            **_total_charts(total),
            "updated_at": datetime.fromisoformat(figures["updated_at"]),
        },
    )


def _suffix(filters: dict) -> str:
    return "".join(f"-{value}" for value in (filters["year"], filters["kind"]) if value)


@require_GET
def dashboard_csv(request):
    filters = _filters(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ouvidoria-transparencia{_suffix(filters)}.csv"'
    )
    csv.writer(response).writerows(transparency.csv_rows(_figures(filters)))
    return response


@require_GET
def dashboard_json(request):
    return HttpResponse(
        json.dumps(_figures(_filters(request)), ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )


# --- the annual report of classified information (INPI Portaria art. 50) -------------------


def pdf_url_fetcher():
    """WeasyPrint's fetcher for the printed report: ``data:`` URLs only. Its stylesheet is
    given as a string (:func:`render_pdf`), so nothing is fetched from the network or read
    from the server's disk, whatever a text in the report contains."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def render_pdf(html: str, stylesheet: str = "") -> bytes:
    """``html`` (a print template) with ``stylesheet`` (CSS text) as a PDF document."""
    from weasyprint import CSS, HTML

    fetcher = pdf_url_fetcher()
    sheets = [CSS(string=stylesheet, url_fetcher=fetcher)] if stylesheet else []
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=sheets)


def annual_report_response(request, template: str):
    """The annual report (art. 50) for the twelve months ending on ``?ate=YYYY-MM-DD``
    (default: today) as ``template``; ``?formato=csv`` and ``?formato=pdf`` download it.
    It lists no reasons of any classification (Lei 12.527/2011 art. 30; Decreto 7.724/2012
    art. 45), so the same report is the console's and the portal's (art. 50, parágrafo
    único: "será disponibilizado no Portal do INPI")."""
    try:
        period_end = date.fromisoformat(request.GET.get("ate", ""))
    except ValueError:
        period_end = timezone.localdate()
    report = services.annual_report(period_end)
    if request.GET.get("formato") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="relatorio-anual-{period_end.isoformat()}.csv"'
        )
        csv.writer(response).writerows(annual.csv_rows(report))
        return response
    if request.GET.get("formato") == "pdf":
        html = render_to_string(
            "ombudsman/annual_report_print.html",
            {"report": report, "period_end": period_end, "generated_at": timezone.localtime()},
        )
        try:
            document = render_pdf(html, render_to_string("ombudsman/annual_report_print.css"))
        except OSError:  # WeasyPrint loads Pango when first used
            return HttpResponse(
                _("O PDF não pode ser gerado: faltam no servidor as bibliotecas do Pango."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="relatorio-anual-{period_end.isoformat()}.pdf"'
        )
        return response
    return render(request, template, {"report": report, "period_end": period_end})


@require_GET
def annual_report_public(request):
    """The annual report on the portal, for anyone."""
    return annual_report_response(request, "ombudsman/annual_report_public.html")
