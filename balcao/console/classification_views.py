"""Console pages of classified information (INPI Portaria arts. 46–51): the TCIs recorded,
the form a classifying authority signs, declassification, and the annual report of art. 50
as a page and a CSV. Parse the request, call ombudsman.services, render."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.console import forms
from balcao.console.decorators import staff_view
from balcao.ombudsman import annual_report as annual
from balcao.ombudsman import services
from balcao.ombudsman.models import ClassifiedInformation


@staff_view("classification.view")
def classified_list(request):
    authority = services.authority_of(request.user)
    form = forms.ClassificationForm(request.POST or None) if authority else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                item = services.do_classify(actor=request.user, **form.cleaned_data)
            except services.ManifestationError as exc:
                for field, errors in exc.fields.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Informação classificada: CIDIC %(cidic)s.")
                    % {"cidic": item.as_classification().cidic},
                )
                return redirect("console:classified_list")
        status = 400
    items = [
        {"item": item, "cidic": item.as_classification().cidic}
        for item in ClassifiedInformation.objects.select_related("classified_by")[:500]
    ]
    return render(
        request,
        "console/classified_list.html",
        {"form": form, "authority": authority, "items": items},
        status=status,
    )


@require_POST
@staff_view("classification.view")
def classified_declassify(request, pk: int):
    item = get_object_or_404(ClassifiedInformation, pk=pk)
    try:
        services.do_declassify(item, actor=request.user, summary=request.POST.get("summary", ""))
    except services.ManifestationError as exc:
        messages.error(request, " ".join(m for ms in exc.fields.values() for m in ms))
    else:
        messages.success(request, _("Informação desclassificada."))
    return redirect("console:classified_list")


@staff_view("classification.view")
def classified_report(request):
    """The annual report (art. 50) for the twelve months ending on ``?ate=YYYY-MM-DD``
    (default: today); ``?formato=csv`` downloads it."""
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
    return render(
        request,
        "console/classified_report.html",
        {"report": report, "period_end": period_end},
    )
