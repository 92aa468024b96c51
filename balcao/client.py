"""Who is on the other end of a request: the client's address.

``ops.middleware.TrustedProxyMiddleware`` puts it in ``REMOTE_ADDR`` once per request (the
connecting peer, or — only behind a proxy listed in ``BALCAO_TRUSTED_PROXIES`` — the client
that proxy names); everything that limits, throttles or audits by address reads it here and
nowhere else, never a raw ``X-Forwarded-For``.
"""

from __future__ import annotations

UNKNOWN = "unknown"


def client_address(request, default: str | None = UNKNOWN) -> str | None:
    """The client's address, or ``default`` when there is no request or no address
    (rate limits key on "unknown"; the audit log stores None)."""
    if request is None:
        return default
    return request.META.get("REMOTE_ADDR") or default
