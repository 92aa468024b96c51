"""The console's case page: the case, its conversation and what staff may do with it.

Every view needs a verified (two-factor) staff session and the capability named in its
``staff_view`` decorator; the permission-matrix test walks them all. The page offers only
what can succeed for this user and this case; a refused form comes back with its error
beside the field (HTTP 400) and what was typed still in it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.accounts.roles import has_capability
from balcao.audit import services as audit
from balcao.cases import clock, intake, services
from balcao.cases.attachments import AttachmentRefused, download_response
from balcao.cases.models import Attachment, Case, Requester, TerminativeTerm
from balcao.console import forms, timeline
from balcao.console.decorators import staff_view
from balcao.kb import canned as canned_answers
from balcao.kb.models import Article
from balcao.ombudsman import services as ombudsman

OTHER_CASES = 10  # the requester's other cases on the page
KB_ANSWERS = 25  # published articles offered in the reply's picker


def _case_or_404(request, pk: int, *, lock_related=True) -> Case:
    queryset = services.visible_cases(request.user)
    if lock_related:
        queryset = queryset.select_related(
            "state", "channel", "requester", "representative", "team", "assignee", "service"
        )
    return get_object_or_404(queryset, pk=pk)


@staff_view("cases.view")
def case_detail(request, pk: int):
    return _page(request, _case_or_404(request, pk))


def _deadline(case):
    """The words and colour of the case's deadline, as the work queue shows them."""
    from balcao.console.queue import deadline_label

    now = timezone.now()
    return deadline_label(
        case.due_at,
        closed=case.closed_at is not None,
        paused=case.deadline_paused_at is not None,
        now=now,
        today=timezone.localdate(now),
        due_day=timezone.localdate(case.due_at) if case.due_at else None,
        horizon=clock.display_horizon(now),
    )


def _page(request, case, *, status: int = 200, **given):
    """The case page; ``given`` are bound forms that came back with errors (they replace
    the empty ones, and the first field in error takes the focus)."""
    user = request.user
    where = f"console: atendimento {case.protocol}"
    ip = audit.client_ip(request)
    can = {
        cap: has_capability(user, f"cases.{cap}")
        for cap in ("reply", "note", "change_state", "assign", "extend_deadline")
    }
    # read once for both forms that offer a move
    moves = services.allowed_transitions(case) if can["change_state"] else []
    lai = ombudsman.is_lai(case)
    lai_answer = _lai_answer(case) if lai else None
    forms_ = {
        "reply_form": forms.MessageForm(
            case=case, change_state=can["change_state"], transitions=moves
        ),
        "transition_form": (
            forms.TransitionForm(case=case, transitions=moves) if can["change_state"] else None
        ),
        "assign_form": forms.AssignForm(
            initial={"team": case.team, "assignee": case.assignee}, menus=forms.assign_menus()
        ),
        "extend_form": forms.ExtendForm(),
        "lai_form": (
            forms.LaiAnswerForm() if can["reply"] and lai and lai_answer is None else None
        ),
    }
    for name, form in given.items():
        forms_[name] = form
        first = next((field for field in form.errors if field in form.fields), None)
        if first:
            form.fields[first].widget.attrs["autofocus"] = True
    if given:
        messages.error(request, _("Não foi possível concluir: veja o erro junto ao campo."))
    from balcao.console import ombudsman_views  # it builds on this page's views

    hidden = ombudsman_views.identity_hidden(request, case)
    context = {
        "case": case,
        "identity_hidden": hidden,
        "may_reveal": hidden and ombudsman_views.may_reveal(user),
        "requester": (
            None
            if hidden
            else audit.reveal_requester(case.requester, user=user, where=where, ip=ip)
        ),
        "representative": audit.reveal_requester(
            case.representative, user=user, where=where, ip=ip
        ),
        "messages_html": timeline.messages_html(
            case.messages.select_related("author_user").prefetch_related("attachments"),
            attachment_url=_attachment_url_maker(case.pk),
        ),
        "history_html": timeline.history_html(case.history.all()),
        "deadline": _deadline(case),
        **forms_,
        "can": can,
        # Offered only when it can succeed; a refused try shows its form with the reason.
        "show_extend": (
            can["extend_deadline"] and ("extend_form" in given or clock.can_extend(case))
        ),
        "show_transition": bool(
            forms_["transition_form"] and forms_["transition_form"].transitions
        ),
        "may_take": _may_take(user, case),
        "term_grounds": TerminativeTerm.Ground.choices,
        "term": case.closed_at is not None and TerminativeTerm.objects.filter(case=case).exists(),
        "link_candidates": None if hidden else _link_candidates(case, user, where=where, ip=ip),
        "other_cases": [] if hidden else _other_cases(case, user),
        "picker": can["reply"] or can["note"],
        "lai_answer": lai_answer,
        **(_lai_appeals(case, lai_answer) if lai else {}),
        **ombudsman_views.case_context(request, case, given),
        **ombudsman_views.mediation_context(request, case, given),
        **ombudsman_views.external_complaint_context(request, case, given),
    }
    return render(request, "console/case_detail.html", context, status=status)


def _attachment_url_maker(case_pk: int):
    """``pk -> URL`` of an attachment of this case, reversing once per page."""
    marker = 987654321
    template = reverse("console:attachment_download", args=[case_pk, marker])
    before, _, after = template.rpartition(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def _other_cases(case, user) -> list[dict]:
    """The requester's last other cases that ``user`` may see (one query)."""
    if case.requester_id is None:
        return []
    return list(
        services.visible_cases(user)
        .filter(requester_id=case.requester_id)
        .exclude(pk=case.pk)
        .order_by("-created_at", "-pk")
        .values("pk", "protocol", "subject", "state__name", "created_at")[:OTHER_CASES]
    )


@staff_view("cases.view")
def case_answer_picker(request, pk: int):
    """The reply's picker of canned answers and knowledge-base answers, loaded when the
    agent opens it (``hx-get`` on the ``<details>`` of the case page): fifty texts, each
    written twice, were half of the case page's weight and a fifth of its rendering."""
    case = _case_or_404(request, pk, lock_related=False)
    user = request.user
    if not (has_capability(user, "cases.reply") or has_capability(user, "cases.note")):
        raise PermissionDenied
    return render(
        request,
        "console/_answer_picker_items.html",
        {"picker": _picker(case), "insert_into": request.GET.get("into", "reply-body")[:40]},
    )


def _picker(case) -> dict:
    """What the reply's picker offers: the team's and everyone's canned answers, then the
    published knowledge-base answers (the case's service first)."""
    canned = list(canned_answers.offered_for(case.team_id).values("pk", "title", "body"))
    articles = Article.objects.filter(state=Article.State.PUBLISHED)
    if case.service_id:
        articles = articles.annotate(
            same_service=ExpressionWrapper(
                Q(service_id=case.service_id), output_field=BooleanField()
            )
        ).order_by("-same_service", "question")
    kb = list(articles.values("pk", "question", "answer")[:KB_ANSWERS])
    return {"canned": canned, "kb": kb}


def _may_take(user, case) -> bool:
    """Whether "Atribuir a mim" can succeed (``services.take_refusal``)."""
    return services.take_refusal(user, case) is None


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
    """A reply or a note and, when chosen, the state it moves the case to: both in one
    transaction, so the person gets one e-mail for both (cases.outbound) and a refused
    move leaves no half-done reply."""
    case = _case_or_404(request, pk)
    form = forms.MessageForm(
        request.POST,
        request.FILES,
        case=case,
        change_state=has_capability(request.user, "cases.change_state"),
    )
    if not form.is_valid():
        return _page(request, case, reply_form=form, status=400)
    target = form.cleaned_data["target"]
    step = "body"
    try:
        with transaction.atomic():
            services.do_add_message(
                case,
                form.cleaned_data["body"],
                actor=request.user,
                internal=internal,
                files=form.cleaned_data["files"],
            )
            if target is not None:
                step = "target"
                services.do_change_state(
                    case, target, actor=request.user, reason=form.cleaned_data["reason"]
                )
    except AttachmentRefused as exc:
        form.add_error("files", str(exc))
    except services.CaseError as exc:
        form.add_error(step, str(exc))
    else:
        text = _("Nota registrada.") if internal else _("Resposta enviada.")
        if target is not None:
            text = "{} {}".format(
                text, _("Situação alterada para “%(state)s”.") % {"state": target.name}
            )
        return _done(request, case, text)
    return _page(request, case, reply_form=form, status=400)


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
    if form.is_valid():
        try:
            services.do_change_state(
                case,
                form.cleaned_data["target"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.CaseError as exc:
            form.add_error("target", str(exc))
        else:
            return _done(request, case, _("Situação alterada."))
    return _page(request, case, transition_form=form, status=400)


@require_POST
@staff_view("cases.assign")
def case_assign(request, pk: int):
    case = _case_or_404(request, pk)
    form = forms.AssignForm(request.POST)
    if form.is_valid():
        try:
            services.do_assign_case(
                case,
                team=form.cleaned_data["team"],
                assignee=form.cleaned_data["assignee"],
                actor=request.user,
            )
        except services.CaseError as exc:
            form.add_error("assignee", str(exc))
        else:
            return _done(request, case, _("Atendimento atribuído."))
    return _page(request, case, assign_form=form, status=400)


@require_POST
@staff_view("cases.take")
def case_take(request, pk: int):
    """ "Atribuir a mim": the user takes the case."""
    case = _case_or_404(request, pk)
    try:
        services.do_take_case(case, actor=request.user)
    except (services.CaseError, services.PermissionDenied) as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("Atendimento atribuído a você."))


@require_POST
@staff_view("cases.extend_deadline")
def case_extend(request, pk: int):
    case = _case_or_404(request, pk)
    form = forms.ExtendForm(request.POST)
    if form.is_valid():
        try:
            clock.do_extend_deadline(
                case, actor=request.user, justification=form.cleaned_data["justification"]
            )
        except services.CaseError as exc:
            form.add_error("justification", str(exc))
        else:
            return _done(request, case, _("Prazo prorrogado."))
    return _page(request, case, extend_form=form, status=400)


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
                # the acknowledgement needs somewhere to go (sent after the commit)
                acknowledge=data["acknowledge"] and _has_email(requester),
            )
        except ValidationError as exc:
            form.add_error("requester_cpf", exc)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            opened = _("Atendimento %(protocol)s aberto.") % {"protocol": case.protocol}
            if services.is_confidential(case) and not services.sees_confidential(request.user):
                # Registered for the ombudsman (a denúncia taken by phone, say): from now on
                # only the ombudsman role sees it, so the page to go to is the queue.
                messages.success(
                    request,
                    opened + " " + _("Ele foi para a ouvidoria: só ela vê este atendimento."),
                )
                return redirect("console:case_list")
            return _done(request, case, opened)
    return render(request, "console/case_new.html", {"form": form})


def _has_email(requester) -> bool:
    if requester is None:
        return False
    representative = requester.active_representative
    return bool(requester.email or (representative and representative.email))


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
    return download_response(attachment)


def _lai_answer(case):
    from balcao.ombudsman.models import LaiAnswer

    return LaiAnswer.objects.filter(case=case).first()


def _lai_appeals(case, answer) -> dict:
    """The request's appeals, the one the person may file now and the one awaiting a
    decision (ombudsman.services.next_appeal, given the appeals and the ``answer`` read
    here)."""
    from balcao.ombudsman.models import LaiAppeal

    appeals = list(LaiAppeal.objects.filter(case=case))
    following = ombudsman.next_appeal(case, appeals=appeals, answer=answer)
    return {
        "lai_appeals": appeals,
        "lai_next": (
            {"label": LaiAppeal.Instance(following[0]).label, "due": following[1]}
            if following
            else None
        ),
        "lai_pending": next((a for a in appeals if not a.outcome), None),
        "lai_outcomes": LaiAppeal.Outcome.choices,
    }


@require_POST
@staff_view("cases.reply")
def case_lai_appeal(request, pk: int):
    """Register the person's appeal at the instance open to them (Lei 12.527 art. 15)."""
    case = _case_or_404(request, pk)
    try:
        ombudsman.do_register_appeal(case, text=request.POST.get("text", ""), actor=request.user)
    except ombudsman.ManifestationError as exc:
        return _refused(request, case, " ".join(m for ms in exc.fields.values() for m in ms))
    return _done(request, case, _("Recurso registrado; o requerente foi avisado."))


@require_POST
@staff_view("cases.reply")
def case_lai_appeal_decide(request, pk: int, appeal: int):
    from balcao.ombudsman.models import LaiAppeal

    case = _case_or_404(request, pk)
    found = get_object_or_404(LaiAppeal, pk=appeal, case=case)
    try:
        ombudsman.do_decide_appeal(
            found,
            outcome=request.POST.get("outcome", ""),
            text=request.POST.get("decision_text", ""),
            actor=request.user,
        )
    except ombudsman.ManifestationError as exc:
        return _refused(request, case, " ".join(m for ms in exc.fields.values() for m in ms))
    return _done(request, case, _("Decisão do recurso registrada; o requerente foi avisado."))


@require_POST
@staff_view("cases.reply")
def case_lai_answer(request, pk: int):
    """The conclusive answer to an access-to-information request (Lei 12.527/2011)."""
    case = _case_or_404(request, pk)
    if not ombudsman.is_lai(case):
        return _refused(
            request, case, _("Este atendimento não é um pedido de acesso à informação.")
        )
    form = forms.LaiAnswerForm(request.POST)
    if form.is_valid():
        try:
            ombudsman.do_answer_lai(case, actor=request.user, **form.cleaned_data)
        except ombudsman.ManifestationError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        except services.PermissionDenied as exc:
            return _refused(request, case, exc)
        else:
            return _done(request, case, _("Resposta conclusiva enviada ao requerente."))
    return _page(request, case, status=400, lai_form=form)


@require_POST
@staff_view("cases.change_state")
def case_terminate(request, pk: int):
    """Close with a terminative answer (Portaria, art. 35 §3 / art. 43 §5)."""
    case = _case_or_404(request, pk)
    try:
        services.do_terminate_case(
            case,
            actor=request.user,
            ground=request.POST.get("ground", ""),
            statement=request.POST.get("statement", ""),
        )
    except (services.CaseError, services.PermissionDenied) as exc:
        return _refused(request, case, exc)
    return _done(
        request,
        case,
        _("Atendimento encerrado com resposta terminativa; a Ouvidoria foi informada."),
    )


@staff_view("cases.view")
def case_term(request, pk: int):
    """The term of a terminative answer, as a printable page of its own."""
    case = _case_or_404(request, pk)
    term = get_object_or_404(TerminativeTerm.objects.select_related("by"), case=case)
    return render(request, "console/case_term.html", {"case": case, "term": term})
