"""API v1 (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Integrations authenticate with scoped bearer tokens (``balcao token create``); the
console's own verified session also works. Public endpoints (triage, deadline
computation) need no login.
"""

from ninja import NinjaAPI

from balcao.api import errors
from balcao.api.auth import TokenAuth, VerifiedSessionAuth
from balcao.bot.api import router as bot_router
from balcao.cases.api import queues_router, requesters_router
from balcao.cases.api import router as cases_router
from balcao.catalog.api import router as triage_router
from balcao.deadlines.api import router as deadlines_router

api = NinjaAPI(
    title="Balcão API",
    version="1",
    description="Plataforma Integrada de Atendimento — API v1. Erros: "
    '{"error": {"code", "message", "fields"}}.',
    urls_namespace="api-v1",
    auth=[TokenAuth(), VerifiedSessionAuth()],
)
errors.install(api)

api.add_router("", cases_router)
api.add_router("", requesters_router)
api.add_router("", queues_router)
api.add_router("", deadlines_router)
api.add_router("", bot_router)
api.add_router("", triage_router)


@api.get("/health", tags=["meta"], auth=None)
def health(request):
    return {"status": "ok"}
