"""Pages of the record of a (tele)presential session (issue 25; Portaria, arts. 32-35).

Console ``agendamento/atendimento/<pk>/registro/``: the participants (representatives,
companions), the identity check (art. 35 §1), the record — minutes accepted by everyone
(art. 32 §5) or a recording with the private participants' consent (art. 32 §6) — the
session marked as held, and the terminative answer (art. 35 §§3-4). Each form posts its own
``action``; a refusal is shown on the page with status 400.

Portal ``agendamento/ata/<sign_token>/``: a participant reads the minutes and accepts them.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from balcao.audit.services import record_access
from balcao.cases.models import TerminativeTerm
from balcao.client import client_address
from balcao.errors import Refused
from balcao.scheduling import presential, record, rules
from balcao.scheduling.console import staff_view
from balcao.scheduling.models import Participant, SessionRequest
from balcao.scheduling.services import SchedulingError


def _participant(session_request: SessionRequest, request) -> Participant:
    try:
        pk = int(request.POST.get("participant", ""))
    except ValueError:
        pk = 0
    participant = session_request.participants.filter(pk=pk).first()
    if participant is None:
        raise SchedulingError(_("Escolha um participante desta sessão."))
    return participant


def _run(action: str, session_request: SessionRequest, request) -> str:
    """Run the posted ``action``; returns the success message."""
    post, actor = request.POST, request.user
    if action == "add_representative":
        user = record.staff_candidates().filter(pk=post.get("user") or 0).first()
        record.do_add_representative(
            session_request, user, civil_servant=post.get("civil_servant") == "on", actor=actor
        )
        return _("Representante incluído.")
    if action == "add_companion":
        record.do_add_companion(
            session_request,
            post.get("name", ""),
            post.get("interest", ""),
            post.get("email", ""),
            actor=actor,
        )
        return _("Acompanhante incluído.")
    if action == "remove":
        record.do_remove_participant(_participant(session_request, request), actor=actor)
        return _("Participante retirado.")
    if action == "identity":
        record.do_check_identity(
            _participant(session_request, request), post.get("document", ""), actor=actor
        )
        return _("Identidade conferida.")
    if action == "consent":
        record.do_record_consent(_participant(session_request, request), actor=actor)
        return _("Autorização registrada.")
    if action == "choose_record":
        record.do_choose_record(session_request, post.get("kind", ""), actor=actor)
        return _("Tipo de registro escolhido.")
    if action == "minutes":
        record.do_write_minutes(session_request, post.get("subjects", ""), actor=actor)
        return _("Ata registrada; os participantes foram convidados a aceitá-la.")
    if action == "sign":
        record.do_sign_minutes(_participant(session_request, request), actor=actor)
        return _("Seu aceite da ata foi registrado.")
    if action == "recording":
        record.do_attach_recording(session_request, request.FILES.get("recording"), actor=actor)
        return _("Gravação anexada.")
    if action == "held":
        record.do_mark_held(session_request, actor=actor)
        return _("Sessão marcada como realizada.")
    if action == "terminate":
        record.do_terminate_session(
            session_request,
            ground=post.get("ground", ""),
            statement=post.get("statement", ""),
            actor=actor,
        )
        return _("Atendimento encerrado com resposta terminativa; a Ouvidoria foi informada.")
    raise SchedulingError(_("Ação desconhecida."))


@require_http_methods(["GET", "POST"])
@staff_view(record.RECORD_CAPABILITY)
def record_page(request, pk: int):
    """A session's participants and record, and the terminative answer."""
    session_request = get_object_or_404(presential.visible_requests(request.user), pk=pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            done = _run(request.POST.get("action", ""), session_request, request)
        except rules.RuleViolation as exc:
            error, status = " ".join(p.text(_) for p in exc.problems), 400
        except Refused as exc:
            error, status = str(exc), 400
        else:
            messages.success(request, done)
            return redirect("console:scheduling_record", pk=pk)
        session_request = get_object_or_404(presential.session_requests(), pk=pk)
    participants = record.participants_of(session_request)
    for participant in participants:
        participant.consent_preview = (
            participant.consent_text or record.consent_text(participant)
            if participant.kind in record.PRIVATE_KINDS
            else ""
        )
    taken = {p.user_id for p in participants if p.user_id}
    if session_request.case.requester is not None:  # names and documents seen: audited
        record_access(
            session_request.case.requester,
            user=request.user,
            where=f"scheduling-record:{session_request.pk}",
            ip=client_address(request),
        )
    return render(
        request,
        "scheduling/record_console.html",
        {
            "session_request": session_request,
            "case": session_request.case,
            "participants": participants,
            "candidates": [u for u in record.staff_candidates() if u.pk not in taken],
            "representative_problems": [
                p.text(_)
                for p in rules.representative_problems(record.representatives_of(session_request))
            ],
            "held_problems": record.held_problems(session_request),
            "signed_by_anyone": any(p.signed_at for p in participants),
            "record_kinds": SessionRequest.Record.choices,
            "grounds": TerminativeTerm.Ground.choices,
            "can_edit": session_request.status in record.OPEN_STATUSES,
            "error": error,
            "post": request.POST if status == 400 else {},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def minutes_sign_page(request, token: str):
    """A participant's page of the minutes, from the e-mailed link: read them and press
    "Li e aceito a ata" (the electronic acceptance, art. 32 §5)."""
    try:
        participant = record.participant_of_token(token)
    except SchedulingError as exc:
        return render(request, "scheduling/record_sign.html", {"error": str(exc)}, status=404)
    error, status = "", 200
    if request.method == "POST":
        try:
            record.do_sign_minutes(participant)
        except Refused as exc:
            error, status = str(exc), 400
        else:
            return redirect("portal:scheduling_minutes_sign", token=token)
        participant = record.participant_of_token(token)
    session_request = participant.request
    return render(
        request,
        "scheduling/record_sign.html",
        {
            "participant": participant,
            "session_request": session_request,
            "case": session_request.case,
            "people": record.participants_of(session_request),
            "error": error,
        },
        status=status,
    )


console_urls = [
    path(
        "agendamento/atendimento/<int:pk>/registro/",
        record_page,
        name="scheduling_record",
    ),
]
portal_urls = [
    path("agendamento/ata/<str:token>/", minutes_sign_page, name="scheduling_minutes_sign"),
]
