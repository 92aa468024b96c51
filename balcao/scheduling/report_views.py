"""The managers' report of the scheduling services in the console (issue 25, "counts feed the
reports"): a period to choose (the current month by default), the figures of
:mod:`balcao.scheduling.indicators` in tables, and the same figures as CSV
(``?formato=csv``). For whoever may see the console's reports (``reports.view``)."""

from __future__ import annotations

import csv
from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from balcao.scheduling import indicators
from balcao.scheduling.console import staff_view
from balcao.scheduling.report import Report, build_report, current_month

MAX_DAYS = 366  # one report covers at most a year, like the console's other reports
REPORT_CAPABILITY = "reports.view"


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """The report's period, ``de``–``ate`` (local dates, both inclusive), at most a year."""

    de = forms.DateField(label=gettext_lazy("De"), widget=_date_widget())
    ate = forms.DateField(label=gettext_lazy("Até"), widget=_date_widget())

    def clean(self):
        data = super().clean()
        start, end = data.get("de"), data.get("ate")
        if start and end:
            if end < start:
                self.add_error("ate", _("A data final deve ser igual ou posterior à inicial."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error(
                    "ate", _("Escolha um período de até %(days)s dias.") % {"days": MAX_DAYS}
                )
        return data


def _form(request) -> PeriodForm:
    """The period as asked, or the current month when nothing was asked."""
    if "de" in request.GET or "ate" in request.GET:
        return PeriodForm(request.GET)
    start, end = current_month()
    return PeriodForm({"de": start.isoformat(), "ate": end.isoformat()})


COUNT, RATE, DAYS = "count", "rate", "days"


class Row(NamedTuple):
    """One indicator: its label, its value, and how to show it (a count, a rate in
    ``[0, 1]`` or ``None``, a number of days or ``None``)."""

    label: str
    value: int | float | None
    kind: str = COUNT

    @property
    def shown(self) -> str:
        """As the page shows it: rates in per cent, days to one decimal, ``—`` when there
        was nothing to divide by."""
        if self.value is None:
            return "—"
        if self.kind == RATE:
            return f"{round(100 * self.value)} %"
        if self.kind == DAYS:
            return f"{self.value:.1f}".replace(".", ",")
        return str(self.value)


def _direct_rows(direct: indicators.DirectFigures) -> list[Row]:
    return [
        Row(_("Mensagens enviadas"), direct.sent),
        Row(_("Respondidas em até 5 dias úteis"), direct.answered_on_time),
        Row(_("Parcela respondida no prazo"), direct.answered_on_time_share, RATE),
        Row(_("Usuários interessados"), direct.interested),
        Row(_("Usuários não interessados"), direct.declined),
        Row(_("Sem resposta no prazo"), direct.expired),
        Row(_("Aguardando resposta"), direct.waiting),
    ]


def sections(figures: indicators.Figures) -> list[tuple[str, list[Row]]]:
    """The report as (service, rows) in the page's order; direct contacts per unit last."""
    conecta, presential = figures.conecta, figures.presential
    result = [
        (
            _("INPI Conecta Todos"),
            [
                Row(_("Sessões realizadas"), conecta.sessions),
                Row(_("Vagas oferecidas"), conecta.seats),
                Row(_("Inscrições confirmadas"), conecta.confirmed),
                Row(_("Inscrições na lista de espera"), conecta.waiting),
                Row(_("Inscrições canceladas"), conecta.cancelled),
                Row(_("Presenças"), conecta.attended),
                Row(_("Ausências"), conecta.no_shows),
                Row(_("Taxa de comparecimento"), conecta.attendance_rate, RATE),
                Row(_("Ocupação das vagas"), conecta.occupancy, RATE),
                Row(_("Inscrições com dúvidas registradas"), conecta.questions),
            ],
        ),
        (
            _("Atendimento (tele)presencial"),
            [
                Row(_("Solicitações recebidas"), presential.received),
                Row(_("Solicitações triadas"), presential.triaged),
                Row(_("Triadas no prazo de 7 dias úteis"), presential.on_time),
                Row(_("Parcela triada no prazo"), presential.on_time_share, RATE),
                Row(_("Aceitas (horários oferecidos)"), presential.accepted),
                Row(_("Encaminhadas a outro canal"), presential.redirected),
                Row(_("Recusadas"), presential.refused),
                Row(_("Sessões realizadas"), presential.held),
                Row(_("Sessões canceladas"), presential.cancelled),
                Row(
                    _("Mediana de dias entre a solicitação e a sessão"),
                    presential.median_days_to_session,
                    DAYS,
                ),
            ],
        ),
        (_("Contato direto"), _direct_rows(figures.direct)),
    ]
    for unit, direct in figures.direct_by_unit.items():
        title = _("Contato direto: %(unit)s") % {"unit": unit or _("(sem unidade)")}
        result.append((title, _direct_rows(direct)))
    return result


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula; rates as decimals (0.75), empty
    when there was nothing to divide by."""
    if value is None:
        return ""
    text = f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(report: Report) -> list[list[str]]:
    """The report as CSV rows: service, indicator, value."""
    rows = [[_("Serviço"), _("Indicador"), _("Valor")]]
    for title, section in sections(report.figures):
        rows += [[_cell(title), _cell(row.label), _cell(row.value)] for row in section]
    return rows


@require_GET
@staff_view(REPORT_CAPABILITY)
def scheduling_report(request):
    """The report page, or its CSV (``?formato=csv``); a period that cannot be read is
    answered 400 with the form and its errors."""
    form = _form(request)
    if not form.is_valid():
        return render(request, "scheduling/report.html", {"form": form, "report": None}, status=400)
    report = build_report(form.cleaned_data["de"], form.cleaned_data["ate"])
    if request.GET.get("formato") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"relatorio-agendamento-{report.start}-{report.end}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        csv.writer(response).writerows(csv_rows(report))
        return response
    context = {
        "form": form,
        "report": report,
        "sections": sections(report.figures),
        "csv_query": urlencode(
            {"de": report.start.isoformat(), "ate": report.end.isoformat(), "formato": "csv"}
        ),
    }
    return render(request, "scheduling/report.html", context)


console_urls = [
    path("agendamento/relatorio/", scheduling_report, name="scheduling_report"),
]
