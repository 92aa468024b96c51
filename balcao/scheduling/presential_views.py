"""Pages of the Serviço de Atendimento (Tele)Presencial (issue 25; Portaria, arts. 32-35).

Portal: the request form on ``canais/<slug>/agendamento/`` (``request_page``, dispatched by
the portal's channel view) and the person's session page ``agendamento/sessao/<token>/``
(pick an offered slot, see the confirmation, cancel). Console: the requests with their
triage clock, and each request's triage (accept with slots, redirect, refuse),
confirmation, reschedule and cancellation."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from balcao.audit.services import reveal_requester
from balcao.cases import intake
from balcao.cases.services import check_requester_documents
from balcao.client import client_address
from balcao.scheduling import presential, rules
from balcao.scheduling.console import staff_view
from balcao.scheduling.forms import (
    AcceptForm,
    ReasonForm,
    RedirectForm,
    RescheduleForm,
    SessionRequestForm,
)
from balcao.scheduling.models import Participant, SessionRequest
from balcao.scheduling.services import SchedulingError

Status = SessionRequest.Status


def _problems_into(form, problems: list[rules.Problem]) -> None:
    for problem in problems:
        field = form.PROBLEM_FIELDS.get(problem.field)
        form.add_error(field if field in form.fields else None, problem.text(_))


# -- portal ---------------------------------------------------------------------------------


def request_page(request, channel, card, confirmation_url: Callable[[object], str]):
    """The request form (art. 34), with what the service is not (art. 33) and where a
    hearing with the Procuradoria goes (art. 32 §7). ``confirmation_url(case)`` is the
    portal's protocol page the person is sent to."""
    status = 200
    if request.method == "POST":
        form = SessionRequestForm(request.POST)
        if form.is_valid():
            problems = rules.request_problems(form.session_request())
            cpf = form.cleaned_data.get("cpf", "").strip()
            if cpf:
                try:
                    check_requester_documents(cpf=cpf)
                except ValidationError:
                    form.add_error(
                        "cpf",
                        _("CPF inválido: confira os 11 números (ou deixe o campo em branco)."),
                    )
            _problems_into(form, problems)
        if form.is_valid():
            address = client_address(request)
            try:
                intake.check_rate(address)
                session_request = presential.do_request_session(
                    channel,
                    form.session_request(),
                    email=form.cleaned_data["email"],
                    cpf=form.cleaned_data.get("cpf", ""),
                    mode=form.cleaned_data["mode"],
                    language=get_language() or "pt-br",
                )
            except intake.RateLimited as exc:
                form.add_error(None, str(exc))
                status = 429
            except rules.RuleViolation as exc:
                _problems_into(form, exc.problems)
                status = 400
            except SchedulingError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
                status = 400
            else:
                intake.count_submission(address)
                return redirect(confirmation_url(session_request.case))
        else:
            status = 400
    else:
        form = SessionRequestForm()
    return render(
        request,
        "scheduling/presential_request.html",
        {"channel": card, "form": form, "procuradoria": _procuradoria_address()},
        status=status,
    )


def _procuradoria_address() -> str:
    return settings.BALCAO_PROCURADORIA_EMAIL


@require_http_methods(["GET", "POST"])
def session_page(request, token: str):
    """The person's page of their (tele)presential session, from the link in the e-mails:
    the offered slots to pick from, then the confirmation; cancel with a reason."""
    try:
        session_request = presential.request_of_token(token)
    except SchedulingError as exc:
        return render(
            request, "scheduling/presential_session.html", {"error": str(exc)}, status=404
        )
    error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "pick":
                try:
                    slot_pk = int(request.POST.get("slot", ""))
                except ValueError:
                    raise SchedulingError(
                        _("Escolha um dos horários oferecidos."), "slot"
                    ) from None
                presential.do_pick_slot(token, slot_pk)
            elif action == "cancel":
                presential.do_cancel_session(
                    session_request, request.POST.get("reason", ""), by_person=True
                )
            else:
                raise SchedulingError(_("Ação desconhecida."))
        except SchedulingError as exc:
            error, status = str(exc), 400
        else:
            return redirect("portal:scheduling_session", token=token)
    session_request = presential.request_of_token(token)
    return render(
        request,
        "scheduling/presential_session.html",
        {
            "session_request": session_request,
            "slots": list(session_request.slots.all()),
            "error": error,
            "can_cancel": session_request.status
            in (Status.OFFERED, Status.PICKED, Status.CONFIRMED),
        },
        status=status,
    )


# -- console --------------------------------------------------------------------------------


@staff_view(presential.TRIAGE_CAPABILITY)
def request_list(request):
    """The requests, those in triage first with the triage's due date (7 working days)."""
    status = request.GET.get("status", "")
    rows = presential.visible_requests(request.user).order_by("case__due_at", "-pk")
    if status in Status.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "scheduling/presential_list.html",
        {"requests": list(rows[:200]), "statuses": Status.choices, "status": status},
    )


@require_http_methods(["GET", "POST"])
@staff_view(presential.TRIAGE_CAPABILITY)
def request_detail(request, pk: int):
    """One request: art. 34's data, the triage (accept with slots, redirect, refuse), the
    confirmation (two representatives, art. 32 §4), reschedule and cancel."""
    session_request = get_object_or_404(presential.visible_requests(request.user), pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {
        "accept": AcceptForm(request.POST if action == "accept" else None),
        "redirect": RedirectForm(request.POST if action == "redirect" else None),
        "refuse": ReasonForm(request.POST if action == "refuse" else None, prefix="refuse"),
        "reschedule": RescheduleForm(
            request.POST if action == "reschedule" else None, prefix="reschedule"
        ),
        "cancel": ReasonForm(request.POST if action == "cancel" else None, prefix="cancel"),
    }
    error = ""
    status = 200
    if request.method == "POST":
        form = forms.get(action)
        try:
            if action == "confirm":
                presential.do_confirm(session_request, actor=request.user)
            elif form is None:
                raise SchedulingError(_("Ação desconhecida."))
            elif not form.is_valid():
                raise SchedulingError(_("Confira os campos indicados."))
            elif action == "accept":
                presential.do_accept(
                    session_request,
                    form.starts(),
                    mode=form.cleaned_data["mode"],
                    place=form.cleaned_data["place"],
                    actor=request.user,
                )
            elif action == "redirect":
                presential.do_redirect(
                    session_request,
                    form.cleaned_data["channel"],
                    form.cleaned_data["reason"],
                    actor=request.user,
                )
            elif action == "refuse":
                presential.do_refuse(
                    session_request, form.cleaned_data["reason"], actor=request.user
                )
            elif action == "reschedule":
                presential.do_reschedule(
                    session_request,
                    form.cleaned_data["start"],
                    form.cleaned_data["reason"],
                    actor=request.user,
                )
            elif action == "cancel":
                presential.do_cancel_session(
                    session_request, form.cleaned_data["reason"], actor=request.user
                )
        except rules.RuleViolation as exc:
            error, status = " ".join(p.text(_) for p in exc.problems), 400
        except SchedulingError as exc:
            error, status = str(exc), 400
            if form is not None and exc.field in form.fields:
                form.add_error(exc.field, str(exc))
        else:
            messages.success(request, _("Atendimento atualizado."))
            return redirect("console:scheduling_request", pk=pk)
        session_request = get_object_or_404(presential.session_requests(), pk=pk)
    case = session_request.case
    return render(
        request,
        "scheduling/presential_detail.html",
        {
            "session_request": session_request,
            "case": case,
            "person": reveal_requester(
                case.requester,
                user=request.user,
                where=f"scheduling:{session_request.pk}",
                ip=client_address(request),
            ),
            "participants": list(session_request.participants.all()),
            "representatives": [
                p
                for p in session_request.participants.all()
                if p.kind == Participant.Kind.REPRESENTATIVE
            ],
            "problems": [p.text(_) for p in presential.representative_problems(session_request)],
            "slots": list(session_request.slots.all()),
            "forms": forms,
            "error": error,
        },
        status=status,
    )


console_urls = [
    path("agendamento/atendimentos/", request_list, name="scheduling_requests"),
    path("agendamento/atendimento/<int:pk>/", request_detail, name="scheduling_request"),
]
portal_urls = [
    path("agendamento/sessao/<str:token>/", session_page, name="scheduling_session"),
]
