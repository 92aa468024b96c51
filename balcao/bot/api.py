"""Public bot API: ``POST /api/v1/bot/ask`` with the CLI's JSON, and conversations."""

from __future__ import annotations

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from balcao.apikit import bounds
from balcao.apikit.errors import ApiError
from balcao.apikit.throttling import public_rate
from balcao.bot import services
from balcao.bot.models import Conversation
from balcao.cases import intake
from balcao.cases.services import CaseError
from balcao.client import client_address
from balcao.kb.services import KbError

router = Router(tags=["bot"])
PUBLIC_RATE = public_rate()  # per client address (balcao.apikit.throttling)


class AskIn(Schema):
    text: str = Field(max_length=bounds.PUBLIC_TEXT)
    language: str = Field(default="pt-BR", max_length=bounds.LANGUAGE)


class AskOut(Schema):
    article_id: str | None
    confidence: float
    handoff: bool
    answer: str


def _check_text(text: str) -> str:
    if not text or not text.strip():
        raise ApiError(
            422, "validation_error", "Escreva a pergunta.", {"text": ["Escreva a pergunta."]}
        )
    return text


@router.post(
    "/bot/ask", response=AskOut, auth=None, throttle=PUBLIC_RATE, summary="Perguntar ao chatbot"
)
def ask(request, payload: AskIn):
    try:
        return services.ask(_check_text(payload.text), payload.language, record=True)
    except KbError as exc:
        raise ApiError(422, "validation_error", str(exc), {"language": [str(exc)]}) from exc


class ConversationOut(Schema):
    token: str
    state: str
    turns: list[dict]
    protocol: str | None = Field(
        default=None, description="protocolo do atendimento aberto pela conversa"
    )


class MessageIn(Schema):
    text: str = Field(max_length=bounds.PUBLIC_TEXT)


class CaseRequestIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    cpf: str = Field(default="", max_length=20)
    subject: str = Field(default="", max_length=250)


def _out(conversation: Conversation) -> dict:
    return {
        "token": conversation.token,
        "state": conversation.state,
        "protocol": conversation.case.protocol if conversation.case_id else None,
        "turns": [
            {
                "role": t.role,
                "text": t.text,
                "article_id": t.article_id or None,
                "at": t.at.isoformat(),
            }
            for t in conversation.turns.all()
        ],
    }


@router.post(
    "/bot/conversations",
    response={201: ConversationOut},
    auth=None,
    throttle=PUBLIC_RATE,
    summary="Iniciar conversa com o chatbot",
)
def start(request, language: Annotated[str, Field(max_length=bounds.LANGUAGE)] = "pt-BR"):
    try:
        return Status(201, _out(services.start_conversation(language)))
    except KbError as exc:
        raise ApiError(422, "validation_error", str(exc), {"language": [str(exc)]}) from exc


@router.post(
    "/bot/conversations/{token}/messages",
    response=ConversationOut,
    auth=None,
    throttle=PUBLIC_RATE,
    summary="Escrever na conversa",
)
def write(request, token: str, payload: MessageIn):
    conversation = get_object_or_404(Conversation, token=token)
    try:
        services.post_message(conversation, _check_text(payload.text))
    except services.ConversationClosed as exc:
        raise ApiError(409, "closed", str(exc)) from exc
    return _out(conversation)


@router.post(
    "/bot/conversations/{token}/case",
    response=ConversationOut,
    auth=None,
    throttle=PUBLIC_RATE,
    summary="Abrir chamado com a transcrição",
)
def open_case(request, token: str, payload: CaseRequestIn):
    """One case per conversation (409 with its protocol after that); the same per-address
    limit as every public case-opening path (429)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    conversation = get_object_or_404(Conversation, token=token)
    try:
        validate_email(payload.email)
    except ValidationError as exc:
        raise ApiError(
            422, "validation_error", "E-mail inválido.", {"email": ["E-mail inválido."]}
        ) from exc
    if conversation.case_id is not None:
        raise ApiError(
            409,
            "case_exists",
            f"Esta conversa já abriu o atendimento {conversation.case.protocol}.",
        )
    ip = client_address(request)
    try:
        intake.check_rate(ip)
    except intake.RateLimited as exc:
        raise ApiError(429, "rate_limited", str(exc)) from exc
    try:
        services.open_case_from_conversation(
            conversation,
            name=payload.name,
            email=payload.email,
            cpf=payload.cpf,
            subject=payload.subject,
        )
    except ValidationError as exc:
        raise ApiError(
            422, "validation_error", " ".join(exc.messages), {"cpf": exc.messages}
        ) from exc
    except services.CaseAlreadyOpened as exc:
        raise ApiError(
            409, "case_exists", f"Esta conversa já abriu o atendimento {exc.case.protocol}."
        ) from exc
    except CaseError as exc:
        raise ApiError(503, "unavailable", str(exc)) from exc
    intake.count_submission(ip)
    conversation.refresh_from_db()
    return _out(conversation)
