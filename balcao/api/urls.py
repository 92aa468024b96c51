"""API v1 (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Balcão API",
    version="1",
    description="Plataforma Integrada de Atendimento — API v1",
    urls_namespace="api-v1",
)


@api.get("/health", tags=["meta"])
def health(request):
    return {"status": "ok"}
