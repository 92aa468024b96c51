"""The ombudsman's work on a manifestation, and the units' side of it.

On the case page (ombudsman role only: the channel is confidential): the triage, the
forwarding of a pseudonymised copy to one or more units, their answers, and — for a
manifestation filed with identity preserved — the identity shown only after the ombudsman
writes why (Decreto 10.153/2019; each reveal audited with its reason). For the units:
"Encaminhamentos", the copies forwarded to their teams, each answered by its internal
deadline; a unit never reaches the case, its thread or who filed it. Parse the request,
call ombudsman.services, render.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.accounts.permissions import PermissionDenied
from balcao.accounts.roles import OMBUDSMAN, roles_of
from balcao.audit import services as audit
from balcao.cases.models import Attachment
from balcao.console import forms
from balcao.console.case_views import _case_or_404, _page
from balcao.console.decorators import staff_view
from balcao.ombudsman import services as ombudsman
from balcao.ombudsman.models import (
    ExternalComplaint,
    Forwarding,
    Manifestation,
    Mediation,
    MediationSession,
    Triage,
)

REVEAL_SECONDS = 15 * 60  # how long a reveal lasts on the case page


def _reveal_key(case_pk: int) -> str:
    return f"identity-revealed-{case_pk}"


def identity_hidden(request, case) -> bool:
    """Whether the case page hides who filed ``case``: a manifestation with identity
    preserved, until the ombudsman writes why they need to see it (then for fifteen
    minutes of this session)."""
    if not ombudsman.is_manifestation(case):
        return False
    manifestation = Manifestation.objects.filter(case_id=case.pk).only("identity").first()
    if manifestation is None or manifestation.identity != Manifestation.Identity.PRESERVED:
        return False
    revealed = request.session.get(_reveal_key(case.pk))
    return not (revealed and time.time() - revealed < REVEAL_SECONDS)


def may_reveal(user) -> bool:
    return OMBUDSMAN in roles_of(user)


def case_context(request, case, given: dict) -> dict:
    """What the case page shows of the ombudsman's work on ``case`` (empty for other
    cases and other roles)."""
    if not ombudsman.is_manifestation(case) or OMBUDSMAN not in roles_of(request.user):
        return {}
    triage = Triage.objects.filter(case=case).select_related("duplicate_of").first()
    context: dict = {
        "ombudsman": True,
        "triage": triage,
        "forwardings": list(case.forwardings.select_related("team").prefetch_related("files")),
    }
    if case.is_open and triage is None:
        context["triage_form"] = given.get("triage_form") or forms.OmbudsmanTriageForm()
    if case.is_open and triage is not None and triage.outcome == Triage.Outcome.ADMISSIBLE:
        attachments = list(Attachment.objects.filter(case=case).only("pk", "filename"))
        form = given.get("forward_form")
        suggestion = None
        if form is None:
            suggestion = ombudsman.suggested_copy(case)
            form = forms.ForwardForm(
                initial={
                    "subject": suggestion["subject"],
                    "text": suggestion["text"],
                    "due_on": ombudsman.default_forwarding_due(case),
                },
                attachments=attachments,
            )
        context["forward_form"] = form
        context["copy_removed"] = suggestion["removed"] if suggestion else None
    return context


@require_POST
@staff_view("cases.view")
def case_triage(request, pk: int):
    case = _manifestation_or_refuse(request, pk)
    if case is None:
        return redirect("console:case_detail", pk=pk)
    form = forms.OmbudsmanTriageForm(request.POST)
    if form.is_valid():
        try:
            ombudsman.do_triage(case, actor=request.user, **form.cleaned_data)
        except ombudsman.ManifestationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Triagem registrada."))
            return redirect("console:case_detail", pk=case.pk)
    return _page(request, case, status=400, triage_form=form)


@require_POST
@staff_view("cases.view")
def case_forward(request, pk: int):
    case = _manifestation_or_refuse(request, pk)
    if case is None:
        return redirect("console:case_detail", pk=pk)
    attachments = list(Attachment.objects.filter(case=case).only("pk", "filename"))
    form = forms.ForwardForm(request.POST, attachments=attachments)
    if form.is_valid():
        data = form.cleaned_data
        try:
            forwarding = ombudsman.do_forward(
                case,
                team=data["team"],
                subject=data["subject"],
                text=data["text"],
                instructions=data["instructions"],
                due_on=data["due_on"],
                attachment_ids=[int(pk) for pk in data["attachments"]],
                actor=request.user,
            )
        except ombudsman.ManifestationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request,
                _("Encaminhado à unidade %(team)s (cópia pseudonimizada).")
                % {"team": forwarding.team.name},
            )
            return redirect("console:case_detail", pk=case.pk)
    return _page(request, case, status=400, forward_form=form)


@require_POST
@staff_view("cases.view")
def case_reveal_identity(request, pk: int):
    """Show who filed a manifestation with identity preserved, for a reason that is kept
    with the access (audit: the ombudsman role only, Decreto 10.153/2019 art. 3º §2º)."""
    if not may_reveal(request.user):
        raise Forbidden
    case = _case_or_404(request, pk)
    if case.requester_id is None:
        raise Http404
    form = forms.RevealIdentityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Escreva o motivo da consulta à identidade."))
        return redirect("console:case_detail", pk=case.pk)
    audit.record_access(
        case.requester,
        user=request.user,
        where=f"console: identidade preservada {case.protocol}",
        purpose=form.cleaned_data["reason"],
        ip=audit.client_ip(request),
    )
    request.session[_reveal_key(case.pk)] = time.time()
    messages.success(request, _("Identidade exibida por 15 minutos; a consulta foi registrada."))
    return redirect("console:case_detail", pk=case.pk)


def _manifestation_or_refuse(request, pk: int):
    """The case, for the ombudsman role (403 for anyone else); None, with a message, when
    it is not a manifestation to the ombudsman."""
    if not may_reveal(request.user):
        raise Forbidden
    case = _case_or_404(request, pk)
    if not ombudsman.is_manifestation(case):
        messages.error(request, _("Só as manifestações à Ouvidoria têm triagem e encaminhamento."))
        return None
    return case


def _add_errors(form, exc) -> None:
    for field, errors in exc.fields.items():
        form.add_error(field if field in form.fields else None, errors)


# --- the units' side ----------------------------------------------------------------


@staff_view("cases.view")
def forwarding_list(request):
    """The copies forwarded to the user's units: unanswered first, by internal deadline."""
    now = timezone.now()
    items = list(
        ombudsman.forwardings_for(request.user).order_by("answered_at", "due_at", "pk")[:200]
    )
    return render(
        request,
        "console/forwarding_list.html",
        {
            "pending": [f for f in items if f.answered_at is None],
            "answered": [f for f in items if f.answered_at is not None][:50],
            "now": now,
        },
    )


def _forwarding_or_404(request, pk: int) -> Forwarding:
    return get_object_or_404(
        ombudsman.forwardings_for(request.user).prefetch_related("files"), pk=pk
    )


@staff_view("cases.view")
def forwarding_detail(request, pk: int):
    forwarding = _forwarding_or_404(request, pk)
    form = None
    status = 200
    if forwarding.answered_at is None:
        form = forms.ForwardingAnswerForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    ombudsman.do_answer_forwarding(
                        forwarding, text=form.cleaned_data["answer"], actor=request.user
                    )
                except ombudsman.ManifestationError as exc:
                    _add_errors(form, exc)
                else:
                    messages.success(request, _("Resposta enviada à Ouvidoria."))
                    return redirect("console:forwarding_detail", pk=forwarding.pk)
            status = 400
    return render(
        request,
        "console/forwarding_detail.html",
        {"forwarding": forwarding, "form": form, "now": timezone.now()},
        status=status,
    )


@staff_view("cases.view")
def forwarding_file(request, pk: int, file_pk: int):
    forwarding = _forwarding_or_404(request, pk)
    item = get_object_or_404(forwarding.files, pk=file_pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.filename)


# --- Resolução Pacífica de Conflitos ------------------------------------------------------


def mediation_context(request, case, given: dict) -> dict:
    """The mediation section of the case page (the ombudsman coordinates it)."""
    if not ombudsman.is_mediation(case) or OMBUDSMAN not in roles_of(request.user):
        return {}
    mediation = Mediation.objects.filter(case=case).first()
    context: dict = {
        "mediation_section": True,
        "mediation": mediation,
        "mediation_sessions": list(mediation.sessions.all()) if mediation else [],
    }
    if case.is_open:
        context.update(
            mediation_deadline_form=given.get("mediation_deadline_form")
            or forms.MediationDeadlineForm(),
            mediation_session_form=given.get("mediation_session_form")
            or forms.MediationSessionForm(),
            mediation_conclusion_form=given.get("mediation_conclusion_form")
            or forms.MediationConclusionForm(),
        )
    return context


_MEDIATION_FORMS = {
    "deadline": ("mediation_deadline_form", forms.MediationDeadlineForm),
    "session": ("mediation_session_form", forms.MediationSessionForm),
    "conclude": ("mediation_conclusion_form", forms.MediationConclusionForm),
}


@require_POST
@staff_view("cases.view")
def case_mediation(request, pk: int):
    """One step of the mediation (``action``: deadline, session, minutes, conclude)."""
    if not may_reveal(request.user):
        raise Forbidden
    case = _case_or_404(request, pk)
    if not ombudsman.is_mediation(case):
        messages.error(request, _("Só os casos de Resolução Pacífica de Conflitos têm mediação."))
        return redirect("console:case_detail", pk=case.pk)
    action = request.POST.get("action", "")
    if action == "minutes":
        session = get_object_or_404(
            MediationSession, pk=request.POST.get("session") or 0, mediation__case=case
        )
        try:
            ombudsman.do_record_session(
                session,
                held=request.POST.get("held") == "yes",
                minutes=request.POST.get("minutes", ""),
                actor=request.user,
            )
        except ombudsman.ManifestationError as exc:
            messages.error(request, " ".join(m for ms in exc.fields.values() for m in ms))
        else:
            messages.success(request, _("Sessão registrada."))
        return redirect("console:case_detail", pk=case.pk)
    if action not in _MEDIATION_FORMS:
        raise Http404
    name, form_class = _MEDIATION_FORMS[action]
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "deadline":
                ombudsman.do_agree_deadline(case, actor=request.user, **data)
            elif action == "session":
                ombudsman.do_schedule_session(case, actor=request.user, **data)
            else:
                ombudsman.do_conclude_mediation(case, actor=request.user, **data)
        except ombudsman.ManifestationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Mediação atualizada."))
            return redirect("console:case_detail", pk=case.pk)
    return _page(request, case, status=400, **{name: form})


@staff_view("cases.view")
def case_agreement(request, pk: int):
    """The term of agreement of a mediation, as its own printable page."""
    case = _case_or_404(request, pk)
    mediation = get_object_or_404(
        Mediation, case=case, outcome=Mediation.Outcome.AGREEMENT, concluded_at__isnull=False
    )
    held = mediation.sessions.filter(held=True).count()
    return render(
        request,
        "console/mediation_agreement.html",
        {"case": case, "mediation": mediation, "held": held},
    )


# --- Reclame Aqui -----------------------------------------------------------------------


@staff_view("cases.open")
def external_complaint_new(request):
    """Register a complaint published on Reclame Aqui (its clock runs from the publication)."""
    form = forms.ExternalComplaintForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = ombudsman.do_register_external_complaint(
                    actor=request.user, **form.cleaned_data
                )
            except ombudsman.ManifestationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Reclamação registrada: protocolo %(protocol)s.")
                    % {"protocol": case.protocol},
                )
                return redirect("console:case_detail", pk=case.pk)
        status = 400
    return render(request, "console/external_complaint_new.html", {"form": form}, status=status)


def external_complaint_context(request, case, given: dict) -> dict:
    if not ombudsman.is_external_complaint(case):
        return {}
    complaint = ExternalComplaint.objects.filter(case=case).first()
    if complaint is None:
        return {}
    context: dict = {"external_complaint": complaint}
    from balcao.accounts.roles import has_capability

    if not has_capability(request.user, "cases.reply"):
        return context
    if case.is_open and case.state.category != "resolved":
        context["public_reply_form"] = given.get("public_reply_form") or forms.PublicReplyForm()
    if complaint.replied_at and (
        complaint.evaluated_at is None or complaint.evaluated_at < complaint.replied_at
    ):
        context["site_evaluation_form"] = (
            given.get("site_evaluation_form") or forms.SiteEvaluationForm()
        )
    return context


@require_POST
@staff_view("cases.reply")
def case_external_complaint(request, pk: int):
    """Record the public reply (``action=reply``) or the site's evaluation
    (``action=evaluation``) of a Reclame Aqui complaint."""
    case = _case_or_404(request, pk)
    if not ExternalComplaint.objects.filter(case=case).exists():
        messages.error(request, _("Este atendimento não é uma reclamação do Reclame Aqui."))
        return redirect("console:case_detail", pk=case.pk)
    if request.POST.get("action") == "evaluation":
        form, name = forms.SiteEvaluationForm(request.POST), "site_evaluation_form"
    else:
        form, name = forms.PublicReplyForm(request.POST), "public_reply_form"
    if form.is_valid():
        try:
            if name == "public_reply_form":
                ombudsman.do_record_public_reply(case, actor=request.user, **form.cleaned_data)
            else:
                ombudsman.do_record_evaluation(case, actor=request.user, **form.cleaned_data)
        except ombudsman.ManifestationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Registrado."))
            return redirect("console:case_detail", pk=case.pk)
    return _page(request, case, status=400, **{name: form})
