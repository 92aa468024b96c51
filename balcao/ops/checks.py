"""System checks an operator meets before going live (``balcao check --deploy``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.staticfiles, deploy=True)
def static_manifest_collected(app_configs=None, **kwargs):
    """With DEBUG off, pages name static files through the manifest that
    ``collectstatic`` writes; without it every page fails with "Missing staticfiles
    manifest entry". Say so before the server starts answering."""
    backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    if "Manifest" not in backend:
        return []
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        return []
    return [Error(
        f"No static files manifest at {manifest}: every page would fail with DEBUG off.",
        hint="Run `balcao collectstatic --noinput` with the production settings "
             "(BALCAO_DEBUG=0, the same BALCAO_VAR_DIR).",
        id="balcao.E001",
    )]


@register(Tags.security, deploy=True)
def allowed_hosts_named(app_configs=None, **kwargs):
    """With DEBUG off, ``ALLOWED_HOSTS`` must name the site's hosts. ``'*'`` accepts any
    ``Host`` header, and Django trusts ``request.get_host()`` once it is allowed: the
    redirect check after login compares against it, absolute URLs are built from it, and
    a cache in front of us can be poisoned per host (Django's deployment checklist)."""
    if settings.DEBUG or "*" not in settings.ALLOWED_HOSTS:
        return []
    return [Error(
        "ALLOWED_HOSTS contains '*' with DEBUG off: any Host header would be accepted.",
        hint="Set ALLOWED_HOSTS to the public host names, comma-separated "
             "(e.g. ALLOWED_HOSTS=atendimento.example.gov.br).",
        id="balcao.E002",
    )]
