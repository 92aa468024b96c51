"""The follow-up page ("Acompanhar atendimento"): the person opens their case with its
protocol and access code, reads the answer, replies with files and rates the service.

Opening a case grants it to this browser's session for ``GRANT_SECONDS`` of inactivity
(the session key is renewed at the grant); the rules are ``cases.followup``'s.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from balcao.cases import followup
from balcao.cases.attachments import download_response
from balcao.cases.models import Attachment, Case, Message
from balcao.client import client_address
from balcao.errors import Refused
from balcao.portal import services
from balcao.portal.followup_forms import (
    AccessForm,
    EmailProofForm,
    NewCodeForm,
    RatingForm,
    ReplyForm,
)

SESSION_KEY = "followup_cases"
GRANT_SECONDS = followup.GRANT_SECONDS


def _grant(request, case: Case) -> None:
    request.session.cycle_key()
    grants = request.session.get(SESSION_KEY, {})
    grants[str(case.pk)] = int(time.time())
    request.session[SESSION_KEY] = grants


def _granted_case(request, pk: int) -> Case | None:
    grants = request.session.get(SESSION_KEY, {})
    at = grants.get(str(pk))
    if at is None or time.time() - at > GRANT_SECONDS:
        return None
    grants[str(pk)] = int(time.time())
    request.session[SESSION_KEY] = grants
    return Case.objects.select_related("state", "channel", "rating").filter(pk=pk).first()


def _case_or_login(request, pk: int):
    case = _granted_case(request, pk)
    if case is None:
        return None, HttpResponseRedirect(reverse("portal:followup"))
    return case, None


@require_http_methods(["GET", "POST"])
def followup_access(request):
    """Protocol + access code → the case's page (the same refusal for a wrong code and an
    unknown protocol; limited per address and per protocol)."""
    status = 200
    if request.method == "POST":
        form = AccessForm(request.POST)
        if form.is_valid():
            try:
                case = followup.check_access(
                    form.cleaned_data["protocol"],
                    form.cleaned_data["code"],
                    ip=client_address(request),
                )
            except followup.AccessRefused as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                _grant(request, case)
                return redirect("portal:followup_case", pk=case.pk)
        else:
            status = 400
    else:
        form = AccessForm(initial={"protocol": request.GET.get("protocolo", "")[:60]})
    return render(request, "portal/followup_access.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def followup_new_code(request):
    """A new code to the e-mail on file; the answer is the same whether or not they match."""
    sent = False
    status = 200
    if request.method == "POST":
        form = NewCodeForm(request.POST)
        if form.is_valid():
            try:
                followup.do_request_new_code(
                    form.cleaned_data["protocol"],
                    form.cleaned_data["email"],
                    ip=client_address(request),
                )
            except followup.AccessRefused as exc:
                form.add_error(None, str(exc))
                status = 429
            else:
                sent = True
        else:
            status = 400
    else:
        form = NewCodeForm(initial={"protocol": request.GET.get("protocolo", "")[:60]})
    return render(
        request, "portal/followup_new_code.html", {"form": form, "sent": sent}, status=status
    )


def _page(request, case: Case, *, reply_form=None, rating_form=None, status=200):
    thread = list(followup.public_thread(case))
    return render(
        request,
        "portal/followup_case.html",
        {
            "case": case,
            "channel_name": case.channel.text("name", services.current_language()),
            "due": services.format_due(case.due_at),
            "paused": case.deadline_paused_at is not None,
            "waiting": case.state.category == "waiting_requester",
            "pending_request": followup.pending_request(case),
            "thread": thread,
            "requester_kind": Message.Author.REQUESTER,
            "reply_form": reply_form or ReplyForm(channel=case.channel),
            "rating_form": rating_form or RatingForm(),
            "can_reply": followup.can_reply(case),
            "contests": followup.contests_answer(case),
            "can_rate": followup.can_rate(case),
            "rating": getattr(case, "rating", None),
            "required_word": gettext("obrigatório"),
        },
        status=status,
    )


def followup_case(request, pk: int):
    case, refusal = _case_or_login(request, pk)
    if refusal:
        return refusal
    return _page(request, case)


@require_POST
def followup_reply(request, pk: int):
    case, refusal = _case_or_login(request, pk)
    if refusal:
        return refusal
    form = ReplyForm(request.POST, request.FILES, channel=case.channel)
    if form.is_valid():
        files = [form.cleaned_data["attachment"]] if form.cleaned_data["attachment"] else []
        try:
            followup.do_requester_reply(case, form.cleaned_data["body"], files=files)
        except (Refused, ValidationError) as exc:
            form.add_error(None, exc.messages if hasattr(exc, "messages") else str(exc))
        else:
            messages.success(request, gettext("Mensagem enviada. A equipe foi avisada."))
            return redirect("portal:followup_case", pk=case.pk)
    case.refresh_from_db()
    return _page(request, case, reply_form=form, status=400)


@require_POST
def followup_rate(request, pk: int):
    case, refusal = _case_or_login(request, pk)
    if refusal:
        return refusal
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            followup.do_rate_case(
                case,
                score=form.cleaned_data["score"],
                resolved=form.cleaned_data["resolved"],
                comment=form.cleaned_data["comment"],
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Obrigado pela sua avaliação!"))
            return redirect("portal:followup_case", pk=case.pk)
    return _page(request, case, rating_form=form, status=400)


def followup_file(request, pk: int, attachment_pk: int):
    """A file of the public thread, to the person who opened the case; never inline."""
    case, refusal = _case_or_login(request, pk)
    if refusal:
        return refusal
    attachment = get_object_or_404(
        Attachment.objects.select_related("message"), pk=attachment_pk, case=case
    )
    if attachment.message is None or attachment.message.internal:
        raise Http404
    return download_response(attachment)


@require_POST
def followup_leave(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("portal:followup")


# --- "Meus atendimentos": every case of a proven e-mail -----------------------------------

EMAIL_SESSION_KEY = followup.EMAIL_SESSION_KEY


@require_http_methods(["GET", "POST"])
def my_cases_request(request):
    sent = False
    status = 200
    _remember_next(request)
    for_chat = CHAT_PATH in request.session.get(NEXT_SESSION_KEY, "")
    form = EmailProofForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                followup.do_send_email_proof(
                    form.cleaned_data["email"],
                    ip=client_address(request),
                    link_base=request.build_absolute_uri(reverse("portal:my_cases_request")),
                    without_cases=for_chat,
                )
            except followup.AccessRefused as exc:
                form.add_error(None, str(exc))
                status = 429
            else:
                sent = True
        else:
            status = 400
    return render(
        request,
        "portal/my_cases_request.html",
        {"form": form, "sent": sent, "for_chat": for_chat},
        status=status,
    )


def my_cases_proof(request, token: str):
    try:
        address = followup.check_email_proof(token)
    except followup.AccessRefused as exc:
        return render(
            request,
            "portal/my_cases_request.html",
            {"form": EmailProofForm(), "link_error": str(exc)},
            status=403,
        )
    request.session.cycle_key()
    request.session[EMAIL_SESSION_KEY] = {"email": address, "at": int(time.time())}
    return redirect(request.session.pop(NEXT_SESSION_KEY, None) or "portal:my_cases")


NEXT_SESSION_KEY = "followup_email_next"
#: Where the live chat's pages live: a proof asked on the way there is to start a chat.
CHAT_PATH = "/atendimento/"


def _remember_next(request) -> None:
    """A page that needs the proof (the live chat's) sends here with ``next``: the proof
    link opened in this browser goes back there (same-site paths only)."""
    target = request.GET.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        request.session[NEXT_SESSION_KEY] = target[:500]


def _proven_email(request) -> str:
    proof = request.session.get(EMAIL_SESSION_KEY) or {}
    if not proof or time.time() - proof.get("at", 0) > GRANT_SECONDS:
        return ""
    return proof["email"]


@require_http_methods(["GET", "POST"])
def my_cases(request):
    address = _proven_email(request)
    if not address:
        return redirect("portal:my_cases_request")
    if request.method == "POST":
        moved = followup.do_link_by_email_proof(address)
        messages.success(
            request,
            gettext("Pronto: %(n)s atendimento(s) ligado(s) ao seu cadastro.") % {"n": moved},
        )
        return redirect("portal:my_cases")
    # Seed 004: "o histórico dos últimos 20 (vinte) registros de atendimento realizados" —
    # twenty a page, the older ones a page further on.
    page = Paginator(followup.cases_of_email(address), MY_CASES_PER_PAGE).get_page(
        request.GET.get("pagina")
    )
    cases = list(page.object_list)
    for case in cases:
        _grant_quietly(request, case)
    _mark_chats(cases)
    contacts, person = followup.linkable_contacts(address)
    return render(
        request,
        "portal/my_cases.html",
        {
            "cases": cases,
            "page": page,
            "email": address,
            "can_link": bool(contacts and person),
        },
    )


MY_CASES_PER_PAGE = 20


def _mark_chats(cases: list[Case]) -> None:
    """Chat cases get their conversation's token and unread count (seed 004, fig. 08: "Quando
    um atendimento aparecer em vermelho significa que você possui uma mensagem não lida")."""
    from balcao.livechat import services as chat_services
    from balcao.livechat.models import ChatSession

    chats = ChatSession.objects.filter(case__in=cases)
    by_case = {chat.case_id: chat for chat in chats}
    for case in cases:
        chat = by_case.get(case.pk)
        case.chat_token = chat.token if chat else ""
        case.chat_unread = chat_services.unread_for_person(chat) if chat else 0


def _grant_quietly(request, case: Case) -> None:
    grants = request.session.get(SESSION_KEY, {})
    grants[str(case.pk)] = int(time.time())
    request.session[SESSION_KEY] = grants
