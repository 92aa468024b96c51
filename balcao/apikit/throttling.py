"""Rate limits for the public (anonymous) API, keyed on the client's real address.

django-ninja's throttles identify a client by the raw ``X-Forwarded-For`` header
unless ``NINJA_NUM_PROXIES`` is set, so a client that sends a fresh header on every
call is never throttled. Balcão already resolves the client's address once, in
``ops.middleware.TrustedProxyMiddleware`` (``X-Forwarded-For`` is believed only from
``BALCAO_TRUSTED_PROXIES``), and leaves it in ``REMOTE_ADDR``; these throttles read
that and nothing else.

Counts live in the default cache: per process with the local-memory cache, shared
between processes when ``REDIS_URL`` is set.
"""

from __future__ import annotations

from ninja.throttling import AnonRateThrottle

from balcao.client import UNKNOWN, client_address


class PublicRateThrottle(AnonRateThrottle):
    """Anonymous calls per client address; one budget shared by every public endpoint."""

    scope = "public"

    def get_ident(self, request) -> str:
        return client_address(request) or UNKNOWN


def public_rate(rate: str = "60/m") -> list[PublicRateThrottle]:
    """The throttle list for a public endpoint (``throttle=public_rate()``)."""
    return [PublicRateThrottle(rate)]
