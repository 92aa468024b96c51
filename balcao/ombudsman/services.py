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

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from balcao.accounts.permissions import SYSTEM, check_can
from balcao.apikit import bounds
from balcao.cases import followup, intake
from balcao.cases import services as cases
from balcao.cases.clock import policy_due
from balcao.cases.models import Case, CaseEvent, Message, Workflow
from balcao.catalog.models import Channel
from balcao.ombudsman import annual_report as annual
from balcao.ombudsman import classification
from balcao.ombudsman.models import (
    ClassificationAuthority,
    ClassifiedInformation,
    LaiAnswer,
    LaiAppeal,
    Manifestation,
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
            "kind": Channel.Kind.OMBUDSMAN if confidential else Channel.Kind.FORM,
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


def next_appeal(case: Case) -> tuple[str, object] | None:
    """(instance, filing deadline) of the appeal the person may file now, or None: the first
    instance after a conclusive answer that did not grant everything, the next one after a
    decision that did not grant the appeal, the complaint for omission once the request's due
    date has passed with no answer (Decreto 7.724 art. 22)."""
    if not is_lai(case):
        return None
    appeals = list(LaiAppeal.objects.filter(case=case))
    if appeals:
        last = appeals[-1]
        if not last.outcome or last.outcome == LaiAppeal.Outcome.GRANTED:
            return None  # pending, or the person already got what they asked
        following = _NEXT_INSTANCE.get(LaiAppeal.Instance(last.instance))
        return (following, policy_due("lai-appeal-filing", last.decided_at)) if following else None
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
    case moves to its workflow's closed state. Issue 21, after Decreto 9.492/2018 (which
    regulates Lei 13.460/2017): the person has 20 days to complement, and without an answer the
    manifestation is archived (confirm the article against the current text before quoting it,
    as docs/deadlines.md says of the same decree). Run daily by the task queue; returns how
    many."""
    from balcao.cases.models import DeadlinePause, State

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
        closing = next(
            (
                t.target
                for t in cases.allowed_transitions(case)
                if t.target.category == State.Category.CLOSED
            ),
            None,
        )
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
