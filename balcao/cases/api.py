"""Cases API (/api/v1/cases…): thin endpoints over cases.services."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from balcao.accounts.models import User
from balcao.accounts.roles import SEES_ALL_CASES, has_capability, roles_of
from balcao.apikit import bounds
from balcao.apikit.bounds import DbId
from balcao.apikit.errors import ApiError
from balcao.apikit.permissions import require, token_scopes
from balcao.audit import services as audit
from balcao.audit.models import PersonalDataAccess
from balcao.cases import clock, filters, lookups, services
from balcao.cases.attachments import AttachmentRefused, download_response
from balcao.cases.models import Case, Message, Requester, State, Team
from balcao.catalog.models import Channel, Service

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    protocol: str
    subject: str
    channel: str
    service: str | None
    state: str
    state_name: str
    state_category: str
    team: str | None
    assignee: str | None
    priority: int
    requester_id: int | None
    representative_id: int | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    due_at: datetime | None
    deadline_policy: str
    deadline_paused: bool

    @staticmethod
    def from_case(case: Case) -> dict:
        return {
            "id": case.pk,
            "protocol": case.protocol,
            "subject": case.subject,
            "channel": case.channel.slug,
            "service": case.service.slug if case.service else None,
            "state": case.state.slug,
            "state_name": case.state.name,
            "state_category": case.state.category,
            "team": case.team.slug if case.team else None,
            "assignee": case.assignee.username if case.assignee else None,
            "priority": case.priority,
            "requester_id": case.requester_id,
            "representative_id": case.representative_id,
            "created_at": case.created_at,
            "updated_at": case.updated_at,
            "closed_at": case.closed_at,
            "due_at": case.due_at,
            "deadline_policy": case.deadline_policy,
            "deadline_paused": case.deadline_paused_at is not None,
        }


class CaseDetailOut(CaseOut):
    description: str
    tags: list[str]


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None


Slug = Annotated[str, Field(max_length=bounds.SLUG)]
TagName = Annotated[str, Field(max_length=60)]
Tags = Annotated[list[TagName], Field(max_length=50)]


class CaseIn(Schema):
    channel: Slug = Field(description="slug do canal")
    subject: str = Field(min_length=1, max_length=250)
    description: str = Field(default="", max_length=bounds.DESCRIPTION)
    service: Slug | None = None
    requester_id: DbId | None = None
    team: Slug | None = None
    priority: int = Field(default=Case.Priority.NORMAL, ge=1, le=4)
    tags: Tags = []
    acknowledge: bool = Field(
        default=False,
        description="e-mail the requester the protocol, the due date and the access code "
        "to the follow-up page (after commit)",
    )


def _unchanged(schema: dict) -> None:
    schema.pop("default", None)


def _optional(**constraints):
    """A field a PATCH may leave out but may not set to null (the column is NOT NULL):
    left out it is unchanged; ``null`` is a 422 naming the field."""
    return Field(default=None, json_schema_extra=_unchanged, **constraints)


class CasePatch(Schema):
    """Only the fields sent change. ``service: null`` clears the service; the other
    fields refuse null."""

    subject: str = _optional(min_length=1, max_length=250)
    description: str = _optional(max_length=bounds.DESCRIPTION)
    service: Slug | None = None
    priority: int = _optional(ge=1, le=4)
    tags: Tags = _optional()


class MessageOut(Schema):
    id: int
    author_kind: str
    author: str | None
    body: str
    internal: bool
    created_at: datetime
    attachments: list[dict]


class TransitionIn(Schema):
    state: Slug = Field(description="slug da situação de destino")
    reason: str = Field(default="", max_length=bounds.REASON)


class TransitionOut(Schema):
    state: str
    name: str
    requires_reason: bool
    is_reopen: bool


class AssignIn(Schema):
    team: Slug | None = None
    assignee: str | None = Field(default=None, max_length=150, description="username")


class EventOut(Schema):
    at: datetime
    actor: str
    action: str
    field: str
    old_value: str
    new_value: str
    reason: str


def _visible(request):
    return services.visible_cases(request.user).select_related(
        "state", "channel", "service", "team", "assignee"
    )


def _case(request, case_id: int) -> Case:
    return get_object_or_404(_visible(request), pk=case_id)


def _refuse(exc: Exception, field: str | None = None):
    if isinstance(exc, services.PermissionDenied):
        raise ApiError(403, "forbidden", str(exc))
    fields = {field: [str(exc)]} if field else {}
    raise ApiError(422, "refused", str(exc), fields)


def _message_out(message: Message, case: Case) -> dict:
    return {
        "id": message.pk,
        "author_kind": message.author_kind,
        "author": message.author_user.username if message.author_user else None,
        "body": message.body,
        "internal": message.internal,
        "created_at": message.created_at,
        "attachments": [
            {
                "id": a.pk,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/api/v1/cases/{case.pk}/attachments/{a.pk}",
            }
            for a in message.attachments.all()
        ],
    }


# The list reads plain columns (and the assignee's username through one join on the
# primary key) and names channel, service, team and state from per-process snapshots of
# those small tables (cases.lookups): no model instances, no per-item validation, one
# query for the page (the list is the hottest endpoint; tests/bench/bench_cases.py
# measures it at 1 M cases).
LIST_COLUMNS = (
    "id",
    "protocol",
    "subject",
    "priority",
    "requester_id",
    "representative_id",
    "created_at",
    "updated_at",
    "closed_at",
    "due_at",
    "deadline_policy",
    "deadline_paused_at",
    "channel_id",
    "service_id",
    "state_id",
    "team_id",
    "assignee__username",
)


def _list_rows(rows: list[dict]) -> list[dict]:
    channel, service, team, state = (
        lookups.channel_slugs.get,
        lookups.service_slugs.get,
        lookups.team_slugs.get,
        lookups.states.get,
    )
    items = []
    for r in rows:
        state_slug, state_name, category = state(r["state_id"])
        items.append(
            {
                "id": r["id"],
                "protocol": r["protocol"],
                "subject": r["subject"],
                "channel": channel(r["channel_id"]),
                "service": service(r["service_id"]),
                "state": state_slug,
                "state_name": state_name,
                "state_category": category,
                "team": team(r["team_id"]),
                "assignee": r["assignee__username"],
                "priority": r["priority"],
                "requester_id": r["requester_id"],
                "representative_id": r["representative_id"],
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
                "closed_at": r["closed_at"],
                "due_at": r["due_at"],
                "deadline_policy": r["deadline_policy"],
                "deadline_paused": r["deadline_paused_at"] is not None,
            }
        )
    return items


ListParam = Annotated[str, Field(max_length=200)]


# ``response=CasePage`` documents the body in the OpenAPI schema only: django-ninja does not
# validate an HttpResponse, and this one is built by hand (_list_rows) to keep pydantic off
# the hot path. tests/api/test_case_list_contract.py validates real pages against CasePage,
# so the hand-built body and the documented one cannot drift apart.
@router.get("/cases", response=CasePage, summary="Listar atendimentos")
def list_cases(
    request,
    q: ListParam = "",
    state: ListParam = "",
    category: ListParam = "",
    channel: ListParam = "",
    team: ListParam = "",
    assignee: Annotated[
        str, Field(max_length=200, description=("“me”, “none” ou o número de um usuário"))
    ] = "",
    due: ListParam = "",
    protocol: ListParam = "",
    cursor: ListParam = "",
    limit: int = 50,
):
    """Newest first, keyset-paginated: pass ``next_cursor`` back as ``cursor``."""
    require(request, scope="cases:read", capability="cases.view")
    chosen = filters.CaseFilters(
        q=q, category=category, channel=channel, team=team, assignee=assignee, due=due
    )
    errors = chosen.errors()
    if errors:
        raise ApiError(
            422, "validation_error", "Dados inválidos: " + ", ".join(sorted(errors)), errors
        )
    queryset = filters.apply_filters(
        services.visible_cases(request.user), chosen, user=request.user
    )
    if state:
        queryset = queryset.filter(state_id__in=lookups.state_ids_with_slug(state))
    if protocol:
        queryset = queryset.filter(protocol=protocol)
    rows, next_cursor = filters.page(queryset.values(*LIST_COLUMNS), cursor=cursor, size=limit)
    body = json.dumps(
        {"items": _list_rows(rows), "next_cursor": next_cursor},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    return HttpResponse(body, content_type="application/json")


@router.post("/cases", response={201: CaseDetailOut}, summary="Abrir atendimento")
def create_case(request, payload: CaseIn):
    require(request, scope="cases:write", capability="cases.open")
    channel = Channel.objects.filter(slug=payload.channel, active=True).first()
    if channel is None:
        raise ApiError(
            422,
            "validation_error",
            "Canal desconhecido ou inativo.",
            {"channel": ["Canal desconhecido ou inativo."]},
        )
    service = None
    if payload.service:
        service = Service.objects.filter(slug=payload.service).first()
        if service is None:
            raise ApiError(
                422,
                "validation_error",
                "Serviço desconhecido.",
                {"service": ["Serviço desconhecido."]},
            )
    requester = None
    if payload.requester_id is not None:
        requester = Requester.objects.filter(pk=payload.requester_id).first()
        if requester is None:
            raise ApiError(
                422,
                "validation_error",
                "Requerente desconhecido.",
                {"requester_id": ["Requerente desconhecido."]},
            )
    team = Team.objects.filter(slug=payload.team).first() if payload.team else None
    if payload.team and team is None:
        raise ApiError(
            422, "validation_error", "Equipe desconhecida.", {"team": ["Equipe desconhecida."]}
        )
    try:
        # Before anything is written: a case its author could not see would be
        # answered 404, and the client would retry and open it twice.
        services.check_can_open_for_team(request.user, team)
    except services.PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc), {"team": [str(exc)]}) from exc
    try:
        case = services.do_open_case(
            channel=channel,
            subject=payload.subject,
            description=payload.description,
            service=service,
            requester=requester,
            team=team,
            priority=payload.priority,
            tags=payload.tags,
            actor=request.user,
            acknowledge=payload.acknowledge,
        )
    except services.CaseError as exc:
        _refuse(exc, "subject")
    return Status(201, _detail(_case(request, case.pk)))


def _detail(case: Case) -> dict:
    data = CaseOut.from_case(case)
    data.update(description=case.description, tags=[t.name for t in case.tags.all()])
    return data


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="Ver atendimento")
def get_case(request, case_id: DbId):
    require(request, scope="cases:read", capability="cases.view")
    return _detail(_case(request, case_id))


@router.patch("/cases/{case_id}", response=CaseDetailOut, summary="Alterar atendimento")
def update_case(request, case_id: DbId, payload: CasePatch):
    require(request, scope="cases:write", capability="cases.edit")
    case = _case(request, case_id)
    changes = payload.dict(exclude_unset=True)
    if "service" in changes and changes["service"] is not None:
        service = Service.objects.filter(slug=changes["service"]).first()
        if service is None:
            raise ApiError(
                422,
                "validation_error",
                "Serviço desconhecido.",
                {"service": ["Serviço desconhecido."]},
            )
        changes["service"] = service
    try:
        services.do_update_case(case, actor=request.user, **changes)
    except services.CaseError as exc:
        _refuse(exc)
    return _detail(_case(request, case_id))


@router.get("/cases/{case_id}/messages", response=list[MessageOut], summary="Mensagens")
def list_messages(request, case_id: DbId, include_internal: bool = True):
    require(request, scope="cases:read", capability="cases.view")
    case = _case(request, case_id)
    queryset = case.messages.select_related("author_user").prefetch_related("attachments")
    if not include_internal:
        queryset = queryset.filter(internal=False)
    return [_message_out(m, case) for m in queryset]


@router.post(
    "/cases/{case_id}/messages",
    response={201: MessageOut},
    summary="Responder ou registrar nota (multipart, com anexos)",
)
def add_message(
    request,
    case_id: DbId,
    body: Annotated[str, Form(max_length=bounds.MESSAGE_BODY)] = "",
    internal: Form[bool] = False,
    files: File[list[UploadedFile]] = None,
):
    require(request, scope="cases:write", capability="cases.note" if internal else "cases.reply")
    case = _case(request, case_id)
    try:
        message = services.do_add_message(
            case, body, actor=request.user, internal=internal, files=files or []
        )
    except AttachmentRefused as exc:
        _refuse(exc, "files")
    except services.CaseError as exc:
        _refuse(exc, "body")
    return Status(201, _message_out(message, case))


@router.get("/cases/{case_id}/attachments/{attachment_id}", summary="Baixar anexo")
def download_attachment(request, case_id: DbId, attachment_id: DbId):
    require(request, scope="cases:read", capability="cases.view")
    case = _case(request, case_id)
    attachment = get_object_or_404(case.attachments, pk=attachment_id)
    return download_response(attachment, sandbox=False)


@router.get(
    "/cases/{case_id}/transitions",
    response=list[TransitionOut],
    summary="Situações possíveis a partir da atual",
)
def list_transitions(request, case_id: DbId):
    require(request, scope="cases:read", capability="cases.view")
    case = _case(request, case_id)
    return [
        {
            "state": t.target.slug,
            "name": t.name,
            "requires_reason": t.requires_reason,
            "is_reopen": t.is_reopen,
        }
        for t in services.allowed_transitions(case)
    ]


@router.post("/cases/{case_id}/transitions", response=CaseDetailOut, summary="Mudar situação")
def change_state(request, case_id: DbId, payload: TransitionIn):
    require(request, scope="cases:write", capability="cases.change_state")
    case = _case(request, case_id)
    target = State.objects.filter(workflow=case.state.workflow_id, slug=payload.state).first()
    if target is None:
        raise ApiError(
            422,
            "validation_error",
            "Situação desconhecida neste fluxo.",
            {"state": ["Situação desconhecida neste fluxo."]},
        )
    try:
        services.do_change_state(case, target, actor=request.user, reason=payload.reason)
    except services.CaseError as exc:
        _refuse(exc, "state")
    return _detail(_case(request, case_id))


@router.post("/cases/{case_id}/assignment", response=CaseDetailOut, summary="Atribuir")
def assign(request, case_id: DbId, payload: AssignIn):
    require(request, scope="cases:write", capability="cases.assign")
    case = _case(request, case_id)
    team = assignee = None
    if payload.team:
        team = Team.objects.filter(slug=payload.team).first()
        if team is None:
            raise ApiError(
                422, "validation_error", "Equipe desconhecida.", {"team": ["Equipe desconhecida."]}
            )
    if payload.assignee:
        assignee = User.objects.filter(username=payload.assignee, is_active=True).first()
        if assignee is None:
            raise ApiError(
                422,
                "validation_error",
                "Responsável desconhecido.",
                {"assignee": ["Responsável desconhecido."]},
            )
    try:
        services.do_assign_case(case, team=team, assignee=assignee, actor=request.user)
    except services.CaseError as exc:
        _refuse(exc, "assignee")
    return _detail(_case(request, case_id))


class ExtensionIn(Schema):
    justification: str = Field(min_length=1, max_length=5000)


@router.post(
    "/cases/{case_id}/extensions",
    response=CaseDetailOut,
    summary="Prorrogar o prazo (com justificativa)",
)
def extend_deadline(request, case_id: DbId, payload: ExtensionIn):
    require(request, scope="cases:write", capability="cases.extend_deadline")
    case = _case(request, case_id)
    try:
        clock.do_extend_deadline(case, actor=request.user, justification=payload.justification)
    except services.PermissionDenied as exc:
        _refuse(exc)
    except services.CaseError as exc:
        _refuse(exc, "justification")
    return _detail(_case(request, case_id))


@router.get("/cases/{case_id}/history", response=list[EventOut], summary="Histórico")
def case_history(request, case_id: DbId):
    require(request, scope="cases:read", capability="cases.view")
    case = _case(request, case_id)
    return [
        {
            "at": e.at,
            "actor": e.actor_label,
            "action": e.action,
            "field": e.field,
            "old_value": e.old_value,
            "new_value": e.new_value,
            "reason": e.reason,
        }
        for e in case.history.all()
    ]


# --- requesters -------------------------------------------------------------------

requesters_router = Router(tags=["requesters"])


class RequesterIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    cpf: str = Field(default="", max_length=20)
    cnpj: str = Field(default="", max_length=20)
    nif: str = Field(default="", max_length=20)
    preferred_language: str = Field(default="pt-br", max_length=10)


class RequesterOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    cpf: str
    cnpj: str
    nif: str
    revealed: bool


def _sees_all_cases(user) -> bool:
    return user.is_superuser or bool(roles_of(user) & SEES_ALL_CASES)


def _may_read_requester(request, requester_id: int) -> bool:
    """Whether the caller may read this requester's personal data through the API.

    Requesters follow case visibility (services.visible_cases): a role that sees every
    case reads every requester; anyone else only a person who is the requester or the
    representative (procurador) of a case the caller can see. A token without
    ``requesters:read``, or a role without ``requesters.view_personal_data``, reads
    nobody (LGPD art. 6, III: no more personal data than the task needs)."""
    scopes = token_scopes(request)
    user = request.user
    if (scopes is not None and "requesters:read" not in scopes) or not has_capability(
        user, "requesters.view_personal_data"
    ):
        return False
    related = Q(requester_id=requester_id) | Q(representative_id=requester_id)
    if _sees_all_cases(user) and (
        services.sees_confidential(user)
        or not Case.objects.filter(
            related, channel_id__in=lookups.confidential_channel_ids()
        ).exists()
    ):
        return True
    # Someone known only through the ombudsman's cases is read only by the ombudsman role.
    return services.visible_cases(user).filter(related).exists()


def _id_only(requester) -> dict:
    return {
        "id": requester.pk,
        "name": "",
        "email": "",
        "phone": "",
        "cpf": "",
        "cnpj": "",
        "nif": "",
        "revealed": False,
    }


def _reveal(request, requester) -> dict:
    token = getattr(request, "api_token", None)
    data = audit.reveal_requester(
        requester,
        user=request.user,
        where=f"API {request.method} {request.path}",
        kind=PersonalDataAccess.Kind.API,
        ip=audit.client_ip(request),
        token_name=token.name if token else "",
    )
    return {"id": requester.pk, **data}


@requesters_router.post(
    "/requesters",
    response={201: RequesterOut},
    summary="Cadastrar requerente (ou achar pelo documento)",
)
def create_requester(request, payload: RequesterIn):
    """The person with this document (or e-mail) on file, or a new one. The answer
    carries personal data only when the caller could ``GET`` that requester; anyone
    else gets only the id (``revealed: false``): a CPF someone knows must not read out
    the name and e-mail on file."""
    require(request, scope="requesters:write", capability="requesters.edit")
    try:
        requester = services.do_find_or_create_requester(**payload.dict())
    except ValidationError as exc:
        field = next(
            (
                f
                for f in ("cpf", "cnpj", "nif")
                if getattr(payload, f) and f.upper() in " ".join(exc.messages)
            ),
            "cpf",
        )
        raise ApiError(
            422, "validation_error", " ".join(exc.messages), {field: exc.messages}
        ) from exc
    if not _may_read_requester(request, requester.pk):
        return Status(201, _id_only(requester))
    return Status(201, _reveal(request, requester))


@requesters_router.get(
    "/requesters/{requester_id}", response=RequesterOut, summary="Ver requerente (acesso auditado)"
)
def get_requester(request, requester_id: DbId):
    """404 for a requester the caller may not read, as for one that does not exist."""
    require(request, scope="requesters:read", capability="requesters.view_personal_data")
    if not _may_read_requester(request, requester_id):
        raise Http404
    return _reveal(request, get_object_or_404(Requester, pk=requester_id))


# --- queues -----------------------------------------------------------------------

queues_router = Router(tags=["queues"])


class TeamOut(Schema):
    slug: str
    name: str
    strategy: str
    members: list[str]


@queues_router.get("/queues", response=list[TeamOut], summary="Equipes e filas")
def list_queues(request):
    require(request, scope="queues:read", capability="cases.view")
    return [
        {
            "slug": t.slug,
            "name": t.name,
            "strategy": t.strategy,
            "members": [m.username for m in t.members.all()],
        }
        for t in Team.objects.prefetch_related("members")
    ]
