"""Console pages of classified information (INPI Portaria arts. 46–51): the TCIs recorded,
the form a classifying authority signs, each TCI's page with its reassessments (art. 47),
appeals to the President (art. 48) and the ombudsman's opinions (art. 49), declassification,
and the annual report of art. 50 as a page, a CSV and a PDF. Parse the request, call
ombudsman.services, render."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.accounts.permissions import PermissionDenied
from balcao.accounts.roles import OMBUDSMAN, roles_of
from balcao.console import forms
from balcao.console.decorators import staff_view
from balcao.ombudsman import services
from balcao.ombudsman.models import (
    ClassificationAppeal,
    ClassificationOpinion,
    ClassificationReassessment,
    ClassifiedInformation,
)
from balcao.ombudsman.views import annual_report_response


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
    """The annual report (art. 50) in the console: the same page, CSV and PDF as the
    portal's public one (ombudsman.views.annual_report_response)."""
    return annual_report_response(request, "console/classified_report.html")


# --- one TCI: its reassessments, appeals and the ombudsman's opinions (arts. 47–49) ---------


def _detail(request, item: ClassifiedInformation, *, status: int = 200, **bound):
    """The TCI's page: its facts, every reassessment with its decision, appeal and opinions,
    and the forms the user may use now; ``bound`` replaces a form refused on POST (and the
    object it was about, so that its errors show beside it). The reasons of the TCI and of
    each decision stay at the degree of the information (Decreto 7.724/2012 art. 31 § 2º; Lei
    12.527/2011 art. 29 § único): shown only to an authority who may classify at that
    degree."""
    user = request.user
    can_decide = services.reassessment_refusal(item, user) is None
    authority = services.authority_of(user)
    is_president = authority is not None and authority.president
    is_ombudsman = OMBUDSMAN in roles_of(user)
    reassessments = list(
        item.reassessments.select_related(
            "registered_by",
            "decided_by",
            "appeal",
            "appeal__registered_by",
            "appeal__decided_by",
        )
    )
    opinions = ClassificationOpinion.objects.filter(
        Q(reassessment__item=item) | Q(appeal__reassessment__item=item)
    ).select_related("author")
    by_reassessment, by_appeal = defaultdict(list), defaultdict(list)
    for opinion in opinions:
        if opinion.reassessment_id:
            by_reassessment[opinion.reassessment_id].append(opinion)
        else:
            by_appeal[opinion.appeal_id].append(opinion)
    rows, pending, pending_appeal, appealable = [], None, None, None
    for reassessment in reassessments:
        appeal = getattr(reassessment, "appeal", None)
        rows.append(
            {
                "r": reassessment,
                "opinions": by_reassessment[reassessment.pk],
                "appeal": appeal,
                "appeal_opinions": by_appeal[appeal.pk] if appeal else [],
            }
        )
        if not reassessment.decision:
            pending = reassessment
        if appeal is not None and not appeal.outcome:
            pending_appeal = appeal
        if reassessment.refused and appeal is None:
            appealable = reassessment
    filing_due = services.appeal_filing_due(appealable) if appealable else None
    in_force = item.declassified_on is None
    forms_now = {
        "request_form": (
            forms.ReassessmentRequestForm()
            if in_force and pending is None and pending_appeal is None
            else None
        ),
        "decide_form": forms.ReassessmentDecisionForm() if pending and can_decide else None,
        "appeal_form": (
            forms.ClassificationAppealForm()
            if filing_due and in_force and timezone.now() <= filing_due
            else None
        ),
        "appeal_decide_form": (
            forms.ClassificationAppealDecisionForm() if pending_appeal and is_president else None
        ),
        "opinion_form": (
            forms.ClassificationOpinionForm()
            if is_ombudsman and (pending or pending_appeal)
            else None
        ),
    }
    checked = item.as_classification()
    context = {
        "item": item,
        "cidic": checked.cidic,
        "until": checked.declassified_on,
        "sees_reasons": can_decide,
        "rows": rows,
        "pending": pending,
        "pending_appeal": pending_appeal,
        "appealable": appealable,
        "filing_due": filing_due,
        "opinion_action": (
            reverse("console:classified_reassessment_opinion", args=[pending.pk])
            if pending
            else reverse("console:classified_appeal_opinion", args=[pending_appeal.pk])
            if pending_appeal
            else ""
        ),
        "opinion_on_appeal": pending is None and pending_appeal is not None,
        **forms_now,
    }
    context.update(bound)
    return render(request, "console/classified_detail.html", context, status=status)


def _form_errors(form, exc: services.ManifestationError) -> None:
    for field, errors in exc.fields.items():
        form.add_error(field if field in form.fields else None, errors)


@staff_view("classification.view")
def classified_detail(request, pk: int):
    item = get_object_or_404(ClassifiedInformation.objects.select_related("classified_by"), pk=pk)
    return _detail(request, item)


@require_POST
@staff_view("classification.view")
def classified_reassess(request, pk: int):
    """Register a reassessment, on request or ex officio (Portaria art. 47)."""
    item = get_object_or_404(ClassifiedInformation, pk=pk)
    form = forms.ReassessmentRequestForm(request.POST)
    if form.is_valid():
        try:
            services.do_request_reassessment(item, actor=request.user, **form.cleaned_data)
        except services.ManifestationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Reavaliação registrada para a autoridade classificadora."))
            return redirect("console:classified_detail", pk=item.pk)
    return _detail(request, item, status=400, request_form=form)


@require_POST
@staff_view("classification.view")
def classified_reassessment_decide(request, pk: int):
    """The classifying authority decides a reassessment (Portaria art. 47)."""
    reassessment = get_object_or_404(
        ClassificationReassessment.objects.select_related("item"), pk=pk
    )
    form = forms.ReassessmentDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.do_decide_reassessment(
                reassessment,
                actor=request.user,
                decision=data["decision"],
                reasons=data["decision_text"],
                years=data["years"],
                degree=data["degree"],
                summary=data["summary"],
            )
        except services.ManifestationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Reavaliação decidida."))
            return redirect("console:classified_detail", pk=reassessment.item_id)
    return _detail(request, reassessment.item, status=400, decide_form=form, pending=reassessment)


@require_POST
@staff_view("classification.view")
def classified_appeal(request, pk: int):
    """Register the appeal to the President against a refusal (Portaria art. 48)."""
    reassessment = get_object_or_404(
        ClassificationReassessment.objects.select_related("item"), pk=pk
    )
    form = forms.ClassificationAppealForm(request.POST)
    if form.is_valid():
        try:
            services.do_file_classification_appeal(
                reassessment, text=form.cleaned_data["text"], actor=request.user
            )
        except services.ManifestationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Recurso ao Presidente registrado."))
            return redirect("console:classified_detail", pk=reassessment.item_id)
    return _detail(
        request, reassessment.item, status=400, appeal_form=form, appealable=reassessment
    )


@require_POST
@staff_view("classification.view")
def classified_appeal_decide(request, pk: int):
    """The President decides the appeal (Portaria art. 48)."""
    appeal = get_object_or_404(
        ClassificationAppeal.objects.select_related("reassessment__item"), pk=pk
    )
    form = forms.ClassificationAppealDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.do_decide_classification_appeal(
                appeal,
                actor=request.user,
                outcome=data["outcome"],
                reasons=data["decision_text"],
                effect=data["effect"],
                years=data["years"],
                degree=data["degree"],
                summary=data["summary"],
            )
        except services.ManifestationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Recurso decidido."))
            return redirect("console:classified_detail", pk=appeal.reassessment.item_id)
    return _detail(
        request,
        appeal.reassessment.item,
        status=400,
        appeal_decide_form=form,
        pending_appeal=appeal,
    )


def _opinion(request, item, **target):
    form = forms.ClassificationOpinionForm(request.POST)
    if form.is_valid():
        try:
            services.do_record_opinion(actor=request.user, text=form.cleaned_data["text"], **target)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except services.ManifestationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Parecer da Ouvidoria registrado."))
            return redirect("console:classified_detail", pk=item.pk)
    return _detail(
        request,
        item,
        status=400,
        opinion_form=form,
        opinion_action=request.path,
        opinion_on_appeal="appeal" in target,
    )


@require_POST
@staff_view("classification.view")
def classified_reassessment_opinion(request, pk: int):
    """The ombudsman's opinion on a reassessment (Portaria art. 49)."""
    reassessment = get_object_or_404(
        ClassificationReassessment.objects.select_related("item"), pk=pk
    )
    return _opinion(request, reassessment.item, reassessment=reassessment)


@require_POST
@staff_view("classification.view")
def classified_appeal_opinion(request, pk: int):
    """The ombudsman's opinion on an appeal (Portaria art. 49)."""
    appeal = get_object_or_404(
        ClassificationAppeal.objects.select_related("reassessment__item"), pk=pk
    )
    return _opinion(request, appeal.reassessment.item, appeal=appeal)
