"""Staff session upkeep."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions import middleware as sessions
from django.utils.cache import patch_vary_headers

REFRESHED_AT = "_balcao_refreshed_at"


class SessionMiddleware(sessions.SessionMiddleware):
    """Django's session middleware, except that a cookie naming no session is left alone.

    Django deletes the session cookie whenever a request's session is empty, which covers two
    cases: a session emptied by this request (a sign-out: the cookie must go) and a cookie
    whose session no longer exists. The second is a race when a key has just been renewed:
    the portal's proof of e-mail (``followup_views.my_cases_proof``) calls ``cycle_key()``,
    and a request that left the browser a moment before with the old key — the chat widget's
    badge, fetched on every page — finds an empty session and answers with a deletion that
    throws away the new key the browser has just received, proof included. A stale cookie
    does no harm (the next session saved replaces it), so it is deleted only when this
    request emptied the session.
    """

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if (
            session is not None
            and not session.modified
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and session.is_empty()
        ):
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)


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
