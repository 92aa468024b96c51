"""Consistent error bodies for every API error.

``{"error": {"code": str, "message": str, "fields": {field: [messages]}}}``; a 422
names each bad field in ``fields``. A body the server will not read is the client's
error, never a 500: over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answers 413, a multipart
body that cannot be parsed (no boundary, too many fields or files) answers 400, and a
value the database refuses to store or compare (a NUL character, which PostgreSQL text
never holds) answers 422.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields=None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def body(code: str, message: str, fields=None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload", "data")]
    return ".".join(parts) or "body"


def install(api) -> None:
    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return api.create_response(
            request, body(exc.code, exc.message, exc.fields), status=exc.status
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(error.get("msg", ""))
        if not fields:
            fields = {"body": ["Corpo da requisição inválido."]}
        message = "Dados inválidos: " + ", ".join(sorted(fields))
        return api.create_response(request, body("validation_error", message, fields), status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request,
            body("unauthorized", "Autenticação necessária: envie um token válido."),
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, body("not_found", "Não encontrado."), status=404)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return api.create_response(
            request, body("too_large", "Corpo da requisição grande demais."), status=413
        )

    @api.exception_handler(MultiPartParserError)
    def unreadable(request, exc):
        # Django's message names what to fix ("Invalid boundary in multipart: None").
        return api.create_response(
            request, body("bad_request", f"Corpo multipart ilegível: {exc}"), status=400
        )

    @api.exception_handler(SuspiciousOperation)
    def refused(request, exc):
        # Too many fields or files, and the like; logged where Django's own handler
        # would log it, the details kept out of the answer.
        logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(
            "%s on %s %s", exc, request.method, request.path
        )
        return api.create_response(request, body("bad_request", "Requisição recusada."), status=400)

    @api.exception_handler(DataError)
    def refused_by_database(request, exc):
        # Logged with the traceback: a value our own code built too long would land here.
        logger.warning(
            "Database refused a value on %s %s", request.method, request.path, exc_info=exc
        )
        return api.create_response(
            request,
            body("validation_error", "Valor recusado: caracteres ou tamanho inválidos."),
            status=422,
        )

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("API error on %s %s", request.method, request.path)
        return api.create_response(
            request, body("server_error", "Erro interno. A equipe técnica foi avisada."), status=500
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, body("http_error", str(exc)), status=exc.status_code)


@csrf_exempt  # nothing happens here: a POST to an unknown path is a 404, not a CSRF page
def not_found_view(request, *args, **kwargs):
    """Unknown paths under /api/ answer with the API's error body, not an HTML page."""
    from django.http import JsonResponse

    return JsonResponse(body("not_found", "Endereço da API inexistente."), status=404)
