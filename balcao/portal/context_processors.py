"""What every page's frame needs: the agency (name, logo, colour), the theme and the
language switcher's target."""

import re
import time

from django.conf import settings
from django.utils.translation import get_language

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
DEFAULT_PRIMARY = "#1351b4"


def unprefixed_path(request) -> str:
    """The request's path without its /en/ or /pt-pt/ prefix (plus the query string).

    Django's set_language view resolves ``next`` in the default language, so a prefixed
    path would not be translated and the person would stay in English or pt-PT.
    """
    path = request.path
    language = (get_language() or "").lower()
    prefix = f"/{language}/"
    if language and language != settings.LANGUAGE_CODE.lower() and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def agency(request):
    """The agency's name, logo and primary colour, and the theme (gov.br or neutral)."""
    colour = (
        settings.BALCAO_PRIMARY_COLOR
        if _HEX_COLOUR.match(getattr(settings, "BALCAO_PRIMARY_COLOR", "") or "")
        else DEFAULT_PRIMARY
    )
    theme = getattr(settings, "BALCAO_THEME", "govbr")
    return {
        "agency_name": settings.BALCAO_AGENCY_NAME,
        "agency_logo_url": getattr(settings, "BALCAO_AGENCY_LOGO_URL", ""),
        "primary_color": colour,
        "theme": "neutral" if theme == "neutral" else "govbr",
        "language_next": unprefixed_path(request),
    }


#: The live chat's button on the portal's pages while a chat channel is open (issue 24:
#: "one <script> tag on any website, plus the portal page"): asked of the database at most
#: every ``LIVE_CHAT_SECONDS`` per process (the shared cache would cost a query a page).
LIVE_CHAT_SECONDS = 30.0
_live_chat: list = [None, 0.0]  # [available, when it was asked]


def live_chat(request):
    """``show_chat_widget``: on the portal's pages (not the console, not the chat's own
    pages) when the agency has a live chat channel."""
    path = getattr(request, "path", "")
    if "/console/" in path or "/atendimento/" in path or path.startswith("/api/"):
        return {"show_chat_widget": False}
    now = time.monotonic()
    if _live_chat[0] is None or now - _live_chat[1] > LIVE_CHAT_SECONDS:
        from django.db import DatabaseError

        from balcao.livechat.portal import chat_channel

        try:
            available = chat_channel() is not None
        except DatabaseError:  # an error page while the database is away: no button, no 500
            return {"show_chat_widget": False}
        _live_chat[:] = [available, now]
    return {"show_chat_widget": _live_chat[0]}
