"""The console's case page: the case, its conversation and what staff may do with it.

Every view needs a verified (two-factor) staff session and the capability named in its
``staff_view`` decorator; the permission-matrix test walks them all.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.accounts.roles import has_capability
from balcao.audit import services as audit
from balcao.cases import clock, intake, services
from balcao.cases.attachments import AttachmentRefused
from balcao.cases.models import Attachment, Case, Requester
from balcao.console import forms
from balcao.console.decorators import staff_view


def _case_or_404(request, pk: int, *, lock_related=True) -> Case:
    queryset = services.visible_cases(request.user)
    if lock_related:
        queryset = queryset.select_related(
            "state", "channel", "requester", "representative", "team", "assignee", "service"
        )
    return get_object_or_404(queryset, pk=pk)


@staff_view("cases.view")
def case_detail(request, pk: int):
    case = _case_or_404(request, pk)
    user = request.user
    where = f"console: atendimento {case.protocol}"
    ip = audit.client_ip(request)
    context = {
        "case": case,
        "requester": audit.reveal_requester(case.requester, user=user, where=where, ip=ip),
        "representative": audit.reveal_requester(
            case.representative, user=user, where=where, ip=ip
        ),
        "messages_list": case.messages.select_related("author_user").prefetch_related(
            "attachments"
        ),
        "history": case.history.select_related("actor"),
        "reply_form": forms.MessageForm(),
        "transition_form": forms.TransitionForm(case=case),
        "assign_form": forms.AssignForm(initial={"team": case.team, "assignee": case.assignee}),
        "can": {
            cap: has_capability(user, f"cases.{cap}")
            for cap in ("reply", "note", "change_state", "assign", "extend_deadline")
        },
        "link_candidates": _link_candidates(case, user, where=where, ip=ip),
    }
    return render(request, "console/case_detail.html", context)


def _link_candidates(case, user, *, where: str, ip) -> list[dict] | None:
    """For an unverified contact (public input), the people on file it may be, for staff
    who may link them; None when there is nothing to decide."""
    contact = case.requester
    if (
        contact is None
        or not contact.unverified
        or contact.linked_to_id is not None
        or not has_capability(user, "requesters.edit")
    ):
        return None
    return [
        {"pk": person.pk, **audit.reveal_requester(person, user=user, where=where, ip=ip)}
        for person in intake.possible_matches(contact)[:5]
    ]


@require_POST
@staff_view("requesters.edit")
def case_link_requester(request, pk: int):
    """Staff decide that the unverified contact of this case is a person on file: the
    contact's cases move onto that person, recorded in each case's history."""
    case = _case_or_404(request, pk)
    chosen = request.POST.get("person", "").strip()
    person = (
        Requester.objects.filter(pk=int(chosen), unverified=False).first()
        if chosen.isdigit() and len(chosen) < 12
        else None
    )
    if case.requester is None or person is None:
        return _refused(request, case, _("Escolha um cadastro existente."))
    try:
        intake.do_link_contact(
            case.requester, person, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except services.CaseError as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("Contato vinculado ao cadastro."))


def _done(request, case, text):
    messages.success(request, text)
    return redirect("console:case_detail", pk=case.pk)


def _refused(request, case, exc):
    messages.error(request, str(exc))
    return redirect("console:case_detail", pk=case.pk)


def _post_message(request, pk: int, *, internal: bool):
    case = _case_or_404(request, pk)
    form = forms.MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, case, " ".join(e for errs in form.errors.values() for e in errs))
    try:
        services.do_add_message(
            case,
            form.cleaned_data["body"],
            actor=request.user,
            internal=internal,
            files=form.cleaned_data["files"],
        )
    except (services.CaseError, AttachmentRefused) as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("Nota registrada.") if internal else _("Resposta enviada."))


@require_POST
@staff_view("cases.reply")
def case_reply(request, pk: int):
    return _post_message(request, pk, internal=False)


@require_POST
@staff_view("cases.note")
def case_note(request, pk: int):
    return _post_message(request, pk, internal=True)


@require_POST
@staff_view("cases.change_state")
def case_transition(request, pk: int):
    case = _case_or_404(request, pk)
    form = forms.TransitionForm(request.POST, case=case)
    if not form.is_valid():
        return _refused(request, case, _("Escolha uma situação permitida."))
    try:
        services.do_change_state(
            case,
            form.cleaned_data["target"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except services.CaseError as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("Situação alterada."))


@require_POST
@staff_view("cases.assign")
def case_assign(request, pk: int):
    case = _case_or_404(request, pk)
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, _("Escolha uma equipe ou um responsável válido."))
    try:
        services.do_assign_case(
            case,
            team=form.cleaned_data["team"],
            assignee=form.cleaned_data["assignee"],
            actor=request.user,
        )
    except services.CaseError as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("Atendimento atribuído."))


@require_POST
@staff_view("cases.extend_deadline")
def case_extend(request, pk: int):
    case = _case_or_404(request, pk)
    try:
        clock.do_extend_deadline(
            case, actor=request.user, justification=request.POST.get("justification", "")
        )
    except services.CaseError as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("Prazo prorrogado."))


@staff_view("cases.open")
def case_new(request):
    form = forms.NewCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.check_can_open_for_team(request.user, data["team"])
            requester = None
            if data["requester_name"]:
                requester = services.do_find_or_create_requester(
                    name=data["requester_name"],
                    email=data["requester_email"],
                    cpf=data["requester_cpf"],
                )
            case = services.do_open_case(
                channel=data["channel"],
                service=data["service"],
                subject=data["subject"],
                description=data["description"],
                requester=requester,
                team=data["team"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error("requester_cpf", exc)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(
                request, case, _("Atendimento %(protocol)s aberto.") % {"protocol": case.protocol}
            )
    return render(request, "console/case_new.html", {"form": form})


@staff_view("cases.view")
def attachment_download(request, pk: int, attachment_pk: int):
    """Serve an attachment only to who may see its case; never inline, never sniffed."""
    case = _case_or_404(request, pk, lock_related=False)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, case=case)
    if (
        attachment.message
        and attachment.message.internal
        and not has_capability(request.user, "cases.note")
    ):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
