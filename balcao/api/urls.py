"""API v1 (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Integrations authenticate with scoped bearer tokens (``balcao token create``); the
console's own verified session also works. Public endpoints (triage, deadline
computation) need no login.

The interactive docs (swagger-ui) come from django-ninja's own static files (``ninja`` is
in INSTALLED_APPS; no CDN) and, with DEBUG off, only to signed-in staff with a verified
second factor: the page lets its visitor call every endpoint with the session. The OpenAPI
schema stays public: Balcão is open source, the same paths are in docs/integrator.md, and
an integrator holding only a token must be able to generate a client from it.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI, Swagger

from balcao.accounts.roles import roles_of
from balcao.api.auth import TokenAuth, VerifiedSessionAuth
from balcao.apikit import errors
from balcao.bot.api import router as bot_router
from balcao.cases.api import queues_router, requesters_router
from balcao.cases.api import router as cases_router
from balcao.catalog.api import router as triage_router
from balcao.deadlines.api import router as deadlines_router
from balcao.ombudsman.api import router as ombudsman_router
from balcao.telephony.callbacks_api import router as telephony_callbacks_router
from balcao.telephony.lines_api import router as telephony_lines_router


def docs_for_staff(view):
    """Guard of django-ninja's docs views (``docs_decorator``): the schema passes, the
    docs page needs a verified staff session (any Balcão role) unless DEBUG is on."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        match = request.resolver_match
        if settings.DEBUG or (match is not None and match.url_name == "openapi-json"):
            return view(request, *args, **kwargs)
        user = request.user
        if not user.is_authenticated or not user.is_verified():
            return redirect_to_login(request.get_full_path())
        if not roles_of(user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


api = NinjaAPI(
    title="Balcão API",
    version="1",
    description="Plataforma Integrada de Atendimento — API v1. Erros: "
    '{"error": {"code", "message", "fields"}}.',
    urls_namespace="api-v1",
    auth=[TokenAuth(), VerifiedSessionAuth()],
    # No "validator" badge: swagger-ui would send the schema's address to swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=docs_for_staff,
)
errors.install(api)

api.add_router("", cases_router)
api.add_router("", requesters_router)
api.add_router("", queues_router)
api.add_router("", deadlines_router)
api.add_router("", bot_router)
api.add_router("", triage_router)
api.add_router("", ombudsman_router)
api.add_router("", telephony_lines_router)
api.add_router("", telephony_callbacks_router)


@api.get("/health", tags=["meta"], auth=None)
def health(request):
    return {"status": "ok"}
