"""The person's public API for ombudsman manifestations (issue 21's contract):

- ``POST /api/v1/public/manifestations`` → 201 ``{"protocol", "access_code", "due", "policy"}``;
  bad input → 422 naming every bad field at once;
- ``GET /api/v1/public/manifestations/{protocol}?code=…`` → the status, due date, answers and
  public history; a wrong or missing code and an unknown protocol get the same 404, and
  repeated wrong codes from one address or on one protocol are refused for a while (429).

No login; rate-limited like the other public endpoints, and filing counts against the same
per-address limit as every public way of opening a case (cases.intake).
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from ninja import Router

from balcao.apikit.errors import ApiError
from balcao.apikit.throttling import public_rate
from balcao.cases import followup, intake
from balcao.client import client_address
from balcao.ombudsman import services

router = Router(tags=["ombudsman"])

NOT_FOUND = "Manifestação não encontrada, ou protocolo e código de acesso não conferem."


@router.post(
    "/public/manifestations",
    auth=None,
    throttle=public_rate(),
    summary="Registrar uma manifestação na ouvidoria",
)
def file_manifestation(request):
    """JSON ``{"type", "identity", "subject", "description", "requester": {"name", "email",
    "cpf"}}`` (requester required unless anonymous)."""
    try:
        data = json.loads(request.body or b"")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "bad_request", "O corpo da requisição não é JSON válido.") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "Envie um objeto JSON.")
    try:
        services.validate(data)
    except services.ManifestationError as exc:
        raise ApiError(
            422, "validation_error", "Dados inválidos: " + ", ".join(exc.fields), exc.fields
        ) from exc
    ip = client_address(request)
    try:
        intake.check_rate(ip)
    except intake.RateLimited as exc:
        raise ApiError(429, "rate_limited", str(exc)) from exc
    filed = services.do_file_manifestation(data)
    intake.count_submission(ip)
    body = {
        "protocol": filed.case.protocol,
        "access_code": filed.access_code,
        "due": filed.due,
        "policy": filed.policy,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=201, content_type="application/json"
    )


@router.get(
    "/public/manifestations/{path:protocol}",
    auth=None,
    throttle=public_rate(),
    summary="Acompanhar uma manifestação (protocolo e código de acesso)",
)
def follow_manifestation(request, protocol: str, code: str = ""):
    try:
        return services.follow(protocol, code, ip=client_address(request))
    except followup.AccessRefused as exc:
        if "tentativas" in str(exc):
            raise ApiError(429, "rate_limited", str(exc)) from exc
        raise ApiError(404, "not_found", NOT_FOUND) from exc
