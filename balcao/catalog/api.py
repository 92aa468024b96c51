"""``POST /api/v1/triage`` (contract ../shared/contracts/triage.md), public and rate-limited."""

from __future__ import annotations

from django.conf import settings
from ninja import Router, Schema
from pydantic import Field

from balcao.apikit import bounds
from balcao.apikit.errors import ApiError
from balcao.apikit.throttling import public_rate
from balcao.catalog import services
from balcao.catalog.recommender import TriageInputError

router = Router(tags=["triage"])


class AnswersIn(Schema):
    urgent: bool | None = None
    about_decision: bool | None = None


class TriageIn(Schema):
    # The portal's TriageForm allows 2000 characters; the recommender's time grows
    # with the text (1 MB took 40 s of a worker), so the API allows no more.
    text: str | None = Field(default=None, max_length=bounds.PUBLIC_TEXT)
    language: str | None = Field(default=None, max_length=bounds.LANGUAGE)
    answers: AnswersIn | None = None


class ChoiceIn(Schema):
    outcome: str = Field(
        max_length=200,
        description="o `outcome` devolvido pela triagem (assinado; vale por 24 horas)",
    )
    chosen: str = Field(max_length=bounds.SLUG)


@router.post("/triage", auth=None, throttle=public_rate(), summary="Encontre o atendimento certo")
def triage(request, payload: TriageIn):
    """The same object as a ``balcao triage --batch`` line; records an anonymous outcome."""
    answers = payload.answers.dict() if payload.answers else None
    try:
        return services.triage(
            payload.text,
            payload.language or services.language_code(settings.LANGUAGE_CODE),
            answers,
            record=True,
            source="api",
        )
    except TriageInputError as exc:
        raise ApiError(422, "validation_error", exc.message, {exc.field: [exc.message]}) from exc


@router.post(
    "/triage/choice",
    auth=None,
    throttle=public_rate(),
    summary="Registrar o canal escolhido depois da recomendação",
)
def triage_choice(request, payload: ChoiceIn):
    if not services.record_choice(payload.outcome, payload.chosen):
        raise ApiError(
            422,
            "validation_error",
            "Resultado ou canal desconhecido.",
            {"chosen": ["Resultado ou canal desconhecido."]},
        )
    return {"recorded": True}
