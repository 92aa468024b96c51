"""The follow-up page's rules ("Acompanhar atendimento"): who may open a case from outside
the console, and what they may do there.

A case opens with its protocol **and** the access code sent with the acknowledgement — never
with the CPF alone, which anyone may know (DESIGN, "The citizen's identity"). A wrong code and
an unknown protocol get the same answer, take the same work, and count against the same
per-address and per-protocol limits in the shared cache, so nobody learns which protocols
exist or guesses a code. Once in, the person reads the public thread, replies with files
(checked like the forms), and rates the service after the answer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.permissions import SYSTEM
from balcao.cases import history, outbound, protocol
from balcao.cases.models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseRating,
    Message,
    State,
    Transition,
)
from balcao.cases.text import clean_text
from balcao.catalog.models import Channel
from balcao.errors import Refused

# Codes read well aloud and by hand: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31^8 ≈ 8.5e11
FAILURES_PER_ADDRESS = (10, 15 * 60)  # ten wrong tries per address per quarter hour
FAILURES_PER_PROTOCOL = (20, 60 * 60)  # twenty per protocol per hour, from anywhere
COMMENT_MAX = 2000
REPLIES_PER_CASE = (30, 60 * 60)  # messages a person may add to one case per hour


class AccessRefused(Refused):
    """Protocol and code do not match (or the limit was reached); the same words for all."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalise_code(typed: str) -> str:
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def code_hash(case_protocol: str, code: str) -> str:
    key = hashlib.sha256(f"balcao.followup:{settings.SECRET_KEY}".encode()).digest()
    message = f"{case_protocol}:{normalise_code(code)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@transaction.atomic(savepoint=False)  # its callers keep all of it or none
def do_issue_access_code(
    case: Case,
    *,
    acknowledge: bool = True,
    actor=SYSTEM,
    fresh: bool = False,
    in_reply_to: str = "",
) -> str:
    """Give ``case`` a fresh access code (the previous one stops working) and, when
    ``acknowledge``, queue the acknowledgement that carries it (answering the person's
    e-mail ``in_reply_to``, when given); returns the code. A ``fresh`` case (opened in this
    transaction) has no code yet to replace."""
    code = new_code()
    values = {"code_hash": code_hash(case.protocol, code), "issued_at": timezone.now()}
    if fresh:
        CaseAccess.objects.create(case=case, **values)
    else:
        CaseAccess.objects.update_or_create(case=case, defaults=values)
    history.record(case, CaseEvent.Action.ACCESS_CODE_ISSUED, actor=actor)
    if acknowledge:
        outbound.queue_acknowledgement(case, format_code(code), in_reply_to=in_reply_to)
    return format_code(code)


# --- limits -------------------------------------------------------------------------------


def _window_key(kind: str, value: str, window: int) -> str:
    slot = int(timezone.now().timestamp()) // window
    digest = hashlib.sha256(value.encode()).hexdigest()[:24]
    return f"followup:{kind}:{digest}:{slot}"


def _over(kind: str, value: str, limit: tuple[int, int]) -> bool:
    count, window = limit
    return (cache.get(_window_key(kind, value, window)) or 0) >= count


def _count(kind: str, value: str, limit: tuple[int, int]) -> None:
    _count_, window = limit
    key = _window_key(kind, value, window)
    if not cache.add(key, 1, window + 1):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window + 1)


def _refusal() -> AccessRefused:
    return AccessRefused(
        _(
            "Protocolo ou código de acesso não conferem. Confira os dois no e-mail de "
            "confirmação do atendimento."
        )
    )


def check_access(typed_protocol: str, typed_code: str, *, ip: str) -> Case:
    """The case this protocol and code open, or AccessRefused (same message whether the
    protocol exists or not; limited per address and per protocol)."""
    digits = protocol.digits_of(typed_protocol or "")
    if _over("ip", ip, FAILURES_PER_ADDRESS) or (
        digits and _over("protocol", digits, FAILURES_PER_PROTOCOL)
    ):
        raise AccessRefused(
            _(
                "Muitas tentativas com códigos errados. Aguarde alguns minutos e tente "
                "de novo, ou peça um novo código."
            )
        )
    case = protocol_lookup(typed_protocol)
    expected = case.access.code_hash if case is not None and hasattr(case, "access") else ""
    # Hash even when there is no case, so both answers take the same work.
    given = code_hash(case.protocol if case else (typed_protocol or ""), typed_code)
    if not expected or not hmac.compare_digest(expected, given):
        _count("ip", ip, FAILURES_PER_ADDRESS)
        if digits:
            _count("protocol", digits, FAILURES_PER_PROTOCOL)
        raise _refusal()
    return case


def protocol_lookup(typed: str) -> Case | None:
    """The case with this protocol, typed with any punctuation (or none)."""
    typed = (typed or "").strip()
    if not typed:
        return None
    queryset = Case.objects.select_related("access", "state", "channel")
    case = queryset.filter(protocol=typed).first()
    if case is None:
        shaped = protocol.reshape(
            typed, settings.BALCAO_PROTOCOL_PATTERN, unit=settings.BALCAO_PROTOCOL_UNIT
        )
        if shaped and shaped != typed:
            case = queryset.filter(protocol=shaped).first()
    return case


def do_request_new_code(typed_protocol: str, email: str, *, ip: str) -> None:
    """Send a new code to the e-mail on file when protocol and e-mail match; say nothing
    either way (the page answers the same), counted against the same limits."""
    if _over("ip", ip, FAILURES_PER_ADDRESS):
        raise AccessRefused(_("Muitas tentativas. Aguarde alguns minutos e tente de novo."))
    _count("ip", ip, FAILURES_PER_ADDRESS)
    case = protocol_lookup(typed_protocol)
    recipient = case.official_recipient if case else None
    if recipient is None or not recipient.email:
        return
    if recipient.email.strip().lower() != (email or "").strip().lower():
        return
    with transaction.atomic():
        code = new_code()
        CaseAccess.objects.update_or_create(
            case=case,
            defaults={"code_hash": code_hash(case.protocol, code), "issued_at": timezone.now()},
        )
        history.record(case, CaseEvent.Action.ACCESS_CODE_ISSUED, actor=SYSTEM, reason="pedido")
        outbound.queue_new_code(case, format_code(code))


# --- what the person sees and does ---------------------------------------------------------


def public_thread(case: Case):
    """Messages the person may read: everything not internal, with its files — but not the
    empty message that only holds the formatted copy of the e-mail that opened the case (its
    text is the case's description, shown above the thread)."""
    from django.db.models import Q

    return (
        case.messages.filter(internal=False)
        .exclude(author_kind=Message.Author.BOT)
        .exclude(Q(body="") & ~Q(html="") & Q(attachments__isnull=True))
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def pending_request(case: Case) -> str:
    """What the team asked the person for, while the case waits on them: the text typed
    with "Pedir complementação" (it went to the person by e-mail too)."""
    if case.state.category != State.Category.WAITING_REQUESTER:
        return ""
    event = (
        case.history.filter(action=CaseEvent.Action.STATE_CHANGED, field="state")
        .exclude(reason="")
        .order_by("-at", "-pk")
        .first()
    )
    return event.reason if event is not None and event.new_value == case.state.name else ""


def can_reply(case: Case) -> bool:
    """Open cases take the person's messages; so does a manifestation to the ombudsman that
    was answered (resolved, not yet closed): the person may say why the answer does not
    settle it, and the ombudsman reopens it when the reply is well founded (issue 21; Lei
    13.460/2017 art. 12: the answer is conclusive, and its author may still be heard)."""
    if not case.state.is_terminal:
        return True
    return (
        case.state.category == State.Category.RESOLVED
        and case.channel.kind == Channel.Kind.OMBUDSMAN
    )


def contests_answer(case: Case) -> bool:
    """Whether a reply now would contest an ombudsman's conclusive answer."""
    return case.state.category == State.Category.RESOLVED and can_reply(case)


def can_rate(case: Case) -> bool:
    return case.state.is_terminal and not CaseRating.objects.filter(case=case).exists()


def resume_after_reply(case: Case) -> None:
    """A case waiting on the person goes back to the team when they answer (its clock resumes
    or restarts, as its policy says) — from the follow-up page or by e-mail."""
    from balcao.cases.services import do_change_state

    if case.state.category == State.Category.WAITING_REQUESTER:
        back = (
            Transition.objects.filter(source=case.state, target__category=State.Category.OPEN)
            .select_related("target")
            .order_by("target__order")
            .first()
        )
        if back is not None:
            do_change_state(
                case, back.target, actor=SYSTEM, reason=_("Resposta do requerente recebida.")
            )


@transaction.atomic
def do_requester_reply(case: Case, body: str, *, files=()) -> Message:
    """The person answers on the follow-up page. Their message and files are checked like
    the forms'; a case waiting on them goes back to the team and its clock resumes (the
    policy says pause or restart). A concluded case takes no more messages: a new request
    is a new case."""
    from balcao.cases.services import do_add_message

    case = Case.objects.select_for_update().select_related("state", "channel").get(pk=case.pk)
    if _over("reply", str(case.pk), REPLIES_PER_CASE):
        raise Refused(
            _("Muitas mensagens neste atendimento em pouco tempo. Aguarde e tente de novo.")
        )
    if not can_reply(case):
        raise Refused(
            _(
                "Este atendimento já foi concluído e não recebe novas mensagens. Para um "
                "novo pedido, abra um novo atendimento."
            )
        )
    message = do_add_message(
        case,
        clean_text(body, 10000),
        author_kind=Message.Author.REQUESTER,
        files=files,
    )
    _count("reply", str(case.pk), REPLIES_PER_CASE)
    if contests_answer(case):
        history.record(
            case,
            CaseEvent.Action.UPDATED,
            actor=SYSTEM,
            field="resposta",
            new=_("a pessoa contestou a resposta conclusiva"),
        )
        transaction.on_commit(lambda: _tell_the_ombudsman_of_a_reply(case.pk))
    resume_after_reply(case)
    return message


def _tell_the_ombudsman_of_a_reply(case_pk: int) -> None:
    """E-mail the ombudsman role: the author of an answered manifestation replied; they read
    it and reopen the manifestation if the reply is well founded."""
    from django.core.mail import send_mail
    from django.urls import reverse

    from balcao.accounts.roles import OMBUDSMAN, emails_of

    case = Case.objects.get(pk=case_pk)
    people = emails_of(OMBUDSMAN)
    if not people:
        return
    link = settings.BALCAO_BASE_URL.rstrip("/") + reverse("console:case_detail", args=[case.pk])
    send_mail(
        _("[%(protocol)s] A pessoa respondeu à resposta conclusiva") % {"protocol": case.protocol},
        _(
            "O autor da manifestação respondeu à resposta conclusiva. Leia e, se a resposta "
            "for procedente, reabra a manifestação com a justificativa: %(link)s"
        )
        % {"link": link},
        None,
        people,
    )


@transaction.atomic
def do_rate_case(case: Case, *, score: int, resolved: str, comment: str = "") -> CaseRating:
    """Record the person's rating once the case is concluded (once per case)."""
    if not case.state.is_terminal:
        raise Refused(_("A avaliação fica disponível quando o atendimento for concluído."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise Refused(_("Escolha uma nota de 1 a 5."))
    if resolved not in CaseRating.Resolved.values:
        raise Refused(_("Diga se a resposta resolveu: sim, em parte ou não."))
    if CaseRating.objects.filter(case=case).exists():
        raise Refused(_("Este atendimento já foi avaliado. Obrigado!"))
    rating = CaseRating.objects.create(
        case=case, score=score, resolved=resolved, comment=clean_text(comment, COMMENT_MAX)
    )
    history.record(case, CaseEvent.Action.RATED, actor=SYSTEM, new=f"{score}/5, {resolved}")
    return rating


# --- "Meus atendimentos": proof of control of an e-mail ------------------------------------

#: Where a browser's proof of an e-mail is kept in its session ({"email", "at"}), and for
#: how long of inactivity it (and a case opened by protocol and code) holds: the portal's
#: "Meus atendimentos" and the live chat read it.
EMAIL_SESSION_KEY = "followup_email"
GRANT_SECONDS = 2 * 60 * 60
PROOF_SALT = "balcao.followup.email-proof"
PROOF_MAX_AGE = 30 * 60
PROOFS_PER_ADDRESS = (5, 60 * 60)  # links sent to one e-mail per hour


def _cases_of_email_q(address: str):
    from django.db.models import Q

    return Q(requester__email=address) | Q(representative__email=address)


def do_send_email_proof(
    address: str, *, ip: str, link_base: str, without_cases: bool = False
) -> None:
    """E-mail a one-time link (30 minutes) that proves control of ``address`` — only when
    some case belongs to it, unless ``without_cases`` (a person identifying themselves to
    start a live chat, issue 24: "Starting a chat requires an identified person", who may
    have no case yet); the page answers the same either way (nobody learns who has cases).
    Limited per address and per e-mail."""
    from django.core.mail import send_mail

    address = (address or "").strip().lower()
    if _over("ip", ip, FAILURES_PER_ADDRESS) or _over("proof", address, PROOFS_PER_ADDRESS):
        raise AccessRefused(_("Muitas tentativas. Aguarde alguns minutos e tente de novo."))
    _count("ip", ip, FAILURES_PER_ADDRESS)
    _count("proof", address, PROOFS_PER_ADDRESS)
    if not without_cases and not Case.objects.filter(_cases_of_email_q(address)).exists():
        return
    token = one_time_token({"email": address}, salt=PROOF_SALT)
    link = f"{link_base}{token}/"
    subject = _("Seus atendimentos — link de acesso")
    body = "\n".join(
        [
            _("Para ver todos os atendimentos ligados a este e-mail, abra o link abaixo."),
            _("Ele vale por 30 minutos e uma única vez."),
            "",
            link,
            "",
            _("Se não foi você quem pediu, ignore esta mensagem."),
            "",
            "-- ",
            settings.BALCAO_AGENCY_NAME,
        ]
    )
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)
    )


def one_time_token(data: dict, *, salt: str) -> str:
    """A signed token carrying ``data`` and a nonce, for a link that works once
    (``open_one_time_token``)."""
    from django.core import signing

    return signing.dumps({**data, "nonce": secrets.token_urlsafe(12)}, salt=salt)


def open_one_time_token(token: str, *, salt: str, max_age: int) -> dict | None:
    """What ``one_time_token`` signed, the first time it is opened within ``max_age``
    seconds; None for a second use, a forged or an expired token."""
    from django.core import signing

    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    if not cache.add(f"one-time:{salt}:{data.get('nonce')}", 1, max_age + 60):
        return None
    return data


def check_email_proof(token: str) -> str:
    """The e-mail a proof link was sent to, once: a second use, a forged or an expired link
    is refused."""
    data = open_one_time_token(token, salt=PROOF_SALT, max_age=PROOF_MAX_AGE)
    if data is None:
        raise AccessRefused(
            _("Este link não vale mais (ele vale por 30 minutos e uma única vez). Peça outro.")
        )
    return data["email"]


def cases_of_email(address: str):
    """Every case whose requester or representative has this e-mail (proven)."""
    return (
        Case.objects.filter(_cases_of_email_q(address))
        .select_related("state", "channel", "requester", "service", "assignee")
        .order_by("-created_at", "-pk")
    )


def linkable_contacts(address: str):
    """Unverified contacts with this e-mail, and the one verified record they could join
    (None when there is no record on file, or more than one)."""
    from balcao.cases.models import Requester

    people = list(Requester.objects.filter(email=address, unverified=False)[:2])
    person = people[0] if len(people) == 1 else None
    contacts = list(
        Requester.objects.filter(email=address, unverified=True, linked_to__isnull=True)
    )
    return contacts, person


@transaction.atomic
def do_link_by_email_proof(address: str) -> int:
    """The person, having proven control of ``address``, confirms that the cases opened
    from the portal or the chatbot with it are theirs: the contacts join the record on file
    with that e-mail (``intake.do_link_contact(via="email-proof")``, recorded on each case).
    Returns the number of cases moved."""
    from balcao.cases import intake

    contacts, person = linkable_contacts(address)
    if person is None:
        return 0
    return sum(
        intake.do_link_contact(
            contact, person, actor=SYSTEM, via=intake.LinkVia.EMAIL_PROOF, reason="e-mail"
        )
        for contact in contacts
    )


# --- gov.br login (OpenID Connect): the same proof of an e-mail, by another way -------------

#: How the platform names gov.br in the history of a case and in the audit log.
GOVBR = "gov.br"


class GovBrEmailNotVerified(AccessRefused):
    """gov.br sent no e-mail, or one its holder never confirmed there: it proves nothing."""


def _govbr_email(claims) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    refused = GovBrEmailNotVerified(
        _(
            "O seu e-mail não está confirmado no gov.br, então ele não serve como prova. "
            "Confirme o seu e-mail aqui: enviaremos um link de acesso para ele."
        )
    )
    if claims.get("email_verified") not in (True, "true"):
        raise refused
    address = str(claims.get("email") or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise refused from exc
    return address


def _govbr_cpf(claims) -> str:
    """gov.br's ``sub`` is the person's CPF; "" when it is not a valid one."""
    from django.core.exceptions import ValidationError

    from balcao.documents import normalise_cpf

    try:
        return normalise_cpf(str(claims.get("sub") or ""))
    except ValidationError:
        return ""


@transaction.atomic
def do_prove_email_by_govbr(claims, *, ip: str | None = None):
    """A person who signed in with gov.br (issue 24: "Optional gov.br login (OpenID
    Connect) as a configurable provider") proves control of the e-mail gov.br confirmed
    (``email_verified``) exactly as the one-time link proves it; an unconfirmed e-mail
    raises ``GovBrEmailNotVerified`` and changes nothing. Returns ``(address, person)``.

    The person is the verified record with that e-mail (the oldest, as the live chat finds
    it), or a new one. The CPF (gov.br's ``sub``), name and confirmed phone only fill what
    is empty on that record: nothing on file is overwritten, a company's record (CNPJ) is
    not given a person's CPF, and a CPF already on another record stays there — a CPF
    never opens or moves anyone's data (DESIGN, "The citizen's identity"); only the proven
    e-mail does. What was filled is written in the history of the person's cases, and
    every gov.br sign-in in the personal-data audit log (LGPD art. 37), by name "gov.br".
    """
    from django.db import IntegrityError

    from balcao.audit.models import PersonalDataAccess
    from balcao.audit.services import record_access
    from balcao.cases.models import Requester
    from balcao.cases.text import clean_line

    address = _govbr_email(claims)
    cpf = _govbr_cpf(claims)
    name = clean_line(claims.get("name") or "", 200)
    phone = ""
    if claims.get("phone_number_verified") in (True, "true"):
        phone = clean_line(claims.get("phone_number") or "", 32)

    person = (
        Requester.objects.select_for_update()
        .filter(email=address, unverified=False)
        .order_by("pk")
        .first()
    )
    created = person is None
    if person is None:
        person = Requester(name=name or address.split("@")[0], email=address)
    filled: list[str] = ["name"] if created and name else []
    notes: list[str] = []
    if cpf and (person.cpf or "") != cpf:
        if person.cpf:
            notes.append("CPF do gov.br diferente do cadastro")
        elif person.cnpj:
            notes.append("cadastro de CNPJ: CPF não preenchido")
        elif Requester.objects.filter(cpf=cpf).exclude(pk=person.pk).exists():
            notes.append("CPF do gov.br já está em outro cadastro")
        else:
            person.cpf = cpf
            filled.append("cpf")
    if not created and name and not person.name.strip():
        person.name = name
        filled.append("name")
    if phone and not person.phone:
        person.phone = phone
        filled.append("phone")
    try:
        with transaction.atomic():
            _save_person(person, created, filled)
    except IntegrityError:  # the same CPF saved on another record a moment ago
        if "cpf" not in filled:
            raise
        person.cpf = None
        filled.remove("cpf")
        notes.append("CPF do gov.br já está em outro cadastro")
        _save_person(person, created, filled)

    labels = {"name": _("nome"), "cpf": "CPF", "phone": _("telefone")}
    if filled and not created:
        for case in Case.objects.filter(requester=person):
            history.record(
                case,
                CaseEvent.Action.UPDATED,
                actor=SYSTEM,
                field="requerente",
                new=_("preenchido pelo gov.br: %(fields)s")
                % {"fields": ", ".join(str(labels[f]) for f in filled)},
                reason=GOVBR,
            )
    where = "Entrar com gov.br ({})".format(
        "; ".join(
            [("novo cadastro" if created else "cadastro existente")]
            + ([("preenchido: " + ", ".join(filled))] if filled else [])
            + notes
        )
    )
    record_access(
        person,
        user=None,
        token_name=GOVBR,
        where=where,
        purpose="prova do e-mail pelo gov.br",
        kind=PersonalDataAccess.Kind.API,
        ip=ip,
    )
    return address, person


def _save_person(person, created: bool, filled: list[str]) -> None:
    if created:
        person.save()
    elif filled:
        person.save(update_fields=filled)
