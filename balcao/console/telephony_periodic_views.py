"""The contact centre's monthly activity report and final report in the console (issue 23;
seed ``003_…txt``, items 13.2, 13.2.1 and 13.3): a month or the contract's term chosen in a
form, the report shown in the console and downloadable as PDF or JSON
(``balcao.telephony.periodic``). For whoever may see the console's reports
(``reports.view``)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from balcao.console import forms as console_forms
from balcao.console.decorators import staff_view
from balcao.telephony import periodic

#: The final report covers the contract's term: at most four years.
MAX_FINAL_DAYS = 4 * 366


class MonthForm(forms.Form):
    mes = forms.CharField(
        label=gettext_lazy("Mês"),
        help_text=gettext_lazy("No formato AAAA-MM."),
        widget=forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"}),
    )

    def clean_mes(self):
        try:
            return periodic.parse_month(self.cleaned_data["mes"].strip())
        except periodic.PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc


class TermForm(console_forms.PeriodForm):
    max_days = MAX_FINAL_DAYS
    de = forms.DateField(
        label=gettext_lazy("Início do contrato"), widget=console_forms.date_widget()
    )
    ate = forms.DateField(label=gettext_lazy("Fim do contrato"), widget=console_forms.date_widget())


def _download(data: dict, fmt: str) -> HttpResponse:
    if fmt == "pdf":
        response = HttpResponse(periodic.render(data, "pdf"), content_type="application/pdf")
    else:
        body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{periodic.filename(data, fmt)}"'
    return response


def _page(request, form, data, query: dict, kind: str):
    context = {"form": form, "data": data, "kind": kind}
    if data is not None:
        context.update(
            **periodic.context(data, embedded=True),
            pdf_query=urlencode({**query, "formato": "pdf"}),
            json_query=urlencode({**query, "formato": "json"}),
        )
    return render(request, "console/telephony_periodic.html", context)


@staff_view("reports.view")
def monthly_report(request):
    """13.2: a month's activity report (last month unless one is asked for)."""
    if "mes" in request.GET:
        form = MonthForm(request.GET)
    else:
        year, month = periodic.last_month(timezone.localdate())
        form = MonthForm({"mes": f"{year:04d}-{month:02d}"})
    data = None
    query: dict = {}
    if form.is_valid():
        year, month = form.cleaned_data["mes"]
        data = periodic.monthly_report(year, month)
        query = {"mes": f"{year:04d}-{month:02d}"}
        fmt = request.GET.get("formato")
        if fmt in ("pdf", "json"):
            return _download(data, fmt)
    return _page(request, form, data, query, periodic.MONTHLY)


@staff_view("reports.view")
def final_report(request):
    """13.3: the final report of the contract's term (the last twelve months unless a
    term is asked for)."""
    if "de" in request.GET or "ate" in request.GET:
        form = TermForm(request.GET)
    else:
        today = timezone.localdate()
        form = TermForm({"de": (today - timedelta(days=364)).isoformat(), "ate": today.isoformat()})
    data = None
    query: dict = {}
    if form.is_valid():
        start, end = form.cleaned_data["de"], form.cleaned_data["ate"]
        data = periodic.final_report(start, end)
        query = {"de": start.isoformat(), "ate": end.isoformat()}
        fmt = request.GET.get("formato")
        if fmt in ("pdf", "json"):
            return _download(data, fmt)
    return _page(request, form, data, query, periodic.FINAL)


urlpatterns: list = [
    path("relatorio/mensal/", monthly_report, name="contact_centre_monthly"),
    path("relatorio/final/", final_report, name="contact_centre_final"),
]
