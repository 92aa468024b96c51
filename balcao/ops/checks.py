"""System checks an operator meets before going live (``balcao check --deploy``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string


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
    return [
        Error(
            f"No static files manifest at {manifest}: every page would fail with DEBUG off.",
            hint="Run `balcao collectstatic --noinput` with the production settings "
            "(BALCAO_DEBUG=0, the same BALCAO_VAR_DIR).",
            id="balcao.E001",
        )
    ]


@register(Tags.security, deploy=True)
def allowed_hosts_named(app_configs=None, **kwargs):
    """With DEBUG off, ``ALLOWED_HOSTS`` must name the site's hosts. ``'*'`` accepts any
    ``Host`` header, and Django trusts ``request.get_host()`` once it is allowed: the
    redirect check after login compares against it, absolute URLs are built from it, and
    a cache in front of us can be poisoned per host (Django's deployment checklist)."""
    if settings.DEBUG or "*" not in settings.ALLOWED_HOSTS:
        return []
    return [
        Error(
            "ALLOWED_HOSTS contains '*' with DEBUG off: any Host header would be accepted.",
            hint="Set ALLOWED_HOSTS to the public host names, comma-separated "
            "(e.g. ALLOWED_HOSTS=atendimento.example.gov.br).",
            id="balcao.E002",
        )
    ]


@register(Tags.caches, deploy=True)
def default_cache_shared(app_configs=None, **kwargs):
    """The ``default`` cache holds what every web process must count together: public form
    limits, API throttles, login delays, FAQ votes (settings.py, "CACHES"). A local-memory
    cache there gives each process (each gunicorn/uvicorn worker) its own counters, so a
    limit of 5 lets through 5 per worker and a login delay ends by reaching another one.
    The default is a database table, or Redis with ``REDIS_URL``; an override that puts
    ``LocMemCache`` back is said before going live (``local``, for rendered fragments,
    is per process on purpose)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    try:
        per_process = issubclass(import_string(backend), LocMemCache)
    except ImportError:  # Django's own cache checks name an unknown backend
        return []
    if not per_process:
        return []
    return [
        Warning(
            f"CACHES['default'] is a local-memory cache ({backend}): with several web processes "
            "each would count rate limits, throttles, login delays and FAQ votes on its own.",
            hint="Use the database cache (the default: "
            "django.core.cache.backends.db.DatabaseCache, table balcao_cache) or Redis (set "
            "REDIS_URL); keep LocMemCache for the 'local' cache only.",
            id="balcao.W001",
        )
    ]
