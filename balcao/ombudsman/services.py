"""Filing and following a manifestation (contract: issue 21's public API).

Lei 13.460/2017 art. 10: "A manifestação será dirigida à ouvidoria do órgão ou entidade
responsável"; Decreto 9.492/2018 and Decreto 10.153/2019 (identity protection). The person
chooses how to be identified:

- **identified** and **preserved**: name and e-mail are kept (as an unverified contact: public
  input never takes over a record on file, cases.intake), the case gets an access code for
  its follow-up; the ombudsman's channel is confidential, so only the ombudsman role sees
  the case and who filed it (cases.services.visible_cases);
- **anonymous**: nothing personal is stored — no requester, no address; a denúncia filed so
  is a *comunicação*: it can be investigated, but nobody can follow it up (no access code).

Deadlines: an access-to-information request runs on the ``lai`` policy (Lei 12.527 art. 11:
20 days, extendable by 10); every other type on ``BALCAO_OMBUDSMAN_POLICY`` (default
``inpi-ouvidoria``, 20 + 10; ``ouvidoria`` is Lei 13.460 art. 16's 30 + 30).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from balcao.accounts.permissions import SYSTEM, PermissionDenied, check_can
from balcao.accounts.roles import OMBUDSMAN, emails_of, roles_of
from balcao.apikit import bounds
from balcao.cases import followup, intake
from balcao.cases import services as cases
from balcao.cases.clock import policy_due
from balcao.cases.models import Case, CaseEvent, Message, State, Workflow
from balcao.catalog.models import Channel
from balcao.ombudsman import annual_report as annual
from balcao.ombudsman import classification, pseudonymise
from balcao.ombudsman.models import (
    ClassificationAppeal,
    ClassificationAuthority,
    ClassificationOpinion,
    ClassificationReassessment,
    ClassifiedInformation,
    ExternalComplaint,
    Forwarding,
    ForwardingFile,
    LaiAnswer,
    LaiAppeal,
    Manifestation,
    Mediation,
    MediationSession,
    Triage,
)

OMBUDSMAN_CHANNEL, LAI_CHANNEL = "ouvidoria", "sic"
LAI_POLICY = "lai"


class ManifestationError(Exception):
    """Bad input: ``fields`` maps each field to its messages (all of them at once)."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


@dataclass
class Filed:
    case: Case
    access_code: str | None
    policy: str

    @property
    def due(self) -> str | None:
        return timezone.localdate(self.case.due_at).isoformat() if self.case.due_at else None


def _text(data: dict, name: str, limit: int) -> str:
    value = data.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def validate(data: dict) -> dict:
    """The manifestation's cleaned fields, or ManifestationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    kind = data.get("type")
    if kind not in Manifestation.Type.values:
        errors["type"] = [
            _("Tipo desconhecido; use um destes: %(types)s.")
            % {"types": ", ".join(Manifestation.Type.values)}
        ]
    identity = data.get("identity") or Manifestation.Identity.IDENTIFIED
    if identity not in Manifestation.Identity.values:
        errors["identity"] = [
            _("Identificação desconhecida; use identified, preserved ou anonymous.")
        ]
    description = _text(data, "description", bounds.PUBLIC_TEXT * 5)
    if not description:
        errors["description"] = [_("Descreva a manifestação.")]
    subject = _text(data, "subject", 250)
    requester = data.get("requester")
    person: dict[str, str] = {}
    if identity != Manifestation.Identity.ANONYMOUS:
        if not isinstance(requester, dict):
            errors["requester"] = [_("Informe nome e e-mail (ou escolha a manifestação anônima).")]
        else:
            person = {k: _text(requester, k, 254) for k in ("name", "email", "cpf")}
            if not person["name"]:
                errors["name"] = [_("Informe seu nome.")]
            try:
                validate_email(person["email"])
            except ValidationError:
                errors["email"] = [_("Informe um e-mail válido.")]
            if person["cpf"]:
                try:
                    cases.check_requester_documents(cpf=person["cpf"])
                except ValidationError as exc:
                    errors["cpf"] = list(exc.messages)
    if errors:
        raise ManifestationError(errors)
    return {
        "type": kind,
        "identity": identity,
        "subject": subject or str(Manifestation.Type(kind).label),
        "description": description,
        "person": person,
    }


def _channel(slug: str) -> Channel:
    """The ombudsman's (confidential) or the LAI channel; created on first use by an
    installation whose catalogue has none, so the public API always has where to file."""
    confidential = slug == OMBUDSMAN_CHANNEL
    channel, _created = Channel.objects.get_or_create(
        slug=slug,
        defaults={
            "name": "Ouvidoria" if confidential else "Serviço de Informação ao Cidadão",
            "kind": Channel.Kind.OMBUDSMAN if confidential else Channel.Kind.LAI,
            "confidential": confidential,
            "workflow": Workflow.objects.get(slug="helpdesk"),
        },
    )
    return channel


@transaction.atomic
def do_file_manifestation(data: dict) -> Filed:
    """File a manifestation: a case on the ombudsman's (or the LAI) channel with the
    type's clock; the acknowledgement with the access code is e-mailed after commit."""
    clean = validate(data)
    is_lai = clean["type"] == Manifestation.Type.ACESSO_INFORMACAO
    policy = LAI_POLICY if is_lai else settings.BALCAO_OMBUDSMAN_POLICY
    anonymous = clean["identity"] == Manifestation.Identity.ANONYMOUS
    requester = None
    if not anonymous:
        person = clean["person"]
        requester = intake.do_record_public_contact(
            name=person["name"], email=person["email"], cpf=person["cpf"]
        )
    case = cases.do_open_case(
        channel=_channel(LAI_CHANNEL if is_lai else OMBUDSMAN_CHANNEL),
        subject=clean["subject"],
        description=clean["description"],
        requester=requester,
        actor=SYSTEM,
        deadline_policy=policy,
    )
    Manifestation.objects.create(case=case, type=clean["type"], identity=clean["identity"])
    code = None if anonymous else followup.do_issue_access_code(case, acknowledge=True)
    return Filed(case=case, access_code=code, policy=policy)


def follow(protocol: str, code: str, *, ip: str) -> dict:
    """The person's view of their manifestation (followup.check_access: the same refusal
    for a wrong code and an unknown protocol, limited per address and per protocol)."""
    case = followup.check_access(protocol, code, ip=ip)
    if not hasattr(case, "manifestation"):
        raise followup.AccessRefused(_("Manifestação não encontrada."))
    manifestation = case.manifestation
    answers = [
        {"at": m.created_at.isoformat(), "text": m.body}
        for m in case.messages.filter(internal=False, author_kind=Message.Author.AGENT).order_by(
            "created_at", "pk"
        )
    ]
    public = (
        CaseEvent.Action.OPENED,
        CaseEvent.Action.STATE_CHANGED,
        CaseEvent.Action.REOPENED,
        CaseEvent.Action.DEADLINE_EXTENDED,
        CaseEvent.Action.DEADLINE_PAUSED,
        CaseEvent.Action.DEADLINE_RESUMED,
    )
    history = [
        {
            "at": e.at.isoformat(),
            "event": e.action,
            "label": str(e.action_label),
            "value": e.new_value,
        }
        for e in case.history.filter(action__in=public).order_by("at", "pk")
    ]
    return {
        "protocol": case.protocol,
        "type": manifestation.type,
        "identity": manifestation.identity,
        "status": case.state.name,
        "status_category": case.state.category,
        "due": timezone.localdate(case.due_at).isoformat() if case.due_at else None,
        "closed": case.closed_at is not None,
        "answers": answers,
        "history": history,
    }


# --- the public transparency dashboard (issue 21) ------------------------------------------

TRANSPARENCY_CACHE_SECONDS = 600


def transparency_figures() -> dict:
    """The published figures of every manifestation (balcao.ombudsman.transparency): type,
    channel, the service it is about (never the free-text subject), month, answer time, the
    clock, the person's rating. Kept ten minutes in the shared cache: the page is public."""
    from django.core.cache import caches

    from balcao.ombudsman import transparency

    cached = caches["default"].get("balcao:ombudsman:transparency")
    if cached is not None:
        return cached
    rows = Manifestation.objects.values_list(
        "type",
        "case__channel__name",
        "case__service__name",
        "case__created_at",
        "case__closed_at",
        "case__due_at",
        "case__rating__score",
        "case__rating__resolved",
    )
    labels = dict(Manifestation.Type.choices)
    figures = transparency.dashboard(
        transparency.Record(
            type=str(labels.get(kind, kind)),
            channel=channel,
            subject=service or _("Sem serviço indicado"),
            received_at=received,
            answered_at=closed,
            due_at=due,
            score=score,
            resolved=resolved,
        )
        for kind, channel, service, received, closed, due, score, resolved in rows
    )
    figures["updated_at"] = timezone.now().isoformat(timespec="minutes")
    caches["default"].set("balcao:ombudsman:transparency", figures, TRANSPARENCY_CACHE_SECONDS)
    return figures


# --- the conclusive answer to an access-to-information request (issue 21) ------------------

#: Lei 12.527/2011 art. 15: "No caso de indeferimento de acesso a informações ou às razões da
#: negativa do acesso, poderá o interessado interpor recurso contra a decisão no prazo de 10
#: (dez) dias a contar da sua ciência" — and Decreto 7.724/2012 art. 19 II asks the denial to
#: say so, with the authority that decides it.
APPEAL_NOTICE = gettext_lazy(
    "Você pode recorrer desta decisão em até 10 dias, contados do recebimento desta resposta, "
    "respondendo a esta mensagem ou pela página de acompanhamento; o recurso é decidido pela "
    "autoridade hierarquicamente superior à que respondeu, em até 5 dias (Lei 12.527/2011, "
    "art. 15)."
)


def is_lai(case: Case) -> bool:
    """A request under the access-to-information law: a case of the SIC channel (where the
    manifestation type "acesso à informação" is filed too, ``do_file_manifestation``)."""
    return case.channel.slug == LAI_CHANNEL


def do_answer_lai(
    case: Case,
    *,
    kind: str,
    text: str,
    ground: str = "",
    competent_body: str = "",
    classification_id: int | None = None,
    actor,
) -> LaiAnswer:
    """Give the conclusive answer to an access-to-information request: the reply the person
    receives says what was decided (and on what ground, or which body is competent) and, when
    access is denied in whole or in part, how to appeal (Lei 12.527 art. 15; Decreto 7.724
    art. 19); the answer is recorded once and the case moves to its resolved state. A denial on
    classified information names its TCI (``classification_id``, in force): the person gets the
    TCI without its reasons (INPI Portaria art. 46 § 3º)."""
    check_can(actor, "cases.reply")
    errors: dict[str, list[str]] = {}
    if not is_lai(case):
        errors["kind"] = [_("Este atendimento não é um pedido de acesso à informação.")]
    if LaiAnswer.objects.filter(case=case).exists():
        errors["kind"] = [_("Este pedido já tem resposta conclusiva; o que vier é recurso.")]
    if kind not in LaiAnswer.Kind.values:
        errors["kind"] = [_("Escolha o tipo de resposta.")]
    if kind == LaiAnswer.Kind.DENIED and ground not in LaiAnswer.Ground.values:
        errors["ground"] = [_("Uma negativa diz o seu fundamento legal.")]
    if kind == LaiAnswer.Kind.NOT_COMPETENT and not competent_body.strip():
        errors["competent_body"] = [_("Indique o órgão ou entidade competente.")]
    tci = None
    if ground == LaiAnswer.Ground.CLASSIFIED and kind in (
        LaiAnswer.Kind.DENIED,
        LaiAnswer.Kind.PARTIAL,
    ):
        tci = ClassifiedInformation.objects.filter(
            pk=classification_id or 0, declassified_on__isnull=True
        ).first()
        if tci is None:
            errors["classification_id"] = [
                _("Uma negativa por informação classificada vai com o seu TCI em vigor.")
            ]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Escreva a resposta.")]
    if errors:
        raise ManifestationError(errors)
    decided = str(LaiAnswer.Kind(kind).label)
    header = [_("Resposta ao pedido de acesso à informação: %(kind)s.") % {"kind": decided}]
    if ground and kind in (LaiAnswer.Kind.DENIED, LaiAnswer.Kind.PARTIAL):
        header.append(_("Fundamento: %(ground)s.") % {"ground": LaiAnswer.Ground(ground).label})
    if kind == LaiAnswer.Kind.NOT_COMPETENT:
        header.append(_("Órgão competente: %(body)s.") % {"body": competent_body.strip()[:200]})
    parts = [" ".join(header), text]
    if tci is not None:
        shown = classification.public_view(tci.as_classification())
        parts.append(
            _(
                "Termo de Classificação de Informação: CIDIC %(cidic)s; grau %(degree)s; "
                "fundamento %(ground)s; produzida em %(produced)s, classificada em "
                "%(classified)s, sigilo até %(until)s."
            )
            % {
                "cidic": shown["cidic"],
                "degree": shown["degree"],
                "ground": shown["legal_ground"],
                "produced": shown["produced_on"],
                "classified": shown["classified_on"],
                "until": shown["declassified_on"],
            }
        )
    if kind in (LaiAnswer.Kind.DENIED, LaiAnswer.Kind.PARTIAL):
        parts.append(str(APPEAL_NOTICE))
    with transaction.atomic():
        cases.do_add_message(case, "\n\n".join(parts), actor=actor)
        answer = LaiAnswer.objects.create(
            case=case,
            kind=kind,
            ground=ground if kind in (LaiAnswer.Kind.DENIED, LaiAnswer.Kind.PARTIAL) else "",
            competent_body=competent_body.strip()[:200],
            classification=tci,
            answered_by=actor,
        )
        case.refresh_from_db()
        resolved = next(
            (
                t.target
                for t in cases.allowed_transitions(case)
                if t.target.category == t.target.Category.RESOLVED
            ),
            None,
        )
        if resolved is not None:
            cases.do_change_state(
                case,
                resolved,
                actor=actor,
                reason=_("Resposta conclusiva: %(kind)s") % {"kind": decided},
            )
    return answer


# --- classified information and the annual report (issue 21; Portaria arts. 46–51) --------


def authority_of(user) -> classification.Authority | None:
    """The classifying authority ``user`` holds (Portaria art. 46), or None."""
    found = ClassificationAuthority.objects.filter(user=user).first() if user else None
    return classification.Authority(found.president, found.level) if found else None


def do_classify(*, actor, **fields) -> ClassifiedInformation:
    """Record a TCI signed by ``actor``: refused, naming the field, unless the rules of
    balcao.ombudsman.classification accept it — among them that ``actor`` holds the authority
    for the degree (Portaria art. 46)."""
    check_can(actor, "classification.view")
    authority = authority_of(actor)
    if authority is None:
        raise ManifestationError(
            {"authority": [_("Você não está registrado como autoridade classificadora.")]}
        )
    try:
        checked = classification.classify(
            classified_on=timezone.localdate(), authority=authority, **fields
        )
    except classification.ClassificationError as exc:
        raise ManifestationError({exc.field: [exc.message]}) from exc
    return ClassifiedInformation.objects.create(
        nup=checked.nup,
        degree=checked.degree.value,
        category=checked.category,
        legal_ground=checked.legal_ground,
        subject=checked.subject,
        produced_on=checked.produced_on,
        classified_on=checked.classified_on,
        years=checked.years,
        reasons=checked.reasons,
        end_event=checked.end_event,
        classified_by=actor,
        authority_president=authority.president,
        authority_level=authority.level,
    )


def do_declassify(item: ClassifiedInformation, *, actor, summary: str) -> ClassifiedInformation:
    """Declassify (Portaria art. 47): by an authority who may classify at the item's degree,
    with the short summary the annual report publishes (art. 50 I c)."""
    check_can(actor, "classification.view")
    authority = authority_of(actor)
    refusal = (
        classification.authority_refusal(classification.Degree(item.degree), authority)
        if authority
        else _("Você não está registrado como autoridade classificadora.")
    )
    if refusal:
        raise ManifestationError({"authority": [refusal]})
    if item.declassified_on is not None:
        raise ManifestationError({"summary": [_("Esta informação já foi desclassificada.")]})
    if not (summary or "").strip():
        raise ManifestationError({"summary": [_("Escreva um breve resumo do documento.")]})
    item.declassified_on = timezone.localdate()
    item.declassified_by = actor
    item.declassification_summary = summary.strip()[:2000]
    item.save(update_fields=["declassified_on", "declassified_by", "declassification_summary"])
    return item


# Reassessment, appeal and the ombudsman's opinion (INPI Portaria arts. 47–49; Decreto
# 7.724/2012 arts. 35–37).

_NOT_AN_AUTHORITY = gettext_lazy("Você não está registrado como autoridade classificadora.")
Decision = ClassificationReassessment.Decision


def reassessment_refusal(item: ClassifiedInformation, actor) -> str | None:
    """Why ``actor`` may not decide a reassessment of ``item`` (None when they may): only an
    authority who may classify at the item's degree (Portaria art. 47 and art. 46; Decreto
    7.724/2012 art. 35: "pela autoridade classificadora ou por autoridade hierarquicamente
    superior")."""
    authority = authority_of(actor)
    if authority is None:
        return str(_NOT_AN_AUTHORITY)
    return classification.authority_refusal(classification.Degree(item.degree), authority)


def do_request_reassessment(
    item: ClassifiedInformation,
    *,
    actor,
    origin: str,
    text: str,
    asked: str = ClassificationReassessment.Asked.DECLASSIFY,
    requester_name: str = "",
    requester_email: str = "",
) -> ClassificationReassessment:
    """Record a reassessment of ``item`` for the classifying authority to decide (Portaria art.
    47: "mediante provocação ou de ofício … para a sua desclassificação ou redução do prazo de
    sigilo"; its parágrafo único: "Os pedidos de reavaliação … serão diretamente tratados pela
    respectiva Autoridade Classificadora"). A request may come from anyone, with or without an
    earlier request for access (Decreto 7.724/2012 art. 36): who asked and their text are
    recorded; an ex officio reassessment records who started it. One at a time per TCI."""
    check_can(actor, "classification.view")
    errors: dict[str, list[str]] = {}
    if item.declassified_on is not None:
        errors["text"] = [_("Esta informação já foi desclassificada.")]
    elif ClassificationReassessment.objects.filter(item=item, decision="").exists():
        errors["text"] = [_("Já há uma reavaliação desta informação aguardando decisão.")]
    elif ClassificationAppeal.objects.filter(reassessment__item=item, outcome="").exists():
        errors["text"] = [_("Há um recurso sobre esta informação aguardando o Presidente.")]
    if origin not in ClassificationReassessment.Origin.values:
        errors["origin"] = [_("Diga se a reavaliação é a pedido ou de ofício.")]
    if asked not in ClassificationReassessment.Asked.values:
        errors["asked"] = [_("Diga o que se pede: a desclassificação ou a redução do prazo.")]
    name, email = (requester_name or "").strip()[:200], (requester_email or "").strip()
    if origin == ClassificationReassessment.Origin.REQUEST:
        if not name:
            errors["requester_name"] = [_("Indique quem pediu a reavaliação.")]
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["requester_email"] = [_("Informe um e-mail válido.")]
    else:
        name = email = ""
    text = (text or "").strip()
    if not text:
        errors.setdefault("text", [_("Escreva o pedido ou o motivo da reavaliação.")])
    if errors:
        raise ManifestationError(errors)
    return ClassificationReassessment.objects.create(
        item=item,
        origin=origin,
        asked=asked,
        requester_name=name,
        requester_email=email,
        request_text=text[:20000],
        registered_by=actor,
        registered_at=timezone.now(),
    )


def _carry_out(
    item: ClassifiedInformation, *, effect: str, actor, years, degree: str, summary: str
) -> tuple[str, str]:
    """Apply a decision to ``item`` (locked by the caller); the CIDIC before and after (its
    history of changes, Portaria art. 51 § 1º). A shorter term or a lower degree follows the
    rules of balcao.ombudsman.classification; a declassification is ``do_declassify``."""
    before = item.as_classification()
    if effect == Decision.KEEP:
        return before.cidic, before.cidic
    if effect == Decision.DECLASSIFY:
        do_declassify(item, actor=actor, summary=summary)
        return before.cidic, ""
    if not years:
        raise ManifestationError({"years": [_("Indique o novo prazo de sigilo, em anos.")]})
    today = timezone.localdate()
    try:
        if effect == Decision.REDUCE:
            after = classification.reduce_term(before, int(years), on=today)
        else:
            after = classification.downgrade(before, degree, int(years), on=today)
    except classification.ClassificationError as exc:
        raise ManifestationError({exc.field: [exc.message]}) from exc
    item.degree, item.years, item.reclassified = after.degree.value, after.years, True
    item.save(update_fields=["degree", "years", "reclassified"])
    return before.cidic, after.cidic


def _tell_the_requester(email: str, lines: list[str]) -> None:
    """E-mail the person who asked, after commit: the outcome and what they may do next,
    never the reasons, which stay at the degree of the information (Lei 12.527/2011 art. 29
    § único: "A decisão … será mantida no mesmo grau de sigilo da informação classificada")."""
    if not email:
        return
    from django.core.mail import send_mail

    body = "\n".join([*lines, "", "-- ", settings.BALCAO_AGENCY_NAME])
    subject = _("Reavaliação de informação classificada")
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
    )


def do_decide_reassessment(
    reassessment: ClassificationReassessment,
    *,
    actor,
    decision: str,
    reasons: str,
    years: int | None = None,
    degree: str = "",
    summary: str = "",
) -> ClassificationReassessment:
    """Decide a reassessment (Portaria art. 47; Decreto 7.724/2012 art. 35): keep the
    classification, reduce the term (``years``, never past the degree's maximum, still from
    the production), reclassify at a lower ``degree`` or declassify (with the ``summary`` the
    annual report publishes). Only an authority who may classify at the item's degree decides,
    with reasons ("a permanência das razões da classificação", art. 35 § único III). The
    person who asked is told the outcome and, when refused, the 10 days to appeal to the
    President (art. 48)."""
    check_can(actor, "classification.view")
    refusal = reassessment_refusal(reassessment.item, actor)
    if refusal:
        raise ManifestationError({"authority": [refusal]})
    if decision not in Decision.values:
        raise ManifestationError({"decision": [_("Escolha a decisão.")]})
    reasons = (reasons or "").strip()
    if not reasons:
        raise ManifestationError({"decision_text": [_("Escreva as razões da decisão.")]})
    with transaction.atomic():
        decided = (
            ClassificationReassessment.objects.select_for_update()
            .filter(pk=reassessment.pk)
            .values_list("decision", flat=True)
            .get()
        )
        if decided:
            raise ManifestationError({"decision": [_("Esta reavaliação já foi decidida.")]})
        item = ClassifiedInformation.objects.select_for_update().get(pk=reassessment.item_id)
        before, after = _carry_out(
            item, effect=decision, actor=actor, years=years, degree=degree, summary=summary
        )
        changed = decision in (Decision.REDUCE, Decision.DOWNGRADE)
        reassessment.decision = decision
        reassessment.decision_text = reasons[:20000]
        reassessment.new_degree = item.degree if changed else ""
        reassessment.new_years = item.years if changed else None
        reassessment.cidic_before, reassessment.cidic_after = before, after
        reassessment.decided_by = actor
        reassessment.decided_at = timezone.now()
        reassessment.save(
            update_fields=[
                "decision",
                "decision_text",
                "new_degree",
                "new_years",
                "cidic_before",
                "cidic_after",
                "decided_by",
                "decided_at",
            ]
        )
        reassessment.item = item
        lines = [
            _("O pedido de reavaliação da informação classificada %(cidic)s foi decidido: %(d)s.")
            % {"cidic": before, "d": Decision(decision).label}
        ]
        if reassessment.refused:
            lines.append(
                _(
                    "Você pode recorrer ao Presidente do INPI até %(due)s (10 dias da ciência "
                    "desta decisão, Portaria INPI, art. 48); ele decide em até 30 dias."
                )
                % {"due": timezone.localtime(appeal_filing_due(reassessment)).strftime("%d/%m/%Y")}
            )
        _tell_the_requester(reassessment.requester_email, lines)
    return reassessment


def appeal_filing_due(reassessment: ClassificationReassessment):
    """The end of the 10 days to appeal a refused request (Portaria art. 48, "contados da
    ciência da negativa": the person is told when it is decided), on the
    ``classification-appeal-filing`` clock; None when there is nothing to appeal."""
    if not reassessment.refused or reassessment.decided_at is None:
        return None
    return policy_due("classification-appeal-filing", reassessment.decided_at)


def do_file_classification_appeal(
    reassessment: ClassificationReassessment, *, text: str, actor
) -> ClassificationAppeal:
    """Register the person's appeal against a refused declassification or reassessment,
    addressed to the President (Portaria art. 48; Decreto 7.724/2012 art. 37): within its 10
    days (``classification-appeal-filing``), decided within 30 (``classification-appeal-
    decision``, recorded as the decision's due date). One appeal per refusal."""
    check_can(actor, "classification.view")
    due = appeal_filing_due(reassessment)
    if due is None:
        raise ManifestationError(
            {
                "text": [
                    _(
                        "Só cabe recurso contra a negativa de um pedido de desclassificação ou "
                        "de reavaliação (Portaria, art. 48)."
                    )
                ]
            }
        )
    if ClassificationAppeal.objects.filter(reassessment=reassessment).exists():
        raise ManifestationError({"text": [_("Esta negativa já tem recurso.")]})
    now = timezone.now()
    if now > due:
        raise ManifestationError(
            {
                "text": [
                    _(
                        "O prazo para recorrer terminou em %(due)s: são 10 dias contados da "
                        "ciência da negativa (Portaria, art. 48)."
                    )
                    % {"due": timezone.localtime(due).strftime("%d/%m/%Y")}
                ]
            }
        )
    if ClassifiedInformation.objects.filter(
        pk=reassessment.item_id, declassified_on__isnull=False
    ).exists():
        raise ManifestationError({"text": [_("Esta informação já foi desclassificada.")]})
    text = (text or "").strip()
    if not text:
        raise ManifestationError({"text": [_("Escreva as razões do recurso.")]})
    return ClassificationAppeal.objects.create(
        reassessment=reassessment,
        text=text[:20000],
        filed_at=now,
        filing_due=due,
        decision_due=policy_due("classification-appeal-decision", now),
        registered_by=actor,
    )


def do_decide_classification_appeal(
    appeal: ClassificationAppeal,
    *,
    actor,
    outcome: str,
    reasons: str,
    effect: str = "",
    years: int | None = None,
    degree: str = "",
    summary: str = "",
) -> ClassificationAppeal:
    """The President's decision on the appeal (Portaria art. 48: "ao Presidente do INPI, que
    decidirá no prazo de trinta dias"): denied, or granted with what it does — declassify,
    reduce the term, or reclassify at a lower degree (the same rules as a reassessment). The
    person who asked is told the outcome, never the reasons."""
    check_can(actor, "classification.view")
    authority = authority_of(actor)
    if authority is None or not authority.president:
        raise ManifestationError(
            {
                "authority": [
                    _(
                        "O recurso é dirigido ao Presidente do INPI, que o decide (Portaria, "
                        "art. 48)."
                    )
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    if outcome not in ClassificationAppeal.Outcome.values:
        errors["outcome"] = [_("Escolha a decisão.")]
    granted = outcome == ClassificationAppeal.Outcome.GRANTED
    if granted and effect not in (Decision.DECLASSIFY, Decision.REDUCE, Decision.DOWNGRADE):
        errors["effect"] = [
            _("Um recurso provido desclassifica a informação, reduz o seu prazo ou o seu grau.")
        ]
    reasons = (reasons or "").strip()
    if not reasons:
        errors["decision_text"] = [_("Escreva a fundamentação da decisão.")]
    if errors:
        raise ManifestationError(errors)
    with transaction.atomic():
        decided = (
            ClassificationAppeal.objects.select_for_update()
            .filter(pk=appeal.pk)
            .values_list("outcome", flat=True)
            .get()
        )
        if decided:
            raise ManifestationError({"outcome": [_("Este recurso já foi decidido.")]})
        item = ClassifiedInformation.objects.select_for_update().get(pk=appeal.reassessment.item_id)
        before, after = _carry_out(
            item,
            effect=effect if granted else Decision.KEEP,
            actor=actor,
            years=years,
            degree=degree,
            summary=summary,
        )
        changed = granted and effect in (Decision.REDUCE, Decision.DOWNGRADE)
        appeal.outcome = outcome
        appeal.effect = effect if granted else ""
        appeal.decision_text = reasons[:20000]
        appeal.new_degree = item.degree if changed else ""
        appeal.new_years = item.years if changed else None
        appeal.cidic_before, appeal.cidic_after = before, after
        appeal.decided_by = actor
        appeal.decided_at = timezone.now()
        appeal.save(
            update_fields=[
                "outcome",
                "effect",
                "decision_text",
                "new_degree",
                "new_years",
                "cidic_before",
                "cidic_after",
                "decided_by",
                "decided_at",
            ]
        )
        decided = ClassificationAppeal.Outcome(outcome).label
        if granted:
            decided = f"{decided} — {Decision(effect).label}"
        _tell_the_requester(
            appeal.reassessment.requester_email,
            [
                _("O Presidente do INPI decidiu o recurso sobre a informação %(cidic)s: %(d)s.")
                % {"cidic": before, "d": decided}
            ],
        )
    return appeal


def do_record_opinion(
    *,
    actor,
    text: str,
    reassessment: ClassificationReassessment | None = None,
    appeal: ClassificationAppeal | None = None,
) -> ClassificationOpinion:
    """Record the ombudsman's advisory opinion on a pending reassessment or appeal (Portaria
    art. 49 II: "assessorar a Autoridade Classificadora ou a autoridade hierarquicamente
    superior quanto à desclassificação, reclassificação ou reavaliação"): the ombudsman role
    only; once decided, there is nobody left to advise."""
    check_can(actor, "classification.view")
    if (reassessment is None) == (appeal is None):
        raise ValueError("an opinion is on one reassessment or on one appeal")
    if OMBUDSMAN not in roles_of(actor):
        raise PermissionDenied(_("O parecer é da Ouvidoria (Portaria, art. 49)."))
    decided = reassessment.decision if reassessment is not None else appeal.outcome
    if decided:
        raise ManifestationError(
            {
                "text": [
                    _("Já decidido: o parecer assessora quem vai decidir (Portaria, art. 49, II).")
                ]
            }
        )
    text = (text or "").strip()
    if not text:
        raise ManifestationError({"text": [_("Escreva o parecer.")]})
    return ClassificationOpinion.objects.create(
        reassessment=reassessment, appeal=appeal, text=text[:20000], author=actor
    )


def annual_report(period_end) -> dict:
    """The report of Portaria art. 50 for the twelve months ending on ``period_end``: the TCIs
    recorded here, and the access-to-information requests (cases of the SIC channel) with
    their conclusive answers (a denial in whole counts as indeferido)."""
    items = list(ClassifiedInformation.objects.all())
    requests = [
        annual.Request(
            received_on=timezone.localdate(created),
            answered_on=timezone.localdate(answered) if answered else None,
            denied=kind == LaiAnswer.Kind.DENIED,
            requester_kind=(
                _("pessoa jurídica") if cnpj else _("pessoa física") if requester else _("anônimo")
            ),
        )
        for created, answered, kind, requester, cnpj in Case.objects.filter(
            channel__slug=LAI_CHANNEL
        ).values_list(
            "created_at",
            "lai_answer__answered_at",
            "lai_answer__kind",
            "requester_id",
            "requester__cnpj",
        )
    ]
    return annual.build(
        period_end=period_end,
        classifications=[
            item.as_classification() for item in items if item.declassified_on is None
        ],
        declassified=[
            annual.Declassified(
                identification=item.as_classification().cidic,
                degree=classification.Degree(item.degree),
                summary=item.declassification_summary,
                declassified_on=item.declassified_on,
            )
            for item in items
            if item.declassified_on is not None
        ],
        requests=requests,
    )


# --- appeals against an LAI answer, and the complaint for omission (issue 21) -------------

#: The order of the instances (Decreto 7.724/2012 arts. 21, 23 and 24): who decides next when
#: an appeal was not granted.
_NEXT_INSTANCE = {
    LaiAppeal.Instance.FIRST: LaiAppeal.Instance.SECOND,
    LaiAppeal.Instance.SECOND: LaiAppeal.Instance.CGU,
    LaiAppeal.Instance.CGU: LaiAppeal.Instance.CMRI,
}
#: Instances decided inside the agency, on the ``lai-appeal-decision`` clock (5 days); the CGU
#: and the CMRI decide outside it and their decisions are only recorded.
_INTERNAL = {LaiAppeal.Instance.FIRST, LaiAppeal.Instance.SECOND, LaiAppeal.Instance.OMISSION}


_UNREAD = object()


def next_appeal(case: Case, *, appeals=None, answer=_UNREAD) -> tuple[str, object] | None:
    """(instance, filing deadline) of the appeal the person may file now, or None: the first
    instance after a conclusive answer that did not grant everything, the next one after a
    decision that did not grant the appeal, the complaint for omission once the request's due
    date has passed with no answer (Decreto 7.724 art. 22). ``appeals`` (in their order) and
    ``answer`` (the LAI answer or None), when the caller has read them already."""
    if not is_lai(case):
        return None
    if appeals is None:
        appeals = list(LaiAppeal.objects.filter(case=case))
    if appeals:
        last = appeals[-1]
        if not last.outcome or last.outcome == LaiAppeal.Outcome.GRANTED:
            return None  # pending, or the person already got what they asked
        following = _NEXT_INSTANCE.get(LaiAppeal.Instance(last.instance))
        return (following, policy_due("lai-appeal-filing", last.decided_at)) if following else None
    if answer is _UNREAD:
        answer = LaiAnswer.objects.filter(case=case).first()
    if answer is None:
        if case.due_at and case.due_at < timezone.now():
            return LaiAppeal.Instance.OMISSION, policy_due("lai-appeal-filing", case.due_at)
        return None
    if answer.kind == LaiAnswer.Kind.GRANTED:
        return None
    return LaiAppeal.Instance.FIRST, policy_due("lai-appeal-filing", answer.answered_at)


def do_register_appeal(case: Case, *, text: str, actor) -> LaiAppeal:
    """Register the person's appeal (or complaint) at the instance now open to them, within its
    10 days; the person is told who decides and by when, and the case is open again."""
    check_can(actor, "cases.reply")
    found = next_appeal(case)
    if found is None:
        raise ManifestationError({"text": [_("Não há recurso cabível neste momento.")]})
    instance, filing_due = found
    now = timezone.now()
    if now > filing_due:
        raise ManifestationError(
            {
                "text": [
                    _("O prazo para recorrer terminou em %(due)s.")
                    % {"due": timezone.localtime(filing_due).strftime("%d/%m/%Y")}
                ]
            }
        )
    if not (text or "").strip():
        raise ManifestationError({"text": [_("Escreva as razões do recurso.")]})
    instance = LaiAppeal.Instance(instance)
    due = policy_due("lai-appeal-decision", now) if instance in _INTERNAL else None
    with transaction.atomic():
        appeal = LaiAppeal.objects.create(
            case=case,
            instance=instance,
            text=text.strip()[:20000],
            filed_at=now,
            decision_due=due,
            registered_by=actor,
        )
        notice = _("Recurso registrado: %(instance)s.") % {"instance": instance.label}
        if due is not None:
            notice += " " + _("A decisão sai até %(due)s.") % {
                "due": timezone.localtime(due).strftime("%d/%m/%Y")
            }
        cases.do_add_message(case, notice, actor=actor)
        case.refresh_from_db()
        reopen = next(
            (t for t in cases.allowed_transitions(case) if t.target.category == "open"), None
        )
        if reopen is not None:
            cases.do_change_state(case, reopen.target, actor=actor, reason=str(notice))
    return appeal


def do_decide_appeal(appeal: LaiAppeal, *, outcome: str, text: str, actor) -> LaiAppeal:
    """Record the decision of an appeal and tell the person, with the next instance open to
    them when it was not granted."""
    check_can(actor, "cases.reply")
    if appeal.outcome:
        raise ManifestationError({"outcome": [_("Este recurso já foi decidido.")]})
    if outcome not in LaiAppeal.Outcome.values:
        raise ManifestationError({"outcome": [_("Escolha a decisão.")]})
    if not (text or "").strip():
        raise ManifestationError({"decision_text": [_("Escreva a fundamentação da decisão.")]})
    with transaction.atomic():
        appeal.outcome = outcome
        appeal.decision_text = text.strip()[:20000]
        appeal.decided_at = timezone.now()
        appeal.decided_by = actor
        appeal.save(update_fields=["outcome", "decision_text", "decided_at", "decided_by"])
        parts = [
            _("Decisão do recurso (%(instance)s): %(outcome)s.")
            % {
                "instance": LaiAppeal.Instance(appeal.instance).label,
                "outcome": LaiAppeal.Outcome(outcome).label,
            },
            appeal.decision_text,
        ]
        following = next_appeal(appeal.case)
        if following is not None:
            parts.append(
                _("Se não concordar, você pode recorrer à %(instance)s até %(due)s.")
                % {
                    "instance": LaiAppeal.Instance(following[0]).label,
                    "due": timezone.localtime(following[1]).strftime("%d/%m/%Y"),
                }
            )
        cases.do_add_message(appeal.case, "\n\n".join(parts), actor=actor)
    return appeal


# --- archive when the complementation never came (issue 21) -----------------------------


def archive_unanswered(*, now=None) -> int:
    """Archive the manifestations and LAI requests whose author was asked to complement them
    and did not answer within ``BALCAO_COMPLEMENT_DAYS`` (default 20): the person is told, the
    case moves to its workflow's closed state. Decreto 9.492/2018 (regulating Lei 13.460/2017),
    art. 18 § 2º: the complementation asked "deverá ser atendida no prazo de 20 (vinte) dias,
    contado da data de seu recebimento", and without it the manifestation is archived
    (docs/deadlines.md gives the source). Run daily by the task queue; returns how many."""
    from balcao.cases.models import DeadlinePause

    now = now or timezone.now()
    days = int(getattr(settings, "BALCAO_COMPLEMENT_DAYS", 20))
    waiting = DeadlinePause.objects.filter(
        ended_at__isnull=True,
        started_at__lt=now - timedelta(days=days),
        case__channel__slug__in=(OMBUDSMAN_CHANNEL, LAI_CHANNEL),
        case__state__category=State.Category.WAITING_REQUESTER,
    ).select_related("case")
    archived = 0
    for pause in waiting:
        case = pause.case
        closing = _closing_target(case)
        if closing is None:
            continue
        reason = _(
            "Arquivado: a complementação pedida em %(asked)s não chegou em %(days)s dias."
        ) % {"asked": timezone.localtime(pause.started_at).strftime("%d/%m/%Y"), "days": days}
        with transaction.atomic():
            cases.do_add_message(case, reason, actor=SYSTEM)
            cases.do_change_state(case, closing, actor=SYSTEM, reason=reason)
        archived += 1
    return archived


# --- the transparency dashboard of one year or one type (issue 21) -------------------------


def transparency_figures_of(year: int | None = None, kind: str | None = None) -> dict:
    """The figures of :func:`transparency_figures` for the manifestations received in one
    year, of one type (a ``Manifestation.Type`` value), or both: the dashboard's filters. The
    year runs in UTC, as the month breakdown does. Being a part of the whole, the total is
    suppressed under five like any group (``transparency.dashboard(part=True)``). Without a
    filter it is :func:`transparency_figures` itself; kept in the cache as long."""
    from datetime import UTC, datetime

    from django.core.cache import caches
    from django.utils.translation import get_language

    from balcao.ombudsman import transparency

    if year is None and kind is None:
        return transparency_figures()
    key = f"balcao:ombudsman:transparency:{year or ''}:{kind or ''}:{get_language()}"
    cached = caches["default"].get(key)
    if cached is not None:
        return cached
    manifestations = Manifestation.objects.all()
    if year is not None:
        manifestations = manifestations.filter(
            case__created_at__gte=datetime(year, 1, 1, tzinfo=UTC),
            case__created_at__lt=datetime(year + 1, 1, 1, tzinfo=UTC),
        )
    if kind is not None:
        manifestations = manifestations.filter(type=kind)
    rows = manifestations.values_list(
        "type",
        "case__channel__name",
        "case__service__name",
        "case__created_at",
        "case__closed_at",
        "case__due_at",
        "case__rating__score",
        "case__rating__resolved",
    )
    labels = dict(Manifestation.Type.choices)
    figures = transparency.dashboard(
        (
            transparency.Record(
                type=str(labels.get(kind_, kind_)),
                channel=channel,
                subject=service or _("Sem serviço indicado"),
                received_at=received,
                answered_at=closed,
                due_at=due,
                score=score,
                resolved=resolved,
            )
            for kind_, channel, service, received, closed, due, score, resolved in rows
        ),
        part=True,
    )
    figures["updated_at"] = timezone.now().isoformat(timespec="minutes")
    caches["default"].set(key, figures, TRANSPARENCY_CACHE_SECONDS)
    return figures


# --- the ombudsman's triage and forwarding to units (issue 21) -----------------------------
#
# Lei 13.460/2017 art. 13 (the ombudsman receives, analyses and forwards manifestations to the
# competent units and follows them up) and Decreto 10.153/2019 art. 6º (the unit receives the
# denúncia "com a identidade do denunciante preservada"): the unit works on a pseudonymised
# copy, never on the case; only the ombudsman role reads the case and writes to the person.


def _check_ombudsman(actor) -> None:
    if actor is not SYSTEM and OMBUDSMAN not in roles_of(actor):
        raise PermissionDenied(_("Só a Ouvidoria faz a triagem e o encaminhamento."))


def is_manifestation(case: Case) -> bool:
    """A case of the ombudsman's channel (the LAI channel has its own answer and appeals)."""
    return case.channel.slug == OMBUDSMAN_CHANNEL


def _target(case: Case, category: str):
    """The first state of ``category`` the case's workflow lets it move to now, or None."""
    return next(
        (t.target for t in cases.allowed_transitions(case) if t.target.category == category),
        None,
    )


def _closing_target(case: Case):
    return _target(case, State.Category.CLOSED)


def _move(case: Case, category: str, reason: str) -> None:
    """Move the case along its workflow to a state of ``category`` when one is reachable
    (the queue's views then say where it stands); nothing when the workflow has none."""
    target = _target(case, category)
    if target is not None:
        cases.do_change_state(case, target, actor=SYSTEM, reason=reason)
        case.refresh_from_db()


@transaction.atomic
def do_triage(
    case: Case, *, outcome: str, reason: str, actor, duplicate_of: str = "", channel: str = ""
) -> Triage:
    """Record the ombudsman's triage of a manifestation, with its reason. Admitted, it
    goes on (forwarded, answered); not admitted, of another channel (``channel`` names it)
    or a duplicate (``duplicate_of``: the other manifestation's protocol, in any punctuation),
    the person is told why and the case is closed (Lei 13.460/2017 art. 12: the manifestation
    is answered conclusively; Decreto 9.492/2018: the ombudsman may refuse what is not for it,
    saying why)."""
    from balcao.cases import filters, history

    _check_ombudsman(actor)
    if not is_manifestation(case):
        raise ManifestationError({"outcome": [_("Só as manifestações à Ouvidoria têm triagem.")]})
    fields: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if outcome not in Triage.Outcome.values:
        fields["outcome"] = [_("Escolha o resultado da triagem.")]
    if not reason:
        fields["reason"] = [
            _("Escreva o motivo: ele fica registrado e, se não for admitida, vai à pessoa.")
        ]
    if Triage.objects.filter(case=case).exists():
        fields["outcome"] = [_("Esta manifestação já passou pela triagem.")]
    if not case.is_open:
        fields["outcome"] = [_("Este atendimento já está encerrado.")]
    original = None
    if outcome == Triage.Outcome.DUPLICATE:
        found = filters.search_text(
            Case.objects.filter(channel__slug=OMBUDSMAN_CHANNEL).exclude(pk=case.pk),
            duplicate_of or "-",
        )
        original = found.first() if (duplicate_of or "").strip() else None
        if original is None:
            fields["duplicate_of"] = [_("Informe o protocolo da manifestação de que esta é cópia.")]
    if outcome == Triage.Outcome.OTHER_CHANNEL and not (channel or "").strip():
        fields["channel"] = [_("Diga à pessoa por qual canal ela deve seguir.")]
    if fields:
        raise ManifestationError(fields)
    triage = Triage.objects.create(
        case=case, outcome=outcome, reason=reason, duplicate_of=original, by=actor
    )
    label = Triage.Outcome(outcome).label
    history.record(
        case, CaseEvent.Action.UPDATED, actor=actor, field="triagem", new=str(label), reason=reason
    )
    if outcome == Triage.Outcome.ADMISSIBLE:
        _move(case, State.Category.OPEN, str(label))
        return triage
    tell = {
        Triage.Outcome.INADMISSIBLE: _(
            "Sua manifestação não foi admitida pela Ouvidoria. Motivo: %(reason)s"
        ),
        Triage.Outcome.OTHER_CHANNEL: _(
            "Sua manifestação não é da competência da Ouvidoria. Motivo: %(reason)s "
            "Canal indicado: %(channel)s"
        ),
        Triage.Outcome.DUPLICATE: _(
            "Sua manifestação repete a de protocolo %(original)s, que segue em andamento; "
            "acompanhe-a por lá. %(reason)s"
        ),
    }[outcome] % {
        "reason": reason,
        "channel": (channel or "").strip(),
        "original": original.protocol if original else "",
    }
    cases.do_add_message(case, tell, actor=actor)
    closing = _closing_target(case)
    if closing is not None:
        cases.do_change_state(case, closing, actor=actor, reason=str(label))
    return triage


def suggested_copy(case: Case) -> dict:
    """The pseudonymised copy proposed to the ombudsman before forwarding: subject and
    description without what identifies the author (pseudonymise.redact), and what was
    taken out, for the ombudsman to read and complete."""
    names = [case.requester.name] if case.requester_id and case.requester.name else []
    subject = pseudonymise.redact(case.subject, names=names)
    text = pseudonymise.redact(case.description, names=names)
    removed = dict(text.removed)
    for kind, count in subject.removed.items():
        removed[kind] = removed.get(kind, 0) + count
    return {"subject": subject.text, "text": text.text, "removed": removed}


def _identifiers_left(case: Case, texts: list[str]) -> list[str]:
    """Which of the author's own identifiers (name words, e-mail, documents on file) are
    still in ``texts``: the last check before a copy leaves the ombudsman."""
    from balcao.textnorm import fold

    requester = case.requester if case.requester_id else None
    if requester is None:
        return []
    joined = fold(" ".join(texts))
    digits = "".join(ch for ch in joined if ch.isdigit())
    left = []
    words = [
        w for w in fold(requester.name or "").split() if len(w) >= 3 and w not in {"das", "dos"}
    ]
    if any(re.search(rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])", joined) for w in words):
        left.append(_("o nome"))
    if requester.email and requester.email.casefold() in joined:
        left.append(_("o e-mail"))
    for number in (requester.cpf, requester.claimed_cpf, requester.cnpj, requester.claimed_cnpj):
        if number and number in digits:
            left.append(_("o CPF/CNPJ"))
            break
    if requester.phone:
        phone = "".join(ch for ch in requester.phone if ch.isdigit())
        if len(phone) >= 8 and phone[-8:] in digits:
            left.append(_("o telefone"))
    return left


def default_forwarding_due(case: Case):
    """The unit's internal deadline proposed: ``BALCAO_FORWARDING_DAYS`` (10) from today,
    and never after the day before the case's own due date."""
    days = int(getattr(settings, "BALCAO_FORWARDING_DAYS", 10))
    due = timezone.localdate() + timedelta(days=days)
    if case.due_at:
        due = min(due, timezone.localdate(case.due_at) - timedelta(days=1))
    return max(due, timezone.localdate())


@transaction.atomic
def do_forward(
    case: Case,
    *,
    team,
    subject: str,
    text: str,
    instructions: str,
    due_on,
    attachment_ids=(),
    actor,
) -> Forwarding:
    """Forward an admitted manifestation to a unit as a pseudonymised copy (the module's
    note above). Refused, naming the field, while the copy still carries the author's name,
    e-mail, document or telephone, or an attachment cannot be cleaned of its metadata."""
    from django.core.files.base import ContentFile

    from balcao.cases import history
    from balcao.cases.models import Attachment

    _check_ombudsman(actor)
    if not is_manifestation(case):
        raise ManifestationError({"team": [_("Só as manifestações à Ouvidoria são encaminhadas.")]})
    fields: dict[str, list[str]] = {}
    triage = Triage.objects.filter(case=case).first()
    if triage is None or triage.outcome != Triage.Outcome.ADMISSIBLE:
        fields["team"] = [_("Faça a triagem (admitida) antes de encaminhar.")]
    if not case.is_open:
        fields["team"] = [_("Este atendimento já está encerrado.")]
    if team is None:
        fields["team"] = [_("Escolha a unidade.")]
    subject, text = (subject or "").strip(), (text or "").strip()
    if not subject:
        fields["subject"] = [_("Escreva o assunto da cópia.")]
    if not text:
        fields["text"] = [_("Escreva o relato que a unidade vai ler.")]
    left = _identifiers_left(case, [subject, text, instructions or ""])
    if left:
        fields["text"] = [
            _("A cópia ainda identifica quem se manifestou: %(what)s. Retire antes de enviar.")
            % {"what": ", ".join(str(w) for w in left)}
        ]
    today = timezone.localdate()
    if due_on is None or due_on < today:
        fields["due_on"] = [_("Escolha um prazo interno a partir de hoje.")]
    elif case.due_at and due_on > timezone.localdate(case.due_at):
        fields["due_on"] = [_("O prazo interno não pode passar do prazo da manifestação.")]
    chosen = list(Attachment.objects.filter(case=case, pk__in=list(attachment_ids or ())))
    copies = []
    for n, attachment in enumerate(chosen, start=1):
        with attachment.file.open("rb") as handle:
            stripped = pseudonymise.strip_metadata(attachment.filename, handle.read())
        if not stripped.cleaned or stripped.data is None:
            fields.setdefault("attachments", []).append(f"{attachment.filename}: {stripped.note}")
            continue
        suffix = (
            attachment.filename.rsplit(".", 1)[-1].lower() if "." in attachment.filename else "bin"
        )
        copies.append((f"anexo-{n}.{suffix}", stripped.data))
    if fields:
        raise ManifestationError(fields)
    end_of_day = timezone.make_aware(
        timezone.datetime.combine(due_on, timezone.datetime.max.time().replace(microsecond=0))
    )
    forwarding = Forwarding.objects.create(
        case=case,
        team=team,
        subject=subject[:300],
        text=text,
        instructions=(instructions or "").strip(),
        due_at=end_of_day,
        sent_by=actor,
    )
    for name, data in copies:
        item = ForwardingFile(forwarding=forwarding, filename=name, size=len(data))
        item.file.save(name, ContentFile(data), save=False)
        item.save()
    history.record(
        case,
        CaseEvent.Action.UPDATED,
        actor=actor,
        field="encaminhamento",
        new=team.name,
        reason=_("prazo interno %(due)s") % {"due": due_on.strftime("%d/%m/%Y")},
    )
    if case.state.category == State.Category.OPEN:
        _move(case, State.Category.WAITING_THIRD_PARTY, _("encaminhada à unidade"))
    transaction.on_commit(lambda: _tell_the_unit(forwarding.pk, reminder=False))
    return forwarding


def forwardings_for(user):
    """The forwardings ``user`` works on: every one for the ombudsman role, those of their
    teams for anyone else."""
    from balcao.cases.models import TeamMembership

    found = Forwarding.objects.select_related("team")
    if OMBUDSMAN in roles_of(user):
        return found
    teams = TeamMembership.objects.filter(user=user).values("team_id")
    return found.filter(team_id__in=teams)


@transaction.atomic
def do_answer_forwarding(forwarding: Forwarding, *, text: str, actor) -> Forwarding:
    """The unit's answer to the ombudsman (not to the person: the ombudsman reviews it and
    writes the conclusive answer). Kept on the forwarding and, as an internal note, on the
    case; the ombudsman role is told."""
    from balcao.cases import history

    if not forwardings_for(actor).filter(pk=forwarding.pk).exists():
        raise PermissionDenied(_("Este encaminhamento é de outra unidade."))
    forwarding = Forwarding.objects.select_for_update().get(pk=forwarding.pk)
    if forwarding.answered_at is not None:
        raise ManifestationError({"answer": [_("Este encaminhamento já foi respondido.")]})
    text = (text or "").strip()
    if not text:
        raise ManifestationError({"answer": [_("Escreva a resposta da unidade.")]})
    forwarding.answer, forwarding.answered_at, forwarding.answered_by = (
        text,
        timezone.now(),
        actor,
    )
    forwarding.save(update_fields=["answer", "answered_at", "answered_by"])
    Message.objects.create(
        case=forwarding.case,
        body=_("Resposta da unidade %(team)s ao encaminhamento:\n\n%(text)s")
        % {"team": forwarding.team.name, "text": text},
        author_kind=Message.Author.AGENT,
        author_user=actor,
        internal=True,
    )
    history.record(
        forwarding.case,
        CaseEvent.Action.NOTE_ADDED,
        actor=actor,
        field="encaminhamento",
        new=_("respondido por %(team)s") % {"team": forwarding.team.name},
    )
    case = Case.objects.select_related("state").get(pk=forwarding.case_id)
    others_pending = Forwarding.objects.filter(case=case, answered_at__isnull=True).exists()
    if case.state.category == State.Category.WAITING_THIRD_PARTY and not others_pending:
        _move(case, State.Category.OPEN, _("as unidades responderam"))
    transaction.on_commit(lambda: _tell_the_ombudsman_answered(forwarding.pk))
    return forwarding


def _staff_emails(queryset) -> list[str]:
    return sorted(
        set(queryset.filter(is_active=True).exclude(email="").values_list("email", flat=True))
    )


def _tell_the_unit(forwarding_pk: int, *, reminder: bool) -> None:
    """E-mail the unit's members: the copy's subject, the internal deadline and the link —
    nothing of the author (the copy itself is read in the console)."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.urls import reverse

    forwarding = Forwarding.objects.select_related("team").get(pk=forwarding_pk)
    people = _staff_emails(get_user_model().objects.filter(teammembership__team=forwarding.team))
    if not people:
        return
    link = settings.BALCAO_BASE_URL.rstrip("/") + reverse(
        "console:forwarding_detail", args=[forwarding.pk]
    )
    due = timezone.localtime(forwarding.due_at).strftime("%d/%m/%Y")
    title = (
        _("Lembrete: encaminhamento da Ouvidoria vence em %(due)s")
        if reminder
        else _("Encaminhamento da Ouvidoria (prazo interno %(due)s)")
    ) % {"due": due}
    send_mail(
        title,
        "\n".join(
            [
                _("A Ouvidoria encaminhou à unidade %(team)s uma manifestação para análise.")
                % {"team": forwarding.team.name},
                "",
                _("Assunto: %(subject)s") % {"subject": forwarding.subject},
                _("Prazo interno: %(due)s") % {"due": due},
                "",
                _("Leia e responda no console: %(link)s") % {"link": link},
            ]
        ),
        None,
        people,
    )


def _tell_the_ombudsman_answered(forwarding_pk: int) -> None:
    from django.core.mail import send_mail
    from django.urls import reverse

    forwarding = Forwarding.objects.select_related("team", "case").get(pk=forwarding_pk)
    people = emails_of(OMBUDSMAN)
    if not people:
        return
    link = settings.BALCAO_BASE_URL.rstrip("/") + reverse(
        "console:case_detail", args=[forwarding.case_id]
    )
    send_mail(
        _("[%(protocol)s] A unidade %(team)s respondeu ao encaminhamento")
        % {"protocol": forwarding.case.protocol, "team": forwarding.team.name},
        _("Revise a resposta e responda à pessoa: %(link)s") % {"link": link},
        None,
        people,
    )


def remind_forwardings(*, now=None) -> int:
    """Remind each unit, once a day, of the forwardings it has not answered that are due
    within two days or overdue. Run daily by the task queue; returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    pending = Forwarding.objects.filter(
        answered_at__isnull=True, due_at__lte=now + timedelta(days=2), case__closed_at__isnull=True
    ).exclude(reminded_on=today)
    count = 0
    for forwarding in pending:
        Forwarding.objects.filter(pk=forwarding.pk).update(reminded_on=today)
        _tell_the_unit(forwarding.pk, reminder=True)
        count += 1
    return count


# --- Resolução Pacífica de Conflitos: mediation coordinated by the ombudsman (issue 21) -----

MEDIATION_CHANNEL = "resolucao-pacifica"


def is_mediation(case: Case) -> bool:
    return case.channel.slug == MEDIATION_CHANNEL


def _mediation(case: Case, actor) -> Mediation:
    _check_ombudsman(actor)
    if not is_mediation(case):
        raise ManifestationError(
            {"__all__": [_("Só os casos de Resolução Pacífica de Conflitos têm mediação.")]}
        )
    if not case.is_open:
        raise ManifestationError({"__all__": [_("Este atendimento já está encerrado.")]})
    mediation, _created = Mediation.objects.get_or_create(case=case)
    return mediation


def _end_of(day) -> object:
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


@transaction.atomic
def do_agree_deadline(case: Case, *, due_on, how: str, actor) -> Case:
    """Record the deadline the person and the agency agreed ("PRAZO: acordado entre o usuário
    e o INPI (partes envolvidas)") and how they agreed it; it becomes the case's due date
    (cases.clock honours it when the channel has no policy of its own) and the person is told.
    It can be agreed again; each agreement stays in the history."""
    from balcao.cases import history

    mediation = _mediation(case, actor)
    how = (how or "").strip()
    fields: dict[str, list[str]] = {}
    if due_on is None or due_on <= timezone.localdate():
        fields["due_on"] = [_("O prazo acordado deve ser uma data futura.")]
    if not how:
        fields["how"] = [_("Registre como e quando as partes acordaram o prazo.")]
    if fields:
        raise ManifestationError(fields)
    case = Case.objects.select_for_update().get(pk=case.pk)
    old = case.due_at
    case.agreed_due_at = case.due_at = _end_of(due_on)
    case.save(update_fields=["agreed_due_at", "due_at", "updated_at"])
    mediation.agreed_how = how
    mediation.save(update_fields=["agreed_how"])
    history.record(
        case,
        CaseEvent.Action.DUE_SET,
        actor=actor,
        field="due_at",
        old=timezone.localtime(old).strftime("%Y-%m-%d %H:%M") if old else "",
        new=timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
        reason=_("prazo acordado entre as partes: %(how)s") % {"how": how},
    )
    cases.do_add_message(
        case,
        _("Prazo acordado para a resolução pacífica do seu caso: %(due)s.")
        % {"due": due_on.strftime("%d/%m/%Y")},
        actor=actor,
    )
    return case


@transaction.atomic
def do_schedule_session(case: Case, *, starts_at, mode: str, where: str, actor):
    """Schedule a mediation session; the person is told when, how and where."""
    mediation = _mediation(case, actor)
    where = (where or "").strip()
    fields: dict[str, list[str]] = {}
    if starts_at is None or starts_at <= timezone.now():
        fields["starts_at"] = [_("Escolha uma data e hora futuras.")]
    if mode not in MediationSession.Mode.values:
        fields["mode"] = [_("Escolha a modalidade.")]
    if not where:
        fields["where"] = [_("Informe o local ou o link da sessão.")]
    if fields:
        raise ManifestationError(fields)
    session = MediationSession.objects.create(
        mediation=mediation, starts_at=starts_at, mode=mode, where=where, scheduled_by=actor
    )
    cases.do_add_message(
        case,
        _("Sessão de mediação marcada para %(when)s (%(mode)s): %(where)s")
        % {
            "when": timezone.localtime(starts_at).strftime("%d/%m/%Y %H:%M"),
            "mode": MediationSession.Mode(mode).label,
            "where": where,
        },
        actor=actor,
    )
    return session


@transaction.atomic
def do_record_session(session: MediationSession, *, held: bool, minutes: str, actor):
    """The minutes of a session (or that it did not happen)."""
    _mediation(session.mediation.case, actor)
    minutes = (minutes or "").strip()
    if held and not minutes:
        raise ManifestationError({"minutes": [_("Escreva a ata da sessão realizada.")]})
    session.held, session.minutes = held, minutes
    session.save(update_fields=["held", "minutes"])
    return session


@transaction.atomic
def do_conclude_mediation(case: Case, *, outcome: str, text: str, actor) -> Mediation:
    """End the mediation: an agreement (its text kept as the term of agreement and sent to
    the person), no agreement or a withdrawal (the reason sent to the person); the case moves
    to its workflow's resolved state, or closed when there is none."""
    mediation = _mediation(case, actor)
    text = (text or "").strip()
    if outcome not in Mediation.Outcome.values:
        raise ManifestationError({"outcome": [_("Escolha como a mediação terminou.")]})
    if not text:
        raise ManifestationError(
            {"text": [_("Escreva o termo de acordo ou o motivo do encerramento.")]}
        )
    mediation.outcome, mediation.concluded_at, mediation.concluded_by = (
        outcome,
        timezone.now(),
        actor,
    )
    mediation.agreement = text if outcome == Mediation.Outcome.AGREEMENT else ""
    mediation.save(update_fields=["outcome", "concluded_at", "concluded_by", "agreement"])
    label = Mediation.Outcome(outcome).label
    intro = (
        _("A mediação terminou com acordo. Termo de acordo:")
        if outcome == Mediation.Outcome.AGREEMENT
        else _("A mediação foi encerrada (%(outcome)s):") % {"outcome": label}
    )
    cases.do_add_message(case, f"{intro}\n\n{text}", actor=actor)
    case.refresh_from_db()
    target = _target(case, State.Category.RESOLVED) or _closing_target(case)
    if target is not None:
        cases.do_change_state(case, target, actor=actor, reason=str(label))
    return mediation


# --- Reclame Aqui: complaints published on the outside site (issue 21) ----------------------

RECLAME_AQUI_CHANNEL = "reclame-aqui"


def is_external_complaint(case: Case) -> bool:
    return case.channel.slug == RECLAME_AQUI_CHANNEL


@transaction.atomic
def do_register_external_complaint(
    *, site_id: str, url: str, published_at, author: str, title: str, text: str, actor
) -> Case:
    """Register a complaint published on Reclame Aqui: a case on the ``reclame-aqui`` channel,
    high priority (the catalogue: "reclamações consideradas críticas"), whose clock runs from
    the moment it was published on the site (its ``created_at``), with the name the person
    shows there kept as an unverified contact. The same site id is never registered twice."""
    from django.core.validators import URLValidator

    check_can(actor, "cases.open")
    site_id, url, title = (site_id or "").strip(), (url or "").strip(), (title or "").strip()
    fields: dict[str, list[str]] = {}
    if not site_id:
        fields["site_id"] = [_("Informe o identificador da reclamação no site.")]
    elif ExternalComplaint.objects.filter(site_id=site_id).exists():
        found = ExternalComplaint.objects.select_related("case").get(site_id=site_id)
        fields["site_id"] = [
            _("Esta reclamação já foi registrada: protocolo %(protocol)s.")
            % {"protocol": found.case.protocol}
        ]
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        fields["url"] = [_("Informe o endereço (https://…) da reclamação no site.")]
    if published_at is None or published_at > timezone.now():
        fields["published_at"] = [_("Informe quando a reclamação foi publicada (não no futuro).")]
    if not title:
        fields["title"] = [_("Informe o título da reclamação.")]
    if not (text or "").strip():
        fields["text"] = [_("Copie o texto da reclamação.")]
    if fields:
        raise ManifestationError(fields)
    channel = Channel.objects.filter(slug=RECLAME_AQUI_CHANNEL).first()
    if channel is None:
        raise ManifestationError({"site_id": [_("O canal Reclame Aqui não está no catálogo.")]})
    # the name the person shows on the site, as an unverified contact (no e-mail: the
    # conversation happens on the site)
    requester = intake.do_record_public_contact(name=author) if (author or "").strip() else None
    case = cases.do_open_case(
        channel=channel,
        subject=title,
        description=f"{text.strip()}\n\n{url}",
        requester=requester,
        actor=actor,
        priority=Case.Priority.HIGH,
        deadline_policy=channel.deadline_policy or "inpi-ouvidoria",
    )
    ExternalComplaint.objects.create(case=case, site_id=site_id, url=url, published_at=published_at)
    # the agency's clock runs from the publication, not from the registration here
    Case.objects.filter(pk=case.pk).update(created_at=published_at)
    case.refresh_from_db()
    from balcao.cases.clock import compute_case_due

    due = compute_case_due(case)
    Case.objects.filter(pk=case.pk).update(due_at=due)
    case.due_at = due
    return case


@transaction.atomic
def do_record_public_reply(case: Case, *, text: str, actor) -> ExternalComplaint:
    """The reply the agency posted on the site (public: written for everyone to read, so it
    names no personal data), recorded with who and when; the case is then resolved, waiting
    for the person's evaluation on the site."""
    check_can(actor, "cases.reply")
    complaint = ExternalComplaint.objects.select_for_update().get(case=case)
    text = (text or "").strip()
    if not text:
        raise ManifestationError({"text": [_("Cole a resposta publicada no site.")]})
    complaint.public_reply, complaint.replied_at, complaint.replied_by = text, timezone.now(), actor
    complaint.save(update_fields=["public_reply", "replied_at", "replied_by"])
    Message.objects.create(
        case=case,
        body=_("Resposta publicada no Reclame Aqui:\n\n%(text)s") % {"text": text},
        author_kind=Message.Author.AGENT,
        author_user=actor,
        internal=True,
    )
    case.refresh_from_db()
    target = _target(case, State.Category.RESOLVED)
    if target is not None:
        cases.do_change_state(case, target, actor=actor, reason=_("resposta publicada no site"))
    return complaint


@transaction.atomic
def do_record_evaluation(
    case: Case, *, verdict: str, score, would_return, actor
) -> ExternalComplaint:
    """The evaluation the person left on the site after the reply (resolved or not, a score
    from 0 to 10, whether they would deal with the agency again). Not resolved: the case
    reopens for another reply."""
    check_can(actor, "cases.reply")
    complaint = ExternalComplaint.objects.select_for_update().get(case=case)
    fields: dict[str, list[str]] = {}
    if complaint.replied_at is None:
        fields["verdict"] = [_("Registre primeiro a resposta publicada.")]
    if verdict not in ExternalComplaint.Verdict.values:
        fields["verdict"] = [_("Informe se a pessoa considerou a reclamação resolvida.")]
    if score is not None and not 0 <= score <= 10:
        fields["score"] = [_("A nota vai de 0 a 10.")]
    if fields:
        raise ManifestationError(fields)
    complaint.verdict, complaint.score, complaint.would_return = verdict, score, would_return
    complaint.evaluated_at = timezone.now()
    complaint.save(update_fields=["verdict", "score", "would_return", "evaluated_at"])
    case.refresh_from_db()
    if verdict == ExternalComplaint.Verdict.NOT_RESOLVED:
        reopen = _target(case, State.Category.OPEN)
        if reopen is not None:
            cases.do_change_state(
                case, reopen, actor=actor, reason=_("avaliada no site como não resolvida")
            )
    else:
        closing = _closing_target(case)
        if closing is not None:
            cases.do_change_state(
                case, closing, actor=actor, reason=_("avaliada no site como resolvida")
            )
    return complaint
