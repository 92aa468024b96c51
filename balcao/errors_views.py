"""The pages a visitor meets when something goes wrong, with debug off: 404, 500 and a
refused form (CSRF), in the portal's layout (``balcao/base.html``) and in the language of
the page (LocaleMiddleware has already chosen it from the path prefix, cookie or browser).

They say what happened and where to go next; they never list URLs, settings or a traceback
(the server's log has the traceback). ``handler404``/``handler500`` in ``balcao/urls.py``,
``CSRF_FAILURE_VIEW`` in the settings.

The 500 page is rendered without the context processors and without the database: what
failed may be one of them. If even that fails, a few lines of plain HTML are sent.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponseServerError
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

_BARE_500 = (
    "<!DOCTYPE html><html lang='pt-br'><meta charset='utf-8'><title>Erro</title>"
    "<h1>Erro no servidor</h1><p>Tente de novo em alguns minutos.</p>"
    "<p><a href='/'>Início</a></p></html>"
)


def page_not_found(request, exception=None):
    """404: the address exists nowhere on the site (or what it named is gone)."""
    return render(request, "404.html", status=404)


def _frame_without_processors(request) -> dict:
    """What ``balcao/base.html`` reads from the context processors, computed here from the
    settings alone (each value falls back to a plain default)."""
    try:
        from balcao.portal.context_processors import agency

        frame = agency(request)
    except Exception:  # noqa: BLE001 — the page must render whatever failed
        frame = {
            "agency_name": getattr(settings, "BALCAO_AGENCY_NAME", ""),
            "agency_logo_url": "",
            "primary_color": "#1351b4",
            "theme": "govbr",
            "language_next": "/",
        }
    try:
        csrf_token = get_token(request)  # the language switcher still works
    except Exception:  # noqa: BLE001
        csrf_token = ""
    return {**frame, "request": request, "csrf_token": csrf_token}


def server_error(request):
    """500: our fault. Rendered with a plain context: no context processors, no queries."""
    try:
        html = loader.get_template("500.html").render(_frame_without_processors(request))
    except Exception:
        logger.exception("the 500 page itself failed to render")
        html = _BARE_500
    return HttpResponseServerError(html)


@requires_csrf_token
def csrf_failure(request, reason=""):
    """403 from CsrfViewMiddleware: usually a form left open past the session's end, or
    cookies blocked. The reason is logged by Django (``django.security.csrf``), never shown."""
    return render(request, "403_csrf.html", status=403)
