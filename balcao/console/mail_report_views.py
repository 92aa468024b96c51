"""The e-mail reports in the console (seed ``003_…txt``, items 13.1 a')–e' and 13.2, and the
48-hour clock of item 12.2 ii)): a period and a mailbox to choose, the figures of
``balcao.mail.reports`` in tables, and the same figures as CSV. For whoever may see the
console's reports (``reports.view``)."""

from __future__ import annotations

import csv
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from balcao.console import forms as console_forms
from balcao.console.audit_views import _cell
from balcao.console.decorators import staff_view
from balcao.mail import reports
from balcao.mail.models import Mailbox

MAX_DAYS = 366  # one report covers at most a year (the tender's final report, item 13.3)
DEFAULT_DAYS = 7  # a week: the tender's reports are weekly (item 13.1)


class ReportForm(console_forms.PeriodForm):
    max_days = MAX_DAYS
    caixa = forms.ModelChoiceField(
        label=gettext_lazy("Caixa de e-mail"),
        queryset=Mailbox.objects.order_by("slug"),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Todas"),
    )


def _form(request) -> ReportForm:
    """The form as asked, or the last seven days when nothing was asked."""
    if "de" in request.GET or "ate" in request.GET:
        return ReportForm(request.GET)
    today = timezone.localdate()
    return ReportForm(
        {
            "de": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "ate": today.isoformat(),
            "caixa": request.GET.get("caixa", ""),
        }
    )


def _seconds_label(value: float | None) -> str:
    if value is None:
        return "—"
    minutes = round(value / 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


def _days(data: dict) -> list[dict]:
    return [
        {
            "day": day,
            "received": count,
            "answered": data["a_answered_per_day"][day],
            "inside": data["b_inside_hours_per_day"][day],
            "outside": data["c_outside_hours_per_day"][day],
            "advertising": data["advertising_per_day"][day],
            "forwarded": data["e_forwarded"]["per_day"][day],
        }
        for day, count in data["a_received_per_day"].items()
    ]


def _unit_row(name: str, figures: dict) -> dict:
    return {
        "name": name,
        "forwards": figures["forwards"],
        "answered": figures["answered"],
        "waiting": figures["waiting"],
        "mean": _seconds_label(figures["mean_seconds_at_unit"]),
        "median": _seconds_label(figures["median_seconds_at_unit"]),
    }


def _deadline_rows(clock: dict) -> list[tuple[str, int]]:
    return [
        (_("Respondidas no prazo"), clock["answered_on_time"]),
        (_("Respondidas fora do prazo"), clock["answered_late"]),
        (_("Sem resposta, prazo vencido"), clock["open_overdue"]),
        (_("Sem resposta, ainda no prazo"), clock["open_on_time"]),
        (_("Sem prazo definido"), clock["without_deadline"]),
    ]


def _apart_rows(totals: dict) -> list[tuple[str, int]]:
    return [
        (_("Publicidade"), totals["advertising"]),
        (_("Repetidas (mesmo Message-ID)"), totals["duplicate"]),
        (_("Avisos de não entrega"), totals["bounce"]),
        (_("Em quarentena"), totals["quarantine"]),
        (_("Respostas de unidades"), totals["unit-answer"]),
    ]


def csv_rows(data: dict) -> list[list[object]]:
    """The report as CSV rows: one block per table of the page, a blank row between."""
    totals, forwarded = data["totals"], data["e_forwarded"]
    rows: list[list[object]] = [
        [
            _("Dia"),
            _("Recebidas (a')"),
            _("Respondidas (a')"),
            _("Dentro do horário (b')"),
            _("Fora do horário (c')"),
            _("Publicidade"),
            _("Encaminhadas a unidades (e')"),
        ]
    ]
    rows += [
        [d["day"], d["received"], d["answered"], d["inside"], d["outside"]]
        + [d["advertising"], d["forwarded"]]
        for d in _days(data)
    ]
    rows.append(
        [
            _("Total"),
            totals["received"],
            totals["answered"],
            data["b_inside_hours"],
            data["c_outside_hours"],
            totals["advertising"],
            forwarded["messages"],
        ]
    )
    rows += [[], [_("Hora"), _("Recebidas")]]
    rows += [[f"{hour}h", count] for hour, count in data["per_hour"].items()]
    rows += [[], [_("Tema (d')"), _("Recebidas")]]
    rows += [[theme or _("(sem tema)"), count] for theme, count in data["d_by_theme"].items()]
    rows += [
        [],
        [
            _("Unidade (e')"),
            _("Encaminhamentos"),
            _("Respondidos"),
            _("À espera"),
            _("Tempo médio na unidade (segundos)"),
            _("Tempo mediano na unidade (segundos)"),
        ],
    ]
    for unit, figures in [*forwarded["by_unit"].items(), (_("Total"), forwarded)]:
        rows.append(
            [unit, figures["forwards"], figures["answered"], figures["waiting"]]
            + [figures["mean_seconds_at_unit"], figures["median_seconds_at_unit"]]
        )
    rows += [[], [_("Prazo de 48 horas"), _("Atendimentos abertos por e-mail")]]
    rows += [[label, count] for label, count in _deadline_rows(data["deadline"])]
    rows += [[], [_("Não contadas como recebidas"), _("Mensagens")]]
    rows += [[label, count] for label, count in _apart_rows(totals)]
    return [[_cell(value) for value in row] for row in rows]


@staff_view("reports.view")
def mail_report(request):
    form = _form(request)
    data = None
    if form.is_valid():
        box = form.cleaned_data["caixa"]
        data = reports.report(
            form.cleaned_data["de"], form.cleaned_data["ate"], mailbox=box.slug if box else None
        )
        if request.GET.get("formato") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            name = f"relatorio-email-{data['period']['from']}-{data['period']['to']}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            csv.writer(response).writerows(csv_rows(data))
            return response
    context = {"form": form, "data": data}
    if data is not None:
        forwarded = data["e_forwarded"]
        clock = data["deadline"]
        context.update(
            days=_days(data),
            hours=[(hour, count) for hour, count in data["per_hour"].items()],
            themes=list(data["d_by_theme"].items()),
            units=[_unit_row(unit, figures) for unit, figures in forwarded["by_unit"].items()],
            unit_total=_unit_row(_("Total"), forwarded),
            deadline_rows=_deadline_rows(clock),
            on_time=None if clock["on_time_ratio"] is None else round(100 * clock["on_time_ratio"]),
            apart_rows=_apart_rows(data["totals"]),
            csv_query=urlencode(
                {
                    "de": data["period"]["from"],
                    "ate": data["period"]["to"],
                    "caixa": data["period"]["mailbox"] or "",
                    "formato": "csv",
                }
            ),
        )
    return render(request, "console/mail_report.html", context)
