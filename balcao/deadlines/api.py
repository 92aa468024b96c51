"""Deadline API: the same engine and JSON as ``balcao deadline``.

``GET /api/v1/deadlines/compute?policy=…&received=…&extended=…`` and
``GET /api/v1/calendars/{calendar}/working-days?from=…&to=…``. Public: they
compute from public rules and hold no personal data.
"""

from __future__ import annotations

from datetime import date

from ninja import Query, Router, Schema
from pydantic import Field

from balcao.apikit.errors import ApiError
from balcao.deadlines.batch import compute_one
from balcao.deadlines.calendar import default_calendar
from balcao.deadlines.models import Calendar
from balcao.deadlines.policies import PolicyError, UnknownPolicyError
from balcao.deadlines.services import calendar_from_model

router = Router(tags=["deadlines"])

MAX_RANGE_DAYS = 3660


class DeadlineOut(Schema):
    policy: str
    received: str
    counting_starts: str | None
    due: str
    extended_due: str | None


@router.get(
    "/deadlines/compute",
    response=DeadlineOut,
    auth=None,
    summary="Calcular um prazo com uma política",
)
def compute_deadline(request, policy: str, received: str, extended: bool = False):
    try:
        result = compute_one(policy, received, extended)
    except PolicyError as exc:
        field = "policy" if isinstance(exc, UnknownPolicyError) else "received"
        raise ApiError(422, "validation_error", str(exc), {field: [str(exc)]}) from exc
    except (ValueError, OverflowError) as exc:
        raise ApiError(422, "validation_error", str(exc), {"received": [str(exc)]}) from exc
    return result.to_json()


class RangeIn(Schema):
    start: date = Field(alias="from")
    end: date = Field(alias="to")


class WorkingDaysOut(Schema):
    calendar: str
    time_zone: str
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    count: int
    working_days: list[date]


def calendar_for(slug: str):
    """An agency calendar by its slug, or ``br``/``pt`` for the national ones."""
    model = Calendar.objects.filter(slug=slug).first()
    if model is not None:
        return calendar_from_model(model)
    if slug.lower() in {"br", "pt"}:
        return default_calendar(slug.upper())
    raise ApiError(404, "not_found", f"Calendário desconhecido: {slug}.")


@router.get(
    "/calendars/{calendar}/working-days",
    response=WorkingDaysOut,
    auth=None,
    by_alias=True,
    summary="Dias úteis de um calendário num intervalo",
)
def working_days(request, calendar: str, period: Query[RangeIn]):
    cal = calendar_for(calendar)
    if period.end < period.start:
        raise ApiError(
            422,
            "validation_error",
            "“to” vem antes de “from”.",
            {"to": ["“to” vem antes de “from”."]},
        )
    if (period.end - period.start).days > MAX_RANGE_DAYS:
        raise ApiError(
            422,
            "validation_error",
            "Intervalo maior que 10 anos.",
            {"to": ["Intervalo maior que 10 anos."]},
        )
    try:
        days = cal.working_days(period.start, period.end)
    except ValueError as exc:  # a year the calendar does not cover
        raise ApiError(422, "validation_error", str(exc), {"from": [str(exc)]}) from exc
    return {
        "calendar": calendar.lower(),
        "time_zone": cal.time_zone,
        "start": period.start,
        "end": period.end,
        "count": len(days),
        "working_days": days,
    }
