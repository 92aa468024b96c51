"""Public pages of the ombudsman: the transparency dashboard and its open data."""

from __future__ import annotations

import csv
import json

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from balcao.ombudsman import services, transparency


@require_GET
def dashboard(request):
    figures = services.transparency_figures()
    sections = []
    for key in transparency.BREAKDOWNS:
        groups = figures[key]
        top = max((g["count"] for g in groups.values() if isinstance(g["count"], int)), default=0)
        sections.append(
            {
                "key": key,
                "groups": [
                    {
                        "name": name,
                        **summary,
                        "bar": round(100 * summary["count"] / top)
                        if top and isinstance(summary["count"], int)
                        else 0,
                    }
                    for name, summary in groups.items()
                ],
            }
        )
    return render(
        request,
        "ombudsman/transparency.html",
        {"total": figures["total"], "sections": sections, "updated_at": figures["updated_at"]},
    )


@require_GET
def dashboard_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ouvidoria-transparencia.csv"'
    csv.writer(response).writerows(transparency.csv_rows(services.transparency_figures()))
    return response


@require_GET
def dashboard_json(request):
    return HttpResponse(
        json.dumps(services.transparency_figures(), ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
