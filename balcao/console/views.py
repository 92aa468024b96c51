"""Staff console views: parse the request, call the services, render.

Every page needs a verified (two-factor) staff session and the capability named
in its ``staff_view`` decorator; the permission-matrix test walks them all.
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
from balcao.audit.models import PersonalDataAccess
from balcao.cases import filters, services
from balcao.cases.attachments import AttachmentRefused
from balcao.cases.models import Attachment, Case, State, Team
from balcao.catalog.models import Channel
from balcao.console import forms
from balcao.console.decorators import staff_view
from balcao.deadlines import services as deadline_services

PAGE_SIZE = 50


def _case_or_404(request, pk: int, *, lock_related=True) -> Case:
    queryset = services.visible_cases(request.user)
    if lock_related:
        queryset = queryset.select_related("state", "channel", "requester", "representative",
                                           "team", "assignee", "service")
    return get_object_or_404(queryset, pk=pk)


@staff_view("cases.view")
def case_list(request):
    chosen = filters.CaseFilters.from_params(request.GET)
    queryset = filters.apply_filters(services.visible_cases(request.user), chosen,
                                     user=request.user)
    queryset = queryset.select_related("state", "channel", "assignee", "team")
    cases, next_cursor = filters.page(queryset, cursor=request.GET.get("cursor", ""),
                                      size=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "cases": cases,
        "next_cursor": next_cursor,
        "filters": chosen,
        "query_string": params.urlencode(),
        "channels": Channel.objects.all(),
        "teams": Team.objects.all(),
        "categories": State.Category.choices,
    }
    template = "console/_case_rows.html" if request.headers.get("HX-Request") else \
        "console/case_list.html"
    return render(request, template, context)


@staff_view("cases.view")
def case_detail(request, pk: int):
    case = _case_or_404(request, pk)
    user = request.user
    where = f"console: atendimento {case.protocol}"
    ip = audit.client_ip(request)
    context = {
        "case": case,
        "requester": audit.reveal_requester(case.requester, user=user, where=where, ip=ip),
        "representative": audit.reveal_requester(case.representative, user=user, where=where,
                                                 ip=ip),
        "messages_list": case.messages.select_related("author_user")
        .prefetch_related("attachments"),
        "history": case.history.select_related("actor"),
        "reply_form": forms.MessageForm(),
        "transition_form": forms.TransitionForm(case=case),
        "assign_form": forms.AssignForm(initial={"team": case.team, "assignee": case.assignee}),
        "can": {cap: has_capability(user, f"cases.{cap}")
                for cap in ("reply", "note", "change_state", "assign", "extend_deadline")},
    }
    return render(request, "console/case_detail.html", context)


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
        services.do_add_message(case, form.cleaned_data["body"], actor=request.user,
                                internal=internal, files=form.cleaned_data["files"])
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
        services.do_change_state(case, form.cleaned_data["target"], actor=request.user,
                                 reason=form.cleaned_data["reason"])
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
        services.do_assign_case(case, team=form.cleaned_data["team"],
                                assignee=form.cleaned_data["assignee"], actor=request.user)
    except services.CaseError as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("Atendimento atribuído."))


@require_POST
@staff_view("cases.extend_deadline")
def case_extend(request, pk: int):
    case = _case_or_404(request, pk)
    try:
        deadline_services.do_extend_deadline(case, actor=request.user,
                                             justification=request.POST.get("justification", ""))
    except (services.CaseError, deadline_services.DeadlineError) as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("Prazo prorrogado."))


@staff_view("cases.open")
def case_new(request):
    form = forms.NewCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            requester = None
            if data["requester_name"]:
                requester = services.do_find_or_create_requester(
                    name=data["requester_name"], email=data["requester_email"],
                    cpf=data["requester_cpf"],
                )
            case = services.do_open_case(
                channel=data["channel"], service=data["service"], subject=data["subject"],
                description=data["description"], requester=requester, team=data["team"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error("requester_cpf", exc)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, case, _("Atendimento %(protocol)s aberto.")
                         % {"protocol": case.protocol})
    return render(request, "console/case_new.html", {"form": form})


@staff_view("cases.view")
def attachment_download(request, pk: int, attachment_pk: int):
    """Serve an attachment only to who may see its case; never inline, never sniffed."""
    case = _case_or_404(request, pk, lock_related=False)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, case=case)
    if attachment.message and attachment.message.internal and not has_capability(
        request.user, "cases.note"
    ):
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.filename, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_view("audit.view")
def audit_log(request):
    rows = PersonalDataAccess.objects.select_related("user", "requester")[:200]
    return render(request, "console/audit_log.html", {"rows": rows})

