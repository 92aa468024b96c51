"""The record of a (tele)presential session (issue 25; Portaria, seed ``001_…txt``, arts.
32-35 and 43): who takes part, their identity checked, the minutes with every participant's
acceptance or the recording with the private participants' consent, the session marked as
held, and the terminative answer.

Portaria, art. 32 §4: "O atendimento (tele)presencial será acompanhado preferencialmente por
dois ou mais representantes do INPI, sendo ao menos 1 (um) deles servidor, com o registro em
ata sumária, que poderá ser substituída pela gravação do atendimento." §5: "A ata … será
arquivada pela unidade responsável …, com o registro dos assuntos tratados, bem como a
relação e assinatura dos participantes do ato." §6: "No caso de participação de agente
privado por ocasião da gravação …, no início do ato deve-se colher expressa autorização de
uso de imagem e som do agente privado …". Art. 35 §1: "… promoverá a certificação de
identidade do solicitante e dos acompanhantes, se houver, mediante a conferência dos
documentos de identificação apresentados." Art. 43 repeats these for the direct contact.

The signature of the minutes is each participant's electronic acceptance: the person follows
the link e-mailed to them (``agendamento/ata/<sign_token>/``) and presses "Li e aceito a
ata"; a representative accepts from the console, signed in with the second factor.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.permissions import SYSTEM, check_can
from balcao.accounts.roles import CAPABILITIES, has_capability
from balcao.cases.attachments import (
    SNIFF_BYTES,
    AttachmentRefused,
    check_file,
    sanitise_filename,
    sniff_content_type,
)
from balcao.cases.models import Attachment, Case, Message, TerminativeTerm
from balcao.cases.services import do_add_message, do_terminate_case
from balcao.cases.text import clean_line, clean_text
from balcao.scheduling import presential, rules
from balcao.scheduling.models import Participant, SessionRequest
from balcao.scheduling.services import SchedulingError

#: Who keeps the record of a session: the agents of the unit (as for triage).
RECORD_CAPABILITY = presential.TRIAGE_CAPABILITY
#: A one-hour recording is large; channels' attachment limits are for documents.
RECORDING_MAX_BYTES = getattr(settings, "BALCAO_SESSION_RECORDING_MAX_BYTES", 2 * 1024**3)
#: The audio and video formats accepted for a recording, by extension, and what the bytes
#: must show (``filetype``'s names).
RECORDING_TYPES: dict[str, frozenset[str]] = {
    "mp4": frozenset({"video/mp4"}),
    "m4a": frozenset({"audio/mp4", "video/mp4"}),
    "webm": frozenset({"video/webm", "audio/webm"}),
    "mkv": frozenset({"video/x-matroska"}),
    "mp3": frozenset({"audio/mpeg"}),
    "ogg": frozenset({"audio/ogg", "video/ogg"}),
    "oga": frozenset({"audio/ogg"}),
    "wav": frozenset({"audio/x-wav"}),
}

Status = SessionRequest.Status
Kind = Participant.Kind
PRIVATE_KINDS = (Kind.REQUESTER, Kind.COMPANION)
#: While the session can still be prepared or held; afterwards its record is closed.
OPEN_STATUSES = (Status.TRIAGE, Status.OFFERED, Status.PICKED, Status.CONFIRMED)


def _locked(session_request: SessionRequest) -> SessionRequest:
    return presential.session_requests().select_for_update(of=("self",)).get(pk=session_request.pk)


def _require_open(session_request: SessionRequest) -> None:
    if session_request.status not in OPEN_STATUSES:
        raise SchedulingError(
            _("Não é possível fazer isso com um atendimento na situação “%(status)s”.")
            % {"status": session_request.get_status_display()}
        )


def _note(session_request: SessionRequest, body: str, *, actor) -> Message:
    """An internal note on the case: the unit's file of what happened to the session."""
    staff = getattr(actor, "pk", None) is not None
    return do_add_message(
        session_request.case,
        body,
        actor=actor if staff else SYSTEM,
        author_kind=Message.Author.AGENT if staff else Message.Author.SYSTEM,
        internal=True,
    )


def _attach(message: Message, filename: str, content_type: str, fileobj) -> Attachment:
    """Store ``fileobj`` as an attachment of ``message`` (its hash and size computed here)."""
    digest = hashlib.sha256()
    size = 0
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    attachment = Attachment(
        case=message.case,
        message=message,
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )
    attachment.file.save(filename, File(fileobj), save=False)
    attachment.save()
    return attachment


# -- participants ---------------------------------------------------------------------------


def participants_of(session_request: SessionRequest) -> list[Participant]:
    return list(session_request.participants.select_related("user", "identity_checked_by"))


def representatives_of(session_request: SessionRequest) -> list[rules.Representative]:
    """The agency's representatives in the session, for ``rules.check_representatives``
    (art. 32 §4: two or more, at least one a civil servant). A representative is keyed by
    their user, so the same person listed twice counts once."""
    people = session_request.participants.filter(kind=Kind.REPRESENTATIVE).order_by("pk")
    return [
        rules.Representative(str(p.user_id or f"p{p.pk}"), p.name, p.civil_servant) for p in people
    ]


def staff_candidates() -> QuerySet:
    """Who may be named a representative: active staff who hold ``RECORD_CAPABILITY``."""
    roles = CAPABILITIES[RECORD_CAPABILITY]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "username")
    )


def _require_list_open(session_request: SessionRequest) -> None:
    """The list of participants is what each signature attests (art. 32 §5: "a relação e
    assinatura dos participantes"): fixed once anyone has accepted the minutes."""
    _require_open(session_request)
    if session_request.participants.filter(signed_at__isnull=False).exists():
        raise SchedulingError(
            _("A ata já foi aceita por participantes; a relação de participantes está fechada.")
        )
    if session_request.recording_id:
        raise SchedulingError(
            _("A gravação já foi anexada; a relação de participantes está fechada.")
        )


@transaction.atomic
def do_add_representative(
    session_request: SessionRequest, user, *, civil_servant: bool, actor
) -> Participant:
    """Name a member of the staff as a representative of the agency in the session (art. 32
    §4: "dois ou mais representantes do INPI, sendo ao menos 1 (um) deles servidor")."""
    check_can(actor, RECORD_CAPABILITY)
    session_request = _locked(session_request)
    _require_list_open(session_request)
    if user is None or not user.is_active or not has_capability(user, RECORD_CAPABILITY):
        raise SchedulingError(_("Escolha um membro da equipe de atendimento."), "user")
    if session_request.participants.filter(kind=Kind.REPRESENTATIVE, user=user).exists():
        raise SchedulingError(_("Esta pessoa já é representante nesta sessão."), "user")
    participant = Participant.objects.create(
        request=session_request,
        kind=Kind.REPRESENTATIVE,
        name=clean_line(user.get_full_name() or user.get_username(), 200),
        email=user.email or "",
        user=user,
        civil_servant=bool(civil_servant),
    )
    _note(
        session_request,
        _("Representante do órgão na sessão: %(name)s%(servant)s.")
        % {"name": participant.name, "servant": _(" (servidor)") if civil_servant else ""},
        actor=actor,
    )
    return participant


@transaction.atomic
def do_add_companion(
    session_request: SessionRequest, name: str, interest: str, email: str = "", *, actor
) -> Participant:
    """Add a companion of the requester, with their interest in the subject (art. 34, IV:
    "identificação de eventuais acompanhantes e seu interesse no assunto")."""
    check_can(actor, RECORD_CAPABILITY)
    session_request = _locked(session_request)
    _require_list_open(session_request)
    name, interest = clean_line(name, 200), clean_line(interest, 300)
    email = clean_line(email, 254)
    if not name:
        raise SchedulingError(_("Informe o nome do acompanhante."), "name")
    if not interest:
        raise SchedulingError(_("Informe o interesse do acompanhante no assunto."), "interest")
    if email and ("@" not in email or " " in email):
        raise SchedulingError(_("Confira o e-mail do acompanhante."), "email")
    participant = Participant.objects.create(
        request=session_request, kind=Kind.COMPANION, name=name, interest=interest, email=email
    )
    _note(
        session_request,
        _("Acompanhante na sessão: %(name)s (%(interest)s).")
        % {"name": name, "interest": interest},
        actor=actor,
    )
    return participant


@transaction.atomic
def do_remove_participant(participant: Participant, *, actor) -> None:
    """Take a companion or a representative off the session (the requester stays). A
    confirmed session keeps the representatives art. 32 §4 requires."""
    check_can(actor, RECORD_CAPABILITY)
    session_request = _locked(participant.request)
    _require_list_open(session_request)
    if participant.kind == Kind.REQUESTER:
        raise SchedulingError(_("O solicitante não pode ser retirado da sessão."))
    if participant.kind == Kind.REPRESENTATIVE and session_request.status == Status.CONFIRMED:
        rules.check_representatives(
            r for r in representatives_of(session_request) if r.key != str(participant.user_id)
        )
    name = participant.name
    participant.delete()
    _note(session_request, _("%(name)s retirado(a) da sessão.") % {"name": name}, actor=actor)


# -- identity: art. 35 §1 -------------------------------------------------------------------


@transaction.atomic
def do_check_identity(participant: Participant, document: str, *, actor) -> Participant:
    """Record the identification document seen, who checked it and when (art. 35 §1: "a
    certificação de identidade do solicitante e dos acompanhantes … mediante a conferência
    dos documentos de identificação apresentados"; art. 43 §3: of every participant)."""
    check_can(actor, RECORD_CAPABILITY)
    session_request = _locked(participant.request)
    _require_open(session_request)
    document = clean_line(document, 100)
    if not document:
        raise SchedulingError(
            _("Informe o documento de identificação conferido (tipo e número)."), "document"
        )
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    participant.document = document
    participant.identity_checked_at = timezone.now()
    participant.identity_checked_by = actor if getattr(actor, "pk", None) else None
    participant.save(update_fields=["document", "identity_checked_at", "identity_checked_by"])
    return participant


# -- the kind of record ---------------------------------------------------------------------


@transaction.atomic
def do_choose_record(session_request: SessionRequest, kind: str, *, actor) -> SessionRequest:
    """Minutes or a recording (art. 32 §4: "registro em ata sumária, que poderá ser
    substituída pela gravação do atendimento"). Fixed once the minutes are written or the
    recording attached."""
    check_can(actor, RECORD_CAPABILITY)
    session_request = _locked(session_request)
    _require_open(session_request)
    if kind not in SessionRequest.Record.values:
        raise SchedulingError(_("Escolha ata sumária ou gravação."), "kind")
    if kind != session_request.record_kind and (
        session_request.minutes_subjects or session_request.recording_id
    ):
        raise SchedulingError(_("O registro já foi feito; não é possível trocar o tipo."), "kind")
    session_request.record_kind = kind
    session_request.save(update_fields=["record_kind"])
    return session_request


# -- minutes: art. 32 §5 --------------------------------------------------------------------


def sign_url(participant: Participant) -> str:
    path = reverse("portal:scheduling_minutes_sign", args=[participant.sign_token])
    return f"{settings.BALCAO_BASE_URL.rstrip('/')}{path}"


def participant_of_token(token: str) -> Participant:
    participant = (
        Participant.objects.select_related("request", "request__case")
        .filter(sign_token=token)
        .first()
    )
    if participant is None:
        raise SchedulingError(_("Este link não é válido. Confira o endereço no e-mail recebido."))
    return participant


@transaction.atomic
def do_write_minutes(session_request: SessionRequest, subjects: str, *, actor) -> SessionRequest:
    """Write the summary minutes: the subjects treated (art. 32 §5: "o registro dos assuntos
    tratados, bem como a relação e assinatura dos participantes do ato"). Each private
    participant with an e-mail gets the link to read and accept them; representatives accept
    from the console. Refused once anyone has accepted: what was signed is not edited."""
    check_can(actor, RECORD_CAPABILITY)
    session_request = _locked(session_request)
    _require(session_request, Status.CONFIRMED)
    if session_request.record_kind != SessionRequest.Record.MINUTES:
        raise SchedulingError(_("O registro escolhido para esta sessão não é a ata."), "subjects")
    if session_request.participants.filter(signed_at__isnull=False).exists():
        raise SchedulingError(
            _("A ata já foi aceita por participantes e não pode mais ser alterada."), "subjects"
        )
    subjects = clean_text(subjects, 10000)
    if not subjects:
        raise SchedulingError(_("Registre os assuntos tratados."), "subjects")
    session_request.minutes_subjects = subjects
    session_request.save(update_fields=["minutes_subjects"])
    _note(
        session_request,
        _("Ata sumária redigida; aguardando o aceite dos participantes."),
        actor=actor,
    )
    for participant in session_request.participants.filter(kind__in=PRIVATE_KINDS):
        if participant.email:
            _queue_sign_mail(participant.pk)
    return session_request


def _require(session_request: SessionRequest, *statuses: object) -> None:
    if session_request.status not in statuses:
        raise SchedulingError(
            _("Não é possível fazer isso com um atendimento na situação “%(status)s”.")
            % {"status": session_request.get_status_display()}
        )


def _queue_sign_mail(participant_pk: int) -> None:
    transaction.on_commit(lambda: send_sign_mail(participant_pk))


def send_sign_mail(participant_pk: int) -> bool:
    """E-mail a participant the link to read and accept the minutes."""
    participant = Participant.objects.select_related("request__case").get(pk=participant_pk)
    if not participant.email or participant.signed_at:
        return False
    protocol = participant.request.case.protocol
    body = "\n".join(
        [
            _("Olá, %(name)s.") % {"name": participant.name},
            "",
            _(
                "A ata sumária do atendimento (tele)presencial de que você participou está "
                "disponível. Leia e, se estiver de acordo, registre o seu aceite:"
            ),
            sign_url(participant),
            "",
            _("Protocolo: %(protocol)s") % {"protocol": protocol},
            "",
            f"-- \n{settings.BALCAO_AGENCY_NAME}",
        ]
    )
    message = EmailMessage(
        subject=_("[%(protocol)s] Ata do atendimento (tele)presencial") % {"protocol": protocol},
        body=body,
        to=[participant.email],
        headers={"X-Balcao-Protocol": protocol},
    )
    return bool(message.send())


@transaction.atomic
def do_sign_minutes(participant: Participant, *, actor=None) -> Participant:
    """A participant's electronic acceptance of the minutes (art. 32 §5: "assinatura dos
    participantes do ato"). A representative accepts for themselves only, from the console.
    When everyone has accepted the minutes are closed and archived on the case."""
    session_request = _locked(participant.request)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.kind == Kind.REPRESENTATIVE and (
        actor is None or getattr(actor, "pk", None) != participant.user_id
    ):
        raise SchedulingError(_("Cada representante registra o próprio aceite, pelo console."))
    if session_request.record_kind != SessionRequest.Record.MINUTES or not (
        session_request.minutes_subjects
    ):
        raise SchedulingError(_("Não há ata a aceitar nesta sessão."))
    if participant.signed_at is not None:
        return participant
    if session_request.minutes_closed_at is not None:
        raise SchedulingError(_("A ata já foi encerrada."))
    participant.signed_at = timezone.now()
    participant.save(update_fields=["signed_at"])
    _close_minutes_if_complete(session_request)
    return participant


def _close_minutes_if_complete(session_request: SessionRequest) -> None:
    people = participants_of(session_request)
    if not people or any(p.signed_at is None for p in people):
        return
    now = timezone.now()
    session_request.minutes_closed_at = now
    session_request.save(update_fields=["minutes_closed_at"])
    text = minutes_text(session_request, people)
    message = _note(
        session_request,
        _("Ata sumária aceita por todos os participantes e arquivada (Portaria, art. 32, § 5º)."),
        actor=SYSTEM,
    )
    name = f"ata-{session_request.case.protocol}.txt".replace("/", "-")
    _attach(message, sanitise_filename(name), "text/plain", ContentFile(text.encode("utf-8")))


def minutes_text(session_request: SessionRequest, people: Iterable[Participant]) -> str:
    """The archived minutes: the session, the subjects treated, and each participant with
    their role and the time of their acceptance (art. 32 §5)."""
    return render_to_string(
        "scheduling/record_minutes.txt",
        {"session_request": session_request, "case": session_request.case, "people": list(people)},
    )


# -- recording: art. 32 §6 ------------------------------------------------------------------


def consent_text(participant: Participant) -> str:
    """What a private participant agrees to, shown before the consent and stored as shown
    (art. 32 §6: "expressa autorização de uso de imagem e som do agente privado")."""
    session_request = participant.request
    return _(
        "Eu, %(name)s, autorizo expressamente o uso da minha imagem e da minha voz na "
        "gravação do atendimento (tele)presencial do protocolo %(protocol)s, realizado com "
        "agentes públicos do %(agency)s, para o registro do ato (Portaria, art. 32, § 6º)."
    ) % {
        "name": participant.name,
        "protocol": session_request.case.protocol,
        "agency": settings.BALCAO_AGENCY_NAME,
    }


@transaction.atomic
def do_record_consent(participant: Participant, *, actor) -> Participant:
    """Record a private participant's consent to the recording, at the start of the session,
    with the exact text they were shown (art. 32 §6)."""
    check_can(actor, RECORD_CAPABILITY)
    session_request = _locked(participant.request)
    _require_open(session_request)
    if session_request.record_kind != SessionRequest.Record.RECORDING:
        raise SchedulingError(_("O registro escolhido para esta sessão não é a gravação."))
    participant = (
        Participant.objects.select_for_update()
        .select_related("request__case")
        .get(pk=participant.pk)
    )
    if participant.kind not in PRIVATE_KINDS:
        raise SchedulingError(
            _("A autorização de uso de imagem e som é colhida dos participantes privados.")
        )
    if participant.consent_at is None:
        participant.consent_text = consent_text(participant)
        participant.consent_at = timezone.now()
        participant.save(update_fields=["consent_text", "consent_at"])
    return participant


def missing_consents(session_request: SessionRequest) -> list[Participant]:
    return list(
        session_request.participants.filter(kind__in=PRIVATE_KINDS, consent_at__isnull=True)
    )


def check_recording_file(fileobj, name: str) -> tuple[str, str]:
    """The recording's safe file name and its type: audio or video as the bytes show, and an
    extension that agrees. ``cases.attachments.check_file`` checks size and bytes (its
    extension table knows documents only, so the name goes to it without the extension)."""
    filename = sanitise_filename(name)
    stem, dot, extension = filename.rpartition(".")
    extension = extension.lower() if dot else ""
    accepted = RECORDING_TYPES.get(extension)
    if accepted is None:
        raise AttachmentRefused(
            _("Envie a gravação em áudio ou vídeo (%(types)s).")
            % {"types": ", ".join(sorted(RECORDING_TYPES))}
        )
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    fileobj.seek(0)
    if sniff_content_type(head if isinstance(head, bytes) else head.encode()) not in accepted:
        raise AttachmentRefused(
            _(
                "O arquivo “%(name)s” diz ser .%(ext)s, mas o conteúdo não é uma gravação "
                "desse tipo. Envie o arquivo original."
            )
            % {"name": filename, "ext": extension}
        )
    checked = check_file(
        fileobj, stem or "gravacao", max_bytes=RECORDING_MAX_BYTES, allowed_types=sorted(accepted)
    )
    return filename, checked.content_type


@transaction.atomic
def do_attach_recording(session_request: SessionRequest, uploaded_file, *, actor) -> Attachment:
    """Attach the recording that replaces the minutes (art. 32 §4), only when it is the record
    chosen and every private participant (requester and companions) has given the express
    consent art. 32 §6 requires.

    Retention: the recording is the record of the act the unit must archive (art. 32 §5), so
    by default it is kept with the case like the minutes; an agency whose retention schedule
    (tabela de temporalidade) sets a period puts it in ``BALCAO_SESSION_RECORDING_DAYS`` and
    ``purge_old_recordings`` deletes the file after it. The 90-day purge of
    ``BALCAO_RECORDING_DAYS`` (seed 003) is the contact centre's and does not apply. It is
    filed as an internal note (image and voice are personal data, art. 35 §2), seen by staff
    only."""
    check_can(actor, RECORD_CAPABILITY)
    session_request = _locked(session_request)
    _require(session_request, Status.CONFIRMED)
    if session_request.record_kind != SessionRequest.Record.RECORDING:
        raise SchedulingError(
            _("Escolha a gravação como registro da sessão antes de anexá-la."), "recording"
        )
    missing = missing_consents(session_request)
    if missing:
        raise SchedulingError(
            _(
                "A gravação não pode ser anexada sem a autorização expressa de uso de imagem e "
                "som de todos os participantes privados (Portaria, art. 32, § 6º). Falta: "
                "%(names)s."
            )
            % {"names": ", ".join(p.name for p in missing)},
            "recording",
        )
    if session_request.recording_id:
        raise SchedulingError(_("A gravação desta sessão já foi anexada."), "recording")
    if uploaded_file is None:
        raise SchedulingError(_("Escolha o arquivo da gravação."), "recording")
    try:
        filename, content_type = check_recording_file(
            uploaded_file, getattr(uploaded_file, "name", "gravacao")
        )
    except AttachmentRefused as exc:
        raise SchedulingError(str(exc), "recording") from None
    message = _note(
        session_request,
        _("Gravação do atendimento (tele)presencial anexada (Portaria, art. 32, §§ 4º e 6º)."),
        actor=actor,
    )
    attachment = _attach(message, filename, content_type, uploaded_file)
    session_request.recording = attachment
    session_request.save(update_fields=["recording"])
    return attachment


# -- held -----------------------------------------------------------------------------------


def held_problems(session_request: SessionRequest) -> list[str]:
    """What keeps the session from being marked as held: its confirmation, the requester's
    identity checked (art. 35 §1), and its record done (art. 32 §§4-6)."""
    problems = []
    if session_request.status != Status.CONFIRMED:
        problems.append(_("A sessão precisa estar confirmada."))
    people = participants_of(session_request)
    requester = next((p for p in people if p.kind == Kind.REQUESTER), None)
    if requester is None or requester.identity_checked_at is None:
        problems.append(_("Confira a identidade do solicitante (Portaria, art. 35, § 1º)."))
    if not (session_request.minutes_closed_at or session_request.recording_id):
        problems.append(
            _(
                "Registre a sessão: a ata aceita por todos os participantes ou a gravação "
                "(Portaria, art. 32, §§ 4º a 6º)."
            )
        )
    problems += [
        p.text(_) for p in rules.representative_problems(representatives_of(session_request))
    ]
    return problems


@transaction.atomic
def do_mark_held(session_request: SessionRequest, *, actor) -> SessionRequest:
    """The session took place, with its record (issue 25: "confirmed → held")."""
    check_can(actor, RECORD_CAPABILITY)
    session_request = _locked(session_request)
    problems = held_problems(session_request)
    if problems:
        raise SchedulingError(" ".join(problems))
    session_request.status = Status.HELD
    session_request.save(update_fields=["status"])
    _note(session_request, _("Atendimento (tele)presencial realizado."), actor=actor)
    return session_request


# -- terminative answer: art. 35 §§3-4 ------------------------------------------------------


@transaction.atomic
def do_terminate_session(
    session_request: SessionRequest, *, ground: str, statement: str, actor
) -> Case:
    """End the treatment with a terminative answer registered in its own term (art. 35 §3;
    ``cases.services.do_terminate_case``, which tells the ombudsman at once, §4). A session
    not yet held is cancelled, and a person who had it in their calendar gets the
    cancellation."""
    case = do_terminate_case(session_request.case, actor=actor, ground=ground, statement=statement)
    session_request = _locked(session_request)
    if session_request.status in OPEN_STATUSES:
        had_time = session_request.status == Status.CONFIRMED
        session_request.status = Status.CANCELLED
        session_request.cancel_reason = _("Resposta terminativa: %(ground)s") % {
            "ground": TerminativeTerm.Ground(ground).label
        }
        session_request.ics_sequence += 1
        session_request.save(update_fields=["status", "cancel_reason", "ics_sequence"])
        if had_time and session_request.starts_at and session_request.starts_at > timezone.now():
            presential.queue_mail(
                session_request,
                presential.MailKind.CANCELLATION,
                reason=session_request.cancel_reason,
            )
    return case


# -- retention ------------------------------------------------------------------------------

audit_log = logging.getLogger("balcao.audit")


def purge_old_recordings(now: datetime | None = None) -> int:
    """Delete the files of session recordings older than ``BALCAO_SESSION_RECORDING_DAYS``
    (the agency's retention schedule; 0, the default, keeps them with the case). The case
    keeps a note saying when and under which rule the file was deleted, and each deletion
    goes to the audit logger. Returns how many files were deleted."""
    days = int(getattr(settings, "BALCAO_SESSION_RECORDING_DAYS", 0) or 0)
    if days <= 0:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    purged = 0
    old = SessionRequest.objects.filter(
        recording__isnull=False, recording__created_at__lt=cutoff
    ).select_related("recording", "case")
    for session_request in old:
        attachment = session_request.recording
        assert attachment is not None
        with transaction.atomic():
            name = attachment.file.name
            if name:
                attachment.file.storage.delete(name)
            SessionRequest.objects.filter(pk=session_request.pk).update(recording=None)
            Attachment.objects.filter(pk=attachment.pk).delete()
            do_add_message(
                session_request.case,
                _(
                    "Arquivo da gravação (%(filename)s) eliminado após %(days)s dias, conforme "
                    "a tabela de temporalidade do órgão."
                )
                % {"filename": attachment.filename, "days": days},
                actor=SYSTEM,
                author_kind=Message.Author.SYSTEM,
                internal=True,
            )
        audit_log.info(
            "session recording purged: request=%s case=%s file=%s size=%s created_at=%s",
            session_request.pk,
            session_request.case.protocol,
            name,
            attachment.size,
            attachment.created_at.isoformat(),
        )
        purged += 1
    return purged
