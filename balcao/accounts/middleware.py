"""Staff session upkeep."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

REFRESHED_AT = "_balcao_refreshed_at"


class SessionRefreshMiddleware:
    """Slide a signed-in session's expiry forward, writing it at most once a minute.

    Staff sessions expire after ``SESSION_COOKIE_AGE`` seconds without use
    (``BALCAO_SESSION_SECONDS``, docs/operator.md "Settings"). Django's way to slide the
    expiry, ``SESSION_SAVE_EVERY_REQUEST``, writes the session row on every request — a
    database write and commit for every page or htmx fragment an agent loads. Writing only
    when the last write is ``BALCAO_SESSION_REFRESH_SECONDS`` old keeps the same rule within
    a minute.
    Anonymous sessions are left alone (they are saved when they change).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.every = getattr(settings, "BALCAO_SESSION_REFRESH_SECONDS", 60)

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.modified and SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= self.every:
                session[REFRESHED_AT] = now  # saved, with a new expiry, by SessionMiddleware
        return response
