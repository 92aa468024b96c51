"""Click-to-call from the agency's website (seed 003: "click-to-call" a partir do site;
issue 23):

- ``POST /api/v1/telephony/click-to-call`` with ``{"number", "consent": true, "line"}`` →
  201 ``{"id", "status", "created"}``: a callback request, dialled by ``balcao telephony
  ami`` when an agent of the line's queue is free (nothing dials during the request);
  without consent → 400; a number that is not one or an unknown line → 422; too many
  requests from one address or for one number → 429.

No login; the public per-address throttle applies too.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from balcao.apikit.errors import ApiError
from balcao.apikit.throttling import public_rate
from balcao.client import client_address
from balcao.telephony import services

router = Router(tags=["telephony"])


@router.post(
    "/telephony/click-to-call",
    auth=None,
    throttle=public_rate(),
    summary="Pedir que a central ligue para um número (click-to-call)",
)
def click_to_call(request):
    """JSON ``{"number": "+351…", "consent": true, "line": "<slug>"}``."""
    try:
        data = json.loads(request.body or b"")
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "bad_request", _("O corpo da requisição não é JSON válido.")) from exc
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _("Envie um objeto JSON."))
    number, line = data.get("number"), data.get("line") or ""
    if data.get("consent") is not True:
        raise ApiError(
            400,
            "consent_required",
            _("É preciso consentir que liguemos para este número."),
            {"consent": [_("obrigatório")]},
        )
    if not isinstance(number, str) or not isinstance(line, str) or len(number) > 40:
        raise ApiError(
            422, "validation_error", _("Dados inválidos: number"), {"number": [_("inválido")]}
        )
    try:
        callback, created = services.do_request_click_to_call(
            number, consent=True, line_slug=line[:50], address=client_address(request)
        )
    except services.CallbackRateLimited as exc:
        raise ApiError(429, "rate_limited", str(exc)) from exc
    except services.CallbackError as exc:
        raise ApiError(422, "validation_error", str(exc), {exc.field: [str(exc)]}) from exc
    body = {"id": callback.pk, "status": callback.status, "created": created}
    return HttpResponse(json.dumps(body), status=201, content_type="application/json")
