"""``POST /api/v1/triage`` (contract ../shared/contracts/triage.md), public and rate-limited."""

from __future__ import annotations

from django.conf import settings
from ninja import Router, Schema
from ninja.throttling import AnonRateThrottle

from balcao.api.errors import ApiError
from balcao.catalog import services
from balcao.catalog.recommender import TriageInputError

router = Router(tags=["triage"])


class AnswersIn(Schema):
    urgent: bool | None = None
    about_decision: bool | None = None


class TriageIn(Schema):
    text: str | None = None
    language: str | None = None
    answers: AnswersIn | None = None


class ChoiceIn(Schema):
    outcome: int
    chosen: str


@router.post("/triage", auth=None, throttle=[AnonRateThrottle("60/m")],
             summary="Encontre o atendimento certo")
def triage(request, payload: TriageIn):
    """The same object as a ``balcao triage --batch`` line; records an anonymous outcome."""
    answers = payload.answers.dict() if payload.answers else None
    try:
        return services.triage(payload.text, payload.language or services.language_code(
            settings.LANGUAGE_CODE), answers, record=True, source="api")
    except TriageInputError as exc:
        raise ApiError(422, "validation_error", exc.message, {exc.field: [exc.message]}) \
            from exc


@router.post("/triage/choice", auth=None, throttle=[AnonRateThrottle("60/m")],
             summary="Registrar o canal escolhido depois da recomendação")
def triage_choice(request, payload: ChoiceIn):
    if not services.record_choice(payload.outcome, payload.chosen):
        raise ApiError(422, "validation_error", "Resultado ou canal desconhecido.",
                       {"chosen": ["Resultado ou canal desconhecido."]})
    return {"recorded": True}
